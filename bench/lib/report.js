/** Output: one line per case as it finishes, then a summary table, the ratios and the targets. */

const TARGETS = {
  sessionVsBetterAuthOnPostgres: 3, // Portcullis ≥ 3× better-auth's throughput on PostgreSQL
  sessionFloorFactor: 2, // the raw floor at most 2× Portcullis's throughput
  signInVsArgon2: 0.9, // Portcullis sign-in ≥ 90% of the raw argon2 verify rate
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

const ratio = (a, b) => a.opsPerSecond / b.opsPerSecond;
const verdict = (ok) => (ok ? 'PASS' : 'MISS');

export function printSummary(results, { seconds }) {
  const rows = [];
  for (const [db, r] of Object.entries(results.session)) {
    for (const key of ['floor', 'join', 'portcullis', 'betterAuth']) rows.push(['session', db, r[key]]);
  }
  for (const [db, r] of Object.entries(results.signIn)) {
    for (const key of ['argon2', 'minimal', 'portcullis', 'betterAuth']) rows.push(['sign-in', db, r[key]]);
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
  for (const [db, r] of Object.entries(results.signIn)) {
    console.log(
      `  sign-in ${db.padEnd(10)} Portcullis / raw argon2 = ${(100 * ratio(r.portcullis, r.argon2)).toFixed(0)}%` +
        `   raw sign-in / raw argon2 = ${(100 * ratio(r.minimal, r.argon2)).toFixed(0)}%` +
        `   Portcullis / better-auth = ${ratio(r.portcullis, r.betterAuth).toFixed(2)}× (argon2id vs scrypt: different hashes)`,
    );
  }

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
  for (const [db, r] of Object.entries(results.session)) {
    const slower = ratio(r.floor, r.portcullis);
    console.log(
      `  [${verdict(slower <= TARGETS.sessionFloorFactor)}] session validation on ${db}: within ${TARGETS.sessionFloorFactor}× of the raw PK select — floor is ${slower.toFixed(2)}× Portcullis's throughput`,
    );
  }
  for (const [db, r] of Object.entries(results.signIn)) {
    const share = ratio(r.portcullis, r.argon2);
    console.log(
      `  [${verdict(share >= TARGETS.signInVsArgon2)}] sign-in on ${db}: Portcullis ≥ ${TARGETS.signInVsArgon2 * 100}% of raw argon2 verify — ${(100 * share).toFixed(0)}%`,
    );
  }
}
