/** Summary of the authorization suite: a table, the ratios and the targets. */
import { formatOps, formatUs } from '../suites/authorization.js';

export const AUTHORIZATION_TARGETS = {
  // issue 4: cached decisions at least as fast as CASL's can() on the equivalent model
  portcullisVsCasl: 1,
  // issue 4: ours must stay flat as tenants grow from 10 to 10,000, read as ≤ 1.5× slowdown
  flatSlowdown: 1.5,
};

const verdict = (ok) => (ok ? 'PASS' : 'MISS');

export function printAuthorizationSummary(results, { seconds }) {
  const rows = [];
  for (const c of Object.values(results.cases)) {
    if (c.failed) continue;
    for (const key of ['portcullis', 'casl', 'casbin']) rows.push([c.label, c.results[key]]);
  }
  if (results.scaling) {
    for (const n of results.scaling.levels) {
      rows.push(['3. scaling', results.scaling.portcullis[n]]);
    }
    if (results.scaling.hot) rows.push(['3. scaling (diagnostic)', results.scaling.hot]);
    for (const n of results.scaling.levels)
      if (results.scaling.floor?.[n]) rows.push(['3. scaling (bare lookup)', results.scaling.floor[n]]);
    for (const n of results.scaling.levels) rows.push(['3. scaling', results.scaling.casbin[n]]);
  }
  const header = ['case', 'engine', 'ops/s', 'p50 µs', 'p99 µs'];
  const body = rows.map(([label, r]) => [
    label,
    r.name,
    formatOps(r.opsPerSecond),
    formatUs(r.p50Us),
    formatUs(r.p99Us),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  console.log(`\nAuthorization summary (${seconds.toFixed(0)} s)\n`);
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i >= 2 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
  for (const row of body) console.log(line(row));
  const f = results.timerFloor;
  console.log(
    `\np50/p99 of Portcullis and CASL read the clock around each call; that alone measures p50 ${formatUs(f.p50Us)} µs, p99 ${formatUs(f.p99Us)} µs (timer floor).`,
  );

  console.log('\nRatios (throughput)');
  for (const c of Object.values(results.cases)) {
    if (c.failed) continue;
    const { portcullis, casl, casbin } = c.results;
    console.log(
      `  ${c.label.padEnd(20)} Portcullis / CASL = ${(portcullis.opsPerSecond / casl.opsPerSecond).toFixed(2)}×` +
        `   Portcullis / casbin = ${formatOps(portcullis.opsPerSecond / casbin.opsPerSecond)}×` +
        `   CASL / casbin = ${formatOps(casl.opsPerSecond / casbin.opsPerSecond)}×`,
    );
  }
  const sc = results.scaling;
  if (sc) {
    const first = sc.levels[0];
    const last = sc.levels.at(-1);
    for (const [name, by] of [
      ['Portcullis', sc.portcullis],
      ...(sc.floor?.[first] ? [['bare lookup', sc.floor]] : []),
      ['casbin', sc.casbin],
    ]) {
      const steps = sc.levels
        .map((n) => `${n.toLocaleString('en-US')}: ${formatOps(by[n].opsPerSecond)}`)
        .join(' → ');
      console.log(
        `  3. scaling ${name.padEnd(10)} ${steps} ops/s; slowdown ${first} → ${last.toLocaleString('en-US')} tenants = ${(by[first].opsPerSecond / by[last].opsPerSecond).toFixed(2)}×`,
      );
    }
    for (const n of sc.levels)
      console.log(
        `  3. scaling Portcullis / casbin at ${n.toLocaleString('en-US')} tenants = ${formatOps(sc.portcullis[n].opsPerSecond / sc.casbin[n].opsPerSecond)}×`,
      );
  }

  console.log('\nTargets');
  for (const a of results.agreement) {
    console.log(
      `  [${a.failures.length === 0 ? 'PASS' : 'FAIL'}] agreement, ${a.label}: ${a.engines.join(', ')} match the reference on ${a.requests.toLocaleString('en-US')} requests` +
        (a.failures.length ? ` — ${a.failures.length} disagreements` : ''),
    );
  }
  for (const c of Object.values(results.cases)) {
    if (c.failed) {
      console.log(`  [FAIL] ${c.label}: Portcullis ≥ CASL — not timed, the engines disagree`);
      continue;
    }
    const x = c.results.portcullis.opsPerSecond / c.results.casl.opsPerSecond;
    console.log(
      `  [${verdict(x >= AUTHORIZATION_TARGETS.portcullisVsCasl)}] ${c.label}: Portcullis cached decisions ≥ CASL can() throughput — ${x.toFixed(2)}×`,
    );
  }
  if (sc) {
    const first = sc.levels[0];
    const last = sc.levels.at(-1);
    const slowdown = sc.portcullis[first].opsPerSecond / sc.portcullis[last].opsPerSecond;
    console.log(
      `  [${verdict(slowdown <= AUTHORIZATION_TARGETS.flatSlowdown)}] Portcullis flat from ${first} to ${last.toLocaleString('en-US')} tenants (≤ ${AUTHORIZATION_TARGETS.flatSlowdown}× slowdown) — ${slowdown.toFixed(2)}×`,
    );
    if (sc.floor?.[first]) {
      // how much slower than the bare lookup at each end: the engine's own growth, memory factored out
      const overFloor = (n) => sc.floor[n].opsPerSecond / sc.portcullis[n].opsPerSecond;
      const floorSlowdown = sc.floor[first].opsPerSecond / sc.floor[last].opsPerSecond;
      const growth = overFloor(last) / overFloor(first);
      console.log(
        `  [${verdict(growth <= AUTHORIZATION_TARGETS.flatSlowdown)}] Portcullis flat against a bare lookup from ${first} to ${last.toLocaleString('en-US')} tenants (≤ ${AUTHORIZATION_TARGETS.flatSlowdown}×) — ${growth.toFixed(2)}× (the bare lookup itself slows down ${floorSlowdown.toFixed(2)}×; Portcullis costs ${overFloor(first).toFixed(2)}× its time at ${first}, ${overFloor(last).toFixed(2)}× at ${last.toLocaleString('en-US')})`,
      );
    }
  }
}

export function authorizationFailed(results) {
  return results.agreement.some((a) => a.failures.length > 0);
}
