/** The HTTP suite's summary: medians over the rounds, ratios with their per-round ranges, CPU per request, targets. */
import { HTTP_TARGETS } from './servers.js';

const median = (values) => {
  const sorted = values.filter((v) => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const int = (x) => (x === null ? '—' : Math.round(x).toLocaleString('en-US'));
const ratio = (x) => (x === null ? '—' : x.toFixed(2));
const times = (x) => (x === null ? '—' : `${x.toFixed(1)}×`);
const ms = (x) => (x === null ? '—' : `${x.toFixed(x < 10 ? 1 : 0)} ms`);
const micros = (x) => (x === null ? '—' : int(x));

/** µs of CPU per request of one process kind in one round (null when it was not counted). */
const cpuPerRequest = (round, kind) =>
  round.cpuSeconds[kind] === null ? null : (round.cpuSeconds[kind] * 1e6) / Math.max(1, round.requests);

/**
 * Per server: median req/s, p50, p99 and CPU per request; ratios of req/s to another server, per
 * round (rounds are interleaved, so round r of both ran under the same background load): their
 * median and min–max.
 */
export function summarizeHttp(results) {
  const byKey = new Map(results.map((r) => [r.server.key, r]));
  const ratioTo = (a, bKey) => {
    const b = byKey.get(bKey);
    if (!a || !b) return null;
    const perRound = a.rounds.map((r, i) => r.requestsPerSecond / b.rounds[i].requestsPerSecond);
    return { median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound) };
  };
  const rows = results.map((r) => {
    const cpu = {
      server: median(r.rounds.map((x) => cpuPerRequest(x, 'server'))),
      postgres: median(r.rounds.map((x) => cpuPerRequest(x, 'postgres'))),
      redis: median(r.rounds.map((x) => cpuPerRequest(x, 'redis'))),
    };
    const total = median(
      r.rounds.map((x) =>
        ['server', 'postgres', 'redis'].reduce((sum, k) => sum + (cpuPerRequest(x, k) ?? 0), 0),
      ),
    );
    return {
      server: r.server,
      requestsPerSecond: median(r.rounds.map((x) => x.requestsPerSecond)),
      p50Ms: median(r.rounds.map((x) => x.p50Ms)),
      p99Ms: median(r.rounds.map((x) => x.p99Ms)),
      cpu,
      totalCpu: total,
      overHello: ratioTo(r, r.server.baseline),
      overBetterAuth: r.server.betterAuth ? ratioTo(r, r.server.betterAuth) : null,
    };
  });
  const rowByKey = new Map(rows.map((row) => [row.server.key, row]));
  for (const row of rows) {
    const hello = rowByKey.get(row.server.baseline);
    row.serverCpuAboveHello = hello && row.cpu.server !== null ? row.cpu.server - hello.cpu.server : null;
    row.totalCpuAboveHello = hello ? row.totalCpu - hello.totalCpu : null;
  }
  const targets = HTTP_TARGETS.filter((t) => byKey.has(t.server) && byKey.has(t.over)).map((t) => {
    const r = ratioTo(byKey.get(t.server), t.over);
    return { ...t, ...r, pass: r.median >= t.atLeast };
  });
  return { rows, targets };
}

function table(header, body, leftColumns = 1) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i < leftColumns ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

const range = (r) => (r ? `${ratio(r.min)}–${ratio(r.max)}` : '—');

export function printHttpReport(results, { seconds, settings, quick }) {
  const { rows, targets } = summarizeHttp(results);
  console.log(
    `\nHTTP summary (${seconds.toFixed(0)} s; medians of ${settings.rounds} interleaved rounds × ${settings.roundSeconds} s, ${settings.connections} connections${quick ? '; BENCH_QUICK: do not quote' : ''})\n`,
  );
  console.log(
    table(
      [
        'server',
        'req/s',
        '÷ hello world',
        '÷ better-auth PG',
        'server CPU/req above hello world',
        'p50',
        'p99',
      ],
      rows.map((r) => [
        r.server.label,
        int(r.requestsPerSecond),
        ratio(r.overHello?.median ?? null),
        times(r.overBetterAuth?.median ?? null),
        r.server.library === 'hello' ? '—' : `${micros(r.serverCpuAboveHello)} µs`,
        ms(r.p50Ms),
        ms(r.p99Ms),
      ]),
    ),
  );
  console.log(
    '\nPer-round ranges (min–max) of the ratios, and µs of CPU per request of each process (medians)\n',
  );
  console.log(
    table(
      [
        'server',
        '÷ hello world',
        '÷ better-auth PG',
        'server',
        'PostgreSQL',
        'Redis',
        'all three',
        'all three above hello world',
      ],
      rows.map((r) => [
        r.server.label,
        range(r.overHello),
        range(r.overBetterAuth),
        micros(r.cpu.server),
        micros(r.cpu.postgres),
        micros(r.cpu.redis),
        micros(r.totalCpu),
        r.server.library === 'hello' ? '—' : micros(r.totalCpuAboveHello),
      ]),
    ),
  );
  console.log(
    '\n(PostgreSQL: the backends connected to the bench database; Redis: redis-server, shared with anything else using it; autocannon runs in the runner and is not counted.)',
  );
  console.log('\nTargets (issue 15)');
  for (const t of targets)
    console.log(
      `  ${t.pass ? 'PASS' : 'MISS'}  ${t.label}: ${ratio(t.median)} (rounds ${ratio(t.min)}–${ratio(t.max)}), target ≥ ${t.atLeast}`,
    );
}
