/** Output: one line per case as it finishes, then a summary table, the ratios and the targets. */

import { signInRatioLines, signInTargetLines } from '../suites/password-sign-in.js';

const TARGETS = {
  sessionVsBetterAuthOnPostgres: 3, // Portcullis ≥ 3× better-auth's throughput on PostgreSQL
  sessionFloorFactor: 2, // the raw floor at most 2× Portcullis's throughput
  // issue 3, Performance: with Redis, Portcullis ≥ 10× better-auth with Redis secondary storage
  cachedVsBetterAuthRedis: 10,
  // "a few microseconds": read here as a mean of at most 5 µs per cached validation, one in flight
  cachedValidationMeanUs: 5,
  revocationMs: 1000, // a revocation on one instance is seen by every other within one second
};

export function formatOps(x) {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1);
}

export function formatMs(x) {
  return x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1);
}

export function formatCaseLine({ db, name, result }) {
  return (
    `  ${db.padEnd(10)} ${name.padEnd(52)} ${formatOps(result.opsPerSecond).padStart(9)} ops/s` +
    `   p50 ${formatMs(result.p50Ms).padStart(6)} ms   p99 ${formatMs(result.p99Ms).padStart(6)} ms   (${result.ops} ops)`
  );
}

export function formatCostLine(r) {
  const perOp = r.perOp
    ? `   per 1k calls: ${(1000 * r.perOp.redisCommands).toFixed(1)} Redis commands, ${(1000 * r.perOp.databaseLookups).toFixed(1)} database lookups`
    : '';
  return (
    `  ${r.name.padEnd(56)} mean ${formatUs(r.meanUs).padStart(7)} µs   p50 ${formatUs(r.p50Us).padStart(7)} µs` +
    `   p99 ${formatUs(r.p99Us).padStart(7)} µs   (${r.calls} calls in ${r.seconds.toFixed(2)} s)${perOp}`
  );
}

export function formatRevocationLine(label, r) {
  return (
    `  ${label.padEnd(22)} ${r.count} revocations: B rejects after p50 ${formatMs(r.totalMs.p50)} ms, max ${formatMs(r.totalMs.max)} ms` +
    ` from the start of A's revokeSession (A's call itself: p50 ${formatMs(r.revokeCallMs.p50)} ms;` +
    ` after it returned: p50 ${formatMs(r.afterReturnMs.p50)} ms, max ${formatMs(r.afterReturnMs.max)} ms)`
  );
}

function formatUs(x) {
  return x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US');
}

const perThousand = (perOp) =>
  perOp
    ? ` (per 1k calls: ${Object.entries(perOp)
        .map(
          ([k, v]) =>
            `${(1000 * v).toFixed(1)} ${k === 'redisCommands' ? 'Redis commands' : 'database lookups'}`,
        )
        .join(', ')})`
    : '';

const ratio = (a, b) => a.opsPerSecond / b.opsPerSecond;
const verdict = (ok) => (ok ? 'PASS' : 'MISS');

export function printSummary(results, { seconds, loggedProblems }) {
  const rows = [];
  for (const [db, r] of Object.entries(results.session)) {
    for (const key of ['floor', 'join', 'portcullis', 'portcullisCached', 'betterAuth', 'betterAuthRedis'])
      if (r[key]) rows.push([r[key].perOp ? 'session+Redis' : 'session', db, r[key]]);
  }
  for (const [db, r] of Object.entries(results.signIn)) {
    for (const key of ['argon2', 'minimal', 'records', 'portcullis', 'betterAuth'])
      rows.push(['sign-in', db, r[key]]);
  }

  const header = ['what', 'database', 'case', 'ops/s', 'p50 ms', 'p99 ms'];
  const body = rows.map(([what, db, r]) => [
    what,
    db,
    r.name,
    formatOps(r.opsPerSecond),
    formatMs(r.p50Ms),
    formatMs(r.p99Ms),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  console.log(`\nSummary (${seconds.toFixed(0)} s)\n`);
  if (loggedProblems && loggedProblems.warnings + loggedProblems.errors > 0)
    console.log(
      `Portcullis logged ${loggedProblems.warnings} warning(s) and ${loggedProblems.errors} error(s) during the run (printed above).\n`,
    );
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i >= 3 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
  for (const row of body) console.log(line(row));

  console.log('\nRatios (throughput)');
  for (const [db, r] of Object.entries(results.session)) {
    console.log(
      `  session ${db.padEnd(10)} Portcullis / better-auth = ${ratio(r.portcullis, r.betterAuth).toFixed(2)}×` +
        `   Portcullis / raw floor = ${ratio(r.portcullis, r.floor).toFixed(2)}× (floor ${ratio(r.floor, r.portcullis).toFixed(2)}× faster)` +
        `   Portcullis / raw join = ${ratio(r.portcullis, r.join).toFixed(2)}×`,
    );
  }
  for (const [db, r] of Object.entries(results.session)) {
    if (!r.portcullisCached) continue;
    console.log(
      `  session ${db.padEnd(10)} with Redis: Portcullis cached / better-auth Redis = ${ratio(r.portcullisCached, r.betterAuthRedis).toFixed(2)}×` +
        `   Portcullis cached / uncached = ${ratio(r.portcullisCached, r.portcullis).toFixed(2)}×` +
        `   Portcullis cached / raw floor = ${ratio(r.portcullisCached, r.floor).toFixed(2)}×` +
        `   better-auth Redis / better-auth database = ${ratio(r.betterAuthRedis, r.betterAuth).toFixed(2)}×`,
    );
    console.log(`  session ${db.padEnd(10)} Portcullis cached${perThousand(r.portcullisCached.perOp)}`);
    console.log(`  session ${db.padEnd(10)} better-auth Redis${perThousand(r.betterAuthRedis.perOp)}`);
  }
  if (results.cost) {
    const c = results.cost;
    console.log(
      `  cached validation, one in flight: ${formatUs(c.cached.meanUs)} µs mean (p50 ${formatUs(c.cached.p50Us)} µs)` +
        ` = ${(c.cached.meanUs / c.bare.meanUs).toFixed(1)}× SHA-256 + Map.get (${formatUs(c.bare.meanUs)} µs);` +
        ` re-check after the L1 TTL ${formatUs(c.recheck.meanUs)} µs; uncached ${formatUs(c.uncached.meanUs)} µs` +
        (c.betterAuthRedis ? `; better-auth Redis ${formatUs(c.betterAuthRedis.meanUs)} µs` : ''),
    );
  }
  for (const [db, r] of Object.entries(results.signIn))
    for (const line of signInRatioLines(db, r)) console.log(line);

  console.log('\nTargets');
  const pg = results.session.PostgreSQL;
  if (pg) {
    const x = ratio(pg.portcullis, pg.betterAuth);
    console.log(
      `  [${verdict(x >= TARGETS.sessionVsBetterAuthOnPostgres)}] session validation on PostgreSQL: Portcullis ≥ ${TARGETS.sessionVsBetterAuthOnPostgres}× better-auth — ${x.toFixed(2)}×`,
    );
  } else {
    console.log(
      `  [SKIP] session validation on PostgreSQL: Portcullis ≥ 3× better-auth — ${results.skippedPostgres}`,
    );
  }
  const cachedPg = pg?.portcullisCached;
  if (cachedPg) {
    const x = ratio(cachedPg, pg.betterAuthRedis);
    console.log(
      `  [${verdict(x >= TARGETS.cachedVsBetterAuthRedis)}] session validation with Redis: Portcullis ≥ ${TARGETS.cachedVsBetterAuthRedis}× better-auth with Redis secondary storage — ${x.toFixed(2)}×`,
    );
  } else {
    console.log(
      `  [SKIP] session validation with Redis: Portcullis ≥ ${TARGETS.cachedVsBetterAuthRedis}× better-auth — ${results.skippedRedis ?? results.skippedPostgres}`,
    );
  }
  if (results.cost) {
    const us = results.cost.cached.meanUs;
    console.log(
      `  [${verdict(us <= TARGETS.cachedValidationMeanUs)}] cached validation costs a few µs (mean ≤ ${TARGETS.cachedValidationMeanUs} µs, one in flight) — ${formatUs(us)} µs`,
    );
  }
  if (results.revocation) {
    for (const [label, r] of [
      ['pub/sub delivered', results.revocation.viaPubSub],
      ['pub/sub ignored by B', results.revocation.lostMessages],
    ]) {
      console.log(
        `  [${verdict(r.totalMs.max < TARGETS.revocationMs)}] revocation seen by another instance within ${TARGETS.revocationMs} ms (${label}, ${r.count} revocations) — max ${formatMs(r.totalMs.max)} ms, p50 ${formatMs(r.totalMs.p50)} ms`,
      );
    }
  }
  for (const [db, r] of Object.entries(results.session)) {
    const slower = ratio(r.floor, r.portcullis);
    console.log(
      `  [${verdict(slower <= TARGETS.sessionFloorFactor)}] session validation on ${db}: within ${TARGETS.sessionFloorFactor}× of the raw PK select — floor is ${slower.toFixed(2)}× Portcullis's throughput`,
    );
  }
  for (const [db, r] of Object.entries(results.signIn))
    for (const line of signInTargetLines(db, r)) console.log(line);
}
