/**
 * Authorization decisions side by side: Portcullis `authorizer.decide` (one compiled authorizer per
 * tenant), CASL `ability.can` (one Ability per member of a tenant) and casbin `enforceSync` (one
 * enforcer with every tenant's policies, RBAC with domains / ABAC matcher), on the model of
 * `lib/authorization-model.js`. Every engine is first checked against the reference evaluation;
 * a disagreement fails the case and it is not timed. See docs/benchmarks.md.
 *
 * The calls are synchronous and in-process, so they are timed in a tight loop, one at a time:
 * throughput from batches of 1,024 calls between clock reads (the call and a comparison with the
 * expected answer, nothing else); p50/p99 from a separate pass that reads the clock around every
 * call (its overhead, the "timer floor", is printed). casbin's calls take milliseconds to seconds
 * and are timed one by one.
 */
import {
  buildCasbin,
  buildCasl,
  buildPortcullis,
  casbinCalls,
  caslCalls,
  caslSubject,
  generateRequests,
  generateTenants,
  portcullisCalls,
  portcullisSubjects,
} from '../lib/authorization-model.js';

const now = () => process.hrtime.bigint();
const seconds = (from, to = now()) => Number(to - from) / 1e9;
const BATCH = 1024;

// ---------------------------------------------------------------------------------------------
// per-library loops, each its own function so that every call site sees one library only

function portcullisOp(authorizers, calls) {
  return (j) => {
    const c = calls[j];
    return authorizers.get(c.tenantId).decide(c.request).allowed;
  };
}
function portcullisLoop(authorizers, calls, expected) {
  const mask = calls.length - 1;
  return (start, count) => {
    let wrong = 0;
    for (let k = 0; k < count; k++) {
      const j = (start + k) & mask;
      const c = calls[j];
      if (authorizers.get(c.tenantId).decide(c.request).allowed !== expected[j]) wrong++;
    }
    return wrong;
  };
}

/**
 * A bare lookup for case 3: what a minimal hand-written RBAC check over the same rules touches —
 * one map of the tenant's roles, one set of a role's permissions — with no policies, reasons or
 * validation. It is not an engine: its slowdown from 10 to 10,000 tenants is the memory hierarchy's alone.
 */
function buildFloor(tenants) {
  return new Map(tenants.map((t) => [t.id, new Map(t.roles.map((r) => [r.key, new Set(r.permissions)]))]));
}
function floorCalls(requests) {
  return requests.map((r) => ({
    tenantId: r.tenant.id,
    roles: r.member.roles,
    action: r.action,
    wildcard: `${r.type}.*`,
  }));
}
function floorAllows(model, c) {
  const roles = model.get(c.tenantId);
  for (let i = 0; i < c.roles.length; i++) {
    const granted = roles.get(c.roles[i]);
    if (granted.has(c.action) || granted.has(c.wildcard) || granted.has('*')) return true;
  }
  return false;
}
function floorOp(model, calls) {
  return (j) => floorAllows(model, calls[j]);
}
function floorLoop(model, calls, expected) {
  const mask = calls.length - 1;
  return (start, count) => {
    let wrong = 0;
    for (let k = 0; k < count; k++) {
      const j = (start + k) & mask;
      if (floorAllows(model, calls[j]) !== expected[j]) wrong++;
    }
    return wrong;
  };
}

function caslTypeOp(abilities, calls) {
  return (j) => {
    const c = calls[j];
    return abilities.get(c.key).can(c.action, c.type);
  };
}
function caslTypeLoop(abilities, calls, expected) {
  const mask = calls.length - 1;
  return (start, count) => {
    let wrong = 0;
    for (let k = 0; k < count; k++) {
      const j = (start + k) & mask;
      const c = calls[j];
      if (abilities.get(c.key).can(c.action, c.type) !== expected[j]) wrong++;
    }
    return wrong;
  };
}
function caslDocOp(abilities, calls) {
  return (j) => {
    const c = calls[j];
    return abilities.get(c.key).can(c.action, caslSubject('document', c.doc));
  };
}
function caslDocLoop(abilities, calls, expected) {
  const mask = calls.length - 1;
  return (start, count) => {
    let wrong = 0;
    for (let k = 0; k < count; k++) {
      const j = (start + k) & mask;
      const c = calls[j];
      if (abilities.get(c.key).can(c.action, caslSubject('document', c.doc)) !== expected[j]) wrong++;
    }
    return wrong;
  };
}

const casbinOp = (enforcer, calls) => (j) => enforcer.enforceSync(...calls[j]);

// ---------------------------------------------------------------------------------------------
// measurement

/** Fast engine: batches of BATCH calls until `ms` has passed. */
function runBatches(engine, ms) {
  const start = now();
  const until = start + BigInt(Math.round(ms * 1e6));
  let calls = 0;
  let wrong = 0;
  do {
    wrong += engine.loop(engine.position, BATCH);
    engine.position += BATCH;
    calls += BATCH;
  } while (now() < until);
  if (wrong > 0) throw new Error(`${engine.name} answered ${wrong} of ${calls} calls wrongly while timed`);
  return { calls, seconds: seconds(start) };
}

/** Slow engine (casbin): one call at a time, each timed, until `ms` has passed and at least `minCalls` were made. */
function runOneByOne(engine, ms, minCalls, latencies) {
  const start = now();
  const until = start + BigInt(Math.round(ms * 1e6));
  let calls = 0;
  do {
    const j = engine.position++ % engine.expected.length;
    const t0 = now();
    const allowed = engine.op(j);
    latencies.push(Number(now() - t0) / 1e3);
    if (allowed !== engine.expected[j])
      throw new Error(`${engine.name} answered call ${j} wrongly while timed`);
    calls++;
  } while (now() < until || calls < minCalls);
  return { calls, seconds: seconds(start) };
}

/** Per-call latency of a fast engine, in µs, over `count` calls (clock read around each). */
function perCallLatencies(op, size, count) {
  const out = new Float64Array(count);
  const mask = size - 1;
  for (let i = 0; i < count; i++) {
    const t0 = now();
    op(i & mask);
    out[i] = Number(now() - t0) / 1e3;
  }
  return out;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function latencySummary(values) {
  const sorted = Float64Array.from(values).sort();
  return { p50Us: percentile(sorted, 50), p99Us: percentile(sorted, 99), samples: sorted.length };
}

/**
 * Interleaved rounds (A B C, B C A, C A B …) of fast and slow engines, after a warm-up of each.
 * @returns {Record<string, { name, opsPerSecond, calls, seconds, p50Us, p99Us, samples }>}
 */
function compare(engines, s) {
  const totals = new Map(engines.map((e) => [e.key, { calls: 0, seconds: 0, latencies: [] }]));
  for (const e of engines) {
    if (e.slow) runOneByOne(e, 0, 1, []);
    else {
      // one pass over the whole pool first: every authorizer / ability has seen its requests'
      // actions (Portcullis compiles an action's rules on first use, CASL indexes lazily)
      if (e.loop(0, e.expected.length) > 0) throw new Error(`${e.name} answered wrongly in the warm-up`);
      runBatches(e, s.warmupMs);
    }
  }
  for (let round = 0; round < s.rounds; round++) {
    for (let k = 0; k < engines.length; k++) {
      const e = engines[(round + k) % engines.length];
      const t = totals.get(e.key);
      globalThis.gc?.();
      const r = e.slow ? runOneByOne(e, s.slowRoundMs, 1, t.latencies) : runBatches(e, s.roundMs);
      t.calls += r.calls;
      t.seconds += r.seconds;
    }
  }
  const results = {};
  for (const e of engines) {
    const t = totals.get(e.key);
    globalThis.gc?.();
    const latency = e.slow
      ? latencySummary(t.latencies)
      : latencySummary(perCallLatencies(e.op, e.expected.length, s.latencyCalls));
    results[e.key] = {
      name: e.name,
      calls: t.calls,
      seconds: t.seconds,
      opsPerSecond: t.calls / t.seconds,
      ...latency,
    };
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// agreement

function checkAgreement(label, requests, count, deciders) {
  const failures = [];
  let allowed = 0;
  const n = Math.min(count, requests.length);
  for (let j = 0; j < n; j++) {
    const expected = requests[j].expected;
    if (expected) allowed++;
    for (const [name, decide] of Object.entries(deciders)) {
      const got = decide(j);
      if (got !== expected) failures.push({ label, name, j, got, expected, request: describe(requests[j]) });
    }
  }
  return { label, requests: n, engines: Object.keys(deciders), allowedShare: allowed / n, failures };
}

const describe = (r) =>
  `${r.member.id} (${r.member.roles.join('+')}) in ${r.tenant.id}: ${r.action}${r.resource ? ` owner ${r.resource.ownerId}` : ''}`;

function timeIt(fn) {
  const t0 = now();
  const value = fn();
  return { value, seconds: seconds(t0) };
}
async function timeItAsync(fn) {
  const t0 = now();
  const value = await fn();
  return { value, seconds: seconds(t0) };
}
const heapMiB = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

/** Builds the three engines for `tenants` and the call arrays for `requests`. */
async function buildEngines(tenants, requests, ownership) {
  const expected = requests.map((r) => r.expected);
  const pc = timeIt(() => buildPortcullis(tenants, { ownership }));
  const casl = timeIt(() => buildCasl(tenants, { ownership }));
  const cb = await timeItAsync(() => buildCasbin(tenants, { ownership }));
  const pcCalls = portcullisCalls(requests, portcullisSubjects(tenants));
  const clCalls = caslCalls(requests);
  const cbCalls = casbinCalls(requests);
  const caslOp = ownership ? caslDocOp : caslTypeOp;
  const caslLoop = ownership ? caslDocLoop : caslTypeLoop;
  return {
    build: {
      portcullis: { seconds: pc.seconds, structures: `${pc.value.size} authorizers` },
      casl: { seconds: casl.seconds, structures: `${casl.value.size} abilities` },
      casbin: {
        seconds: cb.seconds,
        structures: `1 enforcer, ${cb.value.policyLines.toLocaleString('en-US')} p + ${cb.value.groupingLines.toLocaleString('en-US')} g lines`,
      },
    },
    engines: [
      {
        key: 'portcullis',
        name: 'Portcullis authorizer.decide',
        op: portcullisOp(pc.value, pcCalls),
        loop: portcullisLoop(pc.value, pcCalls, expected),
        expected,
        position: 0,
      },
      {
        key: 'casl',
        name: ownership ? "CASL can(a, subject('document', doc))" : 'CASL can(action, type)',
        op: caslOp(casl.value, clCalls),
        loop: caslLoop(casl.value, clCalls, expected),
        expected,
        position: 0,
      },
      {
        key: 'casbin',
        name: ownership ? 'casbin enforceSync (ABAC matcher)' : 'casbin enforceSync (RBAC with domains)',
        op: casbinOp(cb.value.enforcer, cbCalls),
        expected,
        position: 0,
        slow: true,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * @param {object} s settings (see run.js)
 * @param {(line: string) => void} log
 */
export async function benchAuthorization(s, log) {
  const results = { cases: {}, agreement: [], scaling: null, timerFloor: null };
  const allTenants = generateTenants(Math.max(s.tenants, ...s.scaling.levels));
  const tenants = allTenants.slice(0, s.tenants);
  const small = allTenants.slice(0, s.smallTenants);

  {
    // what reading the clock around a call costs (the floor under every per-call latency)
    const noop = (j) => j > 1e9;
    results.timerFloor = latencySummary(perCallLatencies(noop, 1024, s.latencyCalls));
  }

  const CASES = [
    { key: 'rbac', label: '1. RBAC only', ownership: false, seed: 1 },
    { key: 'ownership', label: '2. RBAC + ownership', ownership: true, seed: 2 },
  ];
  for (const c of CASES) {
    log(`\n${c.label}: building ${s.tenants.toLocaleString('en-US')} tenants' structures…`);
    const requests = generateRequests(tenants, s.poolSize, { ownership: c.ownership, seed: c.seed });
    const built = await buildEngines(tenants, requests, c.ownership);
    for (const [k, b] of Object.entries(built.build))
      log(`  built ${k.padEnd(10)} ${b.structures} in ${b.seconds.toFixed(2)} s`);
    log(`  heap in use: ${heapMiB().toFixed(0)} MiB`);

    // agreement: every engine against the reference, before anything is timed
    const byKey = Object.fromEntries(built.engines.map((e) => [e.key, e.op]));
    const agreement = [
      checkAgreement(`${c.label}, ${s.tenants} tenants`, requests, s.verifyCount, {
        portcullis: byKey.portcullis,
        casl: byKey.casl,
      }),
    ];
    const t0 = now();
    agreement.push(
      checkAgreement(`${c.label}, ${s.tenants} tenants`, requests, s.casbinVerifyCount, {
        casbin: byKey.casbin,
      }),
    );
    const casbinVerifySeconds = seconds(t0);
    {
      // all three on the first `smallTenants` tenants of the same model: enough casbin calls to matter
      const smallRequests = generateRequests(small, s.smallVerifyCount, {
        ownership: c.ownership,
        seed: c.seed + 100,
      });
      const smallBuilt = await buildEngines(small, smallRequests, c.ownership);
      const ops = Object.fromEntries(smallBuilt.engines.map((e) => [e.key, e.op]));
      agreement.push(
        checkAgreement(`${c.label}, ${s.smallTenants} tenants`, smallRequests, s.smallVerifyCount, ops),
      );
    }
    for (const a of agreement) {
      log(
        `  agreement ${a.label}: ${a.engines.join(', ')} on ${a.requests.toLocaleString('en-US')} requests ` +
          `(${(100 * a.allowedShare).toFixed(1)}% allowed): ${a.failures.length === 0 ? 'all agree with the reference' : `${a.failures.length} DISAGREEMENTS`}`,
      );
      for (const f of a.failures.slice(0, 5))
        log(`    ${f.name} said ${f.got}, reference ${f.expected}: ${f.request}`);
    }
    log(
      `  (casbin's ${s.casbinVerifyCount} checks on ${s.tenants} tenants took ${casbinVerifySeconds.toFixed(1)} s)`,
    );
    results.agreement.push(...agreement);
    if (agreement.some((a) => a.failures.length > 0)) {
      log(`  [FAIL] ${c.label}: the engines disagree; not timed`);
      results.cases[c.key] = { label: c.label, failed: true };
      continue;
    }

    log(`  timing (interleaved rounds)…`);
    const timed = compare(built.engines, s);
    for (const r of Object.values(timed)) log(formatLine(r));
    results.cases[c.key] = { label: c.label, build: built.build, results: timed };
    built.engines.length = 0;
  }

  results.scaling = await benchScaling(allTenants, s, log);
  return results;
}

async function benchScaling(allTenants, s, log) {
  const { levels } = s.scaling;
  log(`\n3. scaling, RBAC only: Portcullis and casbin as tenants grow ${levels.join(' → ')}`);
  const scaling = { levels: [], portcullis: {}, floor: {}, casbin: {} };
  // Portcullis: all levels built side by side, so their rounds can be interleaved
  const engines = [];
  for (const n of levels) {
    const tenants = allTenants.slice(0, n);
    const requests = generateRequests(tenants, s.poolSize, { ownership: false, seed: 3 });
    const expected = requests.map((r) => r.expected);
    const built = timeIt(() => buildPortcullis(tenants, { ownership: false }));
    const calls = portcullisCalls(requests, portcullisSubjects(tenants));
    const engine = {
      key: `portcullis-${n}`,
      name: `Portcullis, ${n.toLocaleString('en-US')} tenants`,
      op: portcullisOp(built.value, calls),
      loop: portcullisLoop(built.value, calls, expected),
      expected,
      position: 0,
    };
    // every tenant's authorizer and every action's rules seen once before timing (cached decisions)
    if (engine.loop(0, s.poolSize) > 0) throw new Error(`${engine.name} answered wrongly in the warm-up`);
    engines.push(engine);
    const floor = buildFloor(tenants);
    const floorRequests = floorCalls(requests);
    engines.push({
      key: `floor-${n}`,
      name: `bare lookup, ${n.toLocaleString('en-US')} tenants`,
      op: floorOp(floor, floorRequests),
      loop: floorLoop(floor, floorRequests, expected),
      expected,
      position: 0,
    });
    scaling.levels.push(n);
    log(`  built Portcullis for ${n.toLocaleString('en-US')} tenants in ${built.seconds.toFixed(2)} s`);
  }
  {
    // diagnostic: the largest model, but every request from its first 10 tenants (a hot working set)
    const n = levels.at(-1);
    const authorizers = buildPortcullis(allTenants.slice(0, n), { ownership: false });
    const hot = allTenants.slice(0, 10);
    const requests = generateRequests(hot, s.poolSize, { ownership: false, seed: 3 });
    const expected = requests.map((r) => r.expected);
    const calls = portcullisCalls(requests, portcullisSubjects(hot));
    const engine = {
      key: 'portcullis-hot',
      name: `Portcullis, ${n.toLocaleString('en-US')} tenants, requests from 10`,
      op: portcullisOp(authorizers, calls),
      loop: portcullisLoop(authorizers, calls, expected),
      expected,
      position: 0,
    };
    engines.push(engine);
  }
  log(`  heap in use: ${heapMiB().toFixed(0)} MiB`);
  const pc = compare(engines, s);
  scaling.hot = pc['portcullis-hot'];
  for (const n of levels) {
    scaling.portcullis[n] = pc[`portcullis-${n}`];
    scaling.floor[n] = pc[`floor-${n}`];
    log(formatLine(pc[`portcullis-${n}`]));
  }
  for (const n of levels) log(formatLine(pc[`floor-${n}`]));
  log(formatLine(scaling.hot));
  engines.length = 0;
  globalThis.gc?.();

  // casbin: one level at a time (the largest holds millions of policy lines)
  for (const n of levels) {
    const tenants = allTenants.slice(0, n);
    const requests = generateRequests(tenants, s.scaling.casbinRequests, { ownership: false, seed: 3 });
    const expected = requests.map((r) => r.expected);
    const built = await timeItAsync(() => buildCasbin(tenants, { ownership: false }));
    const heap = heapMiB();
    const engine = {
      key: `casbin-${n}`,
      name: `casbin, ${n.toLocaleString('en-US')} tenants`,
      op: casbinOp(built.value.enforcer, casbinCalls(requests)),
      expected,
      position: 0,
    };
    runOneByOne(engine, 0, 1, []);
    const latencies = [];
    const r = runOneByOne(engine, s.scaling.casbinMs, s.scaling.casbinMinCalls, latencies);
    scaling.casbin[n] = {
      name: engine.name,
      calls: r.calls,
      seconds: r.seconds,
      opsPerSecond: r.calls / r.seconds,
      ...latencySummary(latencies),
      build: `${built.value.policyLines.toLocaleString('en-US')} p + ${built.value.groupingLines.toLocaleString('en-US')} g lines in ${built.seconds.toFixed(1)} s, heap ${heap.toFixed(0)} MiB`,
    };
    log(`${formatLine(scaling.casbin[n])}   [${scaling.casbin[n].build}]`);
    built.value.enforcer = null;
    globalThis.gc?.();
  }
  return scaling;
}

export function formatOps(x) {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 1 ? x.toFixed(1) : x.toFixed(2);
}
export function formatUs(x) {
  return x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US');
}
function formatLine(r) {
  return (
    `  ${r.name.padEnd(48)} ${formatOps(r.opsPerSecond).padStart(12)} ops/s   p50 ${formatUs(r.p50Us).padStart(9)} µs` +
    `   p99 ${formatUs(r.p99Us).padStart(9)} µs   (${r.calls.toLocaleString('en-US')} calls in ${r.seconds.toFixed(1)} s)`
  );
}
