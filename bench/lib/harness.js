/**
 * A small closed-loop load generator. `concurrency` workers each await one operation at a time.
 * Cases that are compared run interleaved: each is warmed up, then measured in several short
 * rounds taken in turn (A B C, B C A, C A B ...), so that a change in background load on a
 * shared machine hits every case alike instead of skewing the ratios. Latency is per
 * operation, from process.hrtime.bigint(), so it includes queueing behind the other in-flight
 * operations (and, for database cases, waiting for a pooled connection). Each worker yields to
 * the event loop (setImmediate) before each call, outside the timed part.
 */

/**
 * @typedef {object} BenchCase
 * @property {string} key
 * @property {string} name
 * @property {(i: number) => Promise<unknown>} op  one operation; `i` counts calls
 * @property {(result: unknown) => void} [check]  throws when an operation answered wrongly
 *
 * @typedef {{ ops: number, seconds: number, opsPerSecond: number, p50Ms: number, p99Ms: number, meanMs: number }} CaseResult
 * @typedef {CaseResult & { name: string, roundOpsPerSecond: number[], meteredPerOp?: Record<string, number> }} ComparedResult
 *   `roundOpsPerSecond[r]` is the case's throughput in measured round r: rounds of the same index
 *   ran within one turn of every case, so their ratios pair measurements taken close in time.
 *   `meteredPerOp`: with a `meter`, what it counted over the case's measured rounds, per operation
 *
 * @typedef {{ read(): Promise<Record<string, number>> }} Meter
 *   a cumulative counter (e.g. CPU microseconds by process), read before and after every
 *   measured round, outside the timed part
 */

/**
 * @param {BenchCase[]} cases
 * @param {{ concurrency: number, warmupMs: number, rounds: number, roundMs: number }} settings
 * @param {Meter} [meter]
 * @returns {Promise<Record<string, ComparedResult>>}
 */
export async function compareInterleaved(cases, { concurrency, warmupMs, rounds, roundMs }, meter) {
  const samples = new Map(cases.map((c) => [c.key, { latencies: [], seconds: 0, rounds: [], metered: {} }]));
  for (const c of cases) await runFor(c, concurrency, warmupMs, null);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(round + k) % cases.length];
      const sample = samples.get(c.key);
      globalThis.gc?.();
      const before = sample.latencies.length;
      const counted = await meter?.read();
      const seconds = await runFor(c, concurrency, roundMs, sample.latencies);
      if (counted) {
        for (const [k, v] of Object.entries(await meter.read()))
          sample.metered[k] = (sample.metered[k] ?? 0) + v - (counted[k] ?? 0);
      }
      sample.seconds += seconds;
      sample.rounds.push((sample.latencies.length - before) / seconds);
    }
  }
  const results = {};
  for (const c of cases) {
    const { latencies, seconds, rounds: roundOpsPerSecond, metered } = samples.get(c.key);
    results[c.key] = { name: c.name, ...summarize(latencies, seconds), roundOpsPerSecond };
    if (meter) {
      results[c.key].meteredPerOp = Object.fromEntries(
        Object.entries(metered).map(([k, v]) => [k, v / Math.max(1, latencies.length)]),
      );
    }
  }
  return results;
}

/** Runs `c` with `concurrency` workers for `ms`; returns the seconds it really took. */
async function runFor(c, concurrency, ms, latencies) {
  let counter = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(Math.round(ms * 1e6));
  const worker = async () => {
    while (process.hrtime.bigint() < until) {
      // each call starts in a macrotask of its own, as a request read from a socket would: an
      // operation that completes in microtasks alone (a cache hit) must not keep the event loop
      // from reading the replies the other workers wait for
      await yieldToEventLoop();
      const i = counter++;
      const t0 = process.hrtime.bigint();
      const result = await c.op(i);
      const elapsed = process.hrtime.bigint() - t0;
      c.check?.(result);
      latencies?.push(Number(elapsed) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // the last operations finish after the deadline: count the time they really took
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

/** @returns {CaseResult} */
export function summarize(latencies, seconds) {
  const sorted = Float64Array.from(latencies).sort();
  let sum = 0;
  for (const x of sorted) sum += x;
  return {
    ops: sorted.length,
    seconds,
    opsPerSecond: sorted.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: sum / Math.max(1, sorted.length),
  };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** The median of `xs` (NaN when empty). */
export function median(xs) {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * `a` ÷ `b` of two interleaved cases ({@link compareInterleaved}'s results): the median and range
 * of the per-round throughput ratios (round r of both ran within one turn of every case, under
 * the same background load), and the ratio of the totals. Goals are judged on the median.
 *
 * @param {{ roundOpsPerSecond: number[], opsPerSecond: number }} a
 * @param {{ roundOpsPerSecond: number[], opsPerSecond: number }} b
 */
export function perRoundRatio(a, b) {
  const perRound = a.roundOpsPerSecond.map((x, i) => x / b.roundOpsPerSecond[i]);
  return {
    median: median(perRound),
    min: Math.min(...perRound),
    max: Math.max(...perRound),
    total: a.opsPerSecond / b.opsPerSecond,
  };
}

/**
 * Like {@link compareInterleaved}, for operations that settle in microtasks (an in-memory step):
 * one call awaited after another, with no yield to the event loop between calls (a per-call
 * `setImmediate` would cost more than the operation and measure the event loop instead), in
 * batches of 1,000 between clock reads. Each case warmed up, then `rounds` rounds of `roundMs`
 * taken in turn. No per-call latency: only throughput (`roundOpsPerSecond`, `opsPerSecond`).
 *
 * @param {BenchCase[]} cases
 * @param {{ warmupMs: number, rounds: number, roundMs: number }} settings
 * @returns {Promise<Record<string, { name: string, ops: number, seconds: number, opsPerSecond: number, roundOpsPerSecond: number[] }>>}
 */
export async function compareSequential(cases, { warmupMs, rounds, roundMs }) {
  const runFor = async (c, ms) => {
    let calls = 0;
    const start = process.hrtime.bigint();
    const until = start + BigInt(Math.round(ms * 1e6));
    while (process.hrtime.bigint() < until) {
      for (let k = 0; k < 1000; k++) {
        const result = await c.op(calls++);
        c.check?.(result);
      }
    }
    return { calls, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
  };
  const samples = new Map(cases.map((c) => [c.key, { ops: 0, seconds: 0, rounds: [] }]));
  for (const c of cases) await runFor(c, warmupMs);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(round + k) % cases.length];
      globalThis.gc?.();
      const { calls, seconds } = await runFor(c, roundMs);
      const sample = samples.get(c.key);
      sample.ops += calls;
      sample.seconds += seconds;
      sample.rounds.push(calls / seconds);
    }
  }
  const results = {};
  for (const c of cases) {
    const { ops, seconds, rounds: roundOpsPerSecond } = samples.get(c.key);
    results[c.key] = { name: c.name, ops, seconds, opsPerSecond: ops / seconds, roundOpsPerSecond };
  }
  return results;
}
