import { apiKey as betterAuthApiKey } from '@better-auth/api-key';
import { setUpBetterAuth } from '../lib/better-auth.js';
import { compareInterleaved, perRoundRatio } from '../lib/harness.js';
import { createPortcullis, PORTCULLIS_TABLE_PREFIX, setUpPortcullis } from '../lib/portcullis.js';

const GOALS = {
  cachedPerSecond: 100_000, // cached verification ≥ 100,000/s
  cachedVsBetterAuth: 5, // cached ≥ 5× better-auth's verifyApiKey on the same database
  floorFactor: 2, // uncached on PostgreSQL within 2× of a raw primary-key select
};
const KEY_PERMISSIONS = ['tenant.read', 'member.read']; // what a read-only integration holds
const DAY_MS = 86_400_000;
/**
 * better-auth's per-key rate limiting is on by default (10 requests a day per key): kept on, so
 * its verification takes its default path (a guarded increment of `requestCount`), with a
 * maximum no run reaches, so that no verification is refused.
 */
const BETTER_AUTH_API_KEY_OPTIONS = {
  rateLimit: { enabled: true, maxRequests: 1_000_000_000, timeWindow: DAY_MS },
};

/**
 * API-key verification on one database, the cases interleaved (`lib/harness.js`):
 *
 * - raw PK select: `SELECT * FROM bench_pc_api_keys WHERE id = ?` through the same Kysely
 *   instance and pool, a random seeded key per call: the floor for an uncached verification;
 * - Portcullis `auth.api.verifyApiKey(key, { environment: 'live' })`, cached: its defaults
 *   (verified keys kept in process for `apiKeys.cacheTtlSeconds`, 10 s);
 * - the same, uncached: another instance on the same tables with `apiKeys.cacheTtlSeconds: 0`;
 * - with `betterAuth` (PostgreSQL): better-auth's `auth.api.verifyApiKey({ body: { key } })`
 *   from `@better-auth/api-key`, its defaults (database storage, per-key rate limiting on; see
 *   {@link BETTER_AUTH_API_KEY_OPTIONS}).
 *
 * Each library has `owners` users, each owning `keysPerOwner` keys (Portcullis: in a tenant of
 * the owner's, user-owned, `live`); every call picks one at random and must verify it.
 *
 * Then the writes: each library's verifications run again, `countCalls` of them, while the
 * database counts what it is sent (PostgreSQL: every statement of the pool by kind and the rows
 * the writing ones changed, `countPoolStatements` in `lib/databases.js`; SQLite: rows changed,
 * `total_changes()`). Portcullis writes each key's last use later, in one batch a minute and at
 * `close()`: a fresh instance (the cached one warmed first, every key verified once) verifies,
 * then closes, and that flush is counted apart.
 *
 * @param {import('../lib/databases.js').BenchDatabase} database
 * @param {{ owners: number, keysPerOwner: number, countCalls: number, password: string, secret: string, baseURL: string, betterAuth: boolean }} options
 * @param {{ concurrency: number, warmupMs: number, rounds: number, roundMs: number }} settings
 */
export async function benchApiKeyVerification(database, options, settings, log) {
  const { db } = database;
  const seedStart = Date.now();
  const portcullis = await seedPortcullis(database, options);
  const uncached = createPortcullis(database, { ...options, config: { apiKeys: { cacheTtlSeconds: 0 } } });
  if (uncached.auth.config.apiKeys.cacheTtlSeconds !== 0) throw new Error('the uncached instance caches');
  const betterAuth = options.betterAuth ? await seedBetterAuth(database, options) : null;
  log(
    `${database.label}: seeded ${portcullis.keys.length.toLocaleString('en-US')} keys per library in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`,
  );

  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  const mustVerify = (what) => (result) => {
    if (!result?.principal?.id && result?.valid !== true)
      throw new Error(`${what} did not verify a seeded key`);
  };
  const cases = [
    {
      key: 'floor',
      name: `raw PK select (${PORTCULLIS_TABLE_PREFIX}api_keys by id)`,
      op: () =>
        db
          .selectFrom(`${PORTCULLIS_TABLE_PREFIX}api_keys`)
          .selectAll()
          .where('id', '=', pick(portcullis.keys).id)
          .executeTakeFirst(),
      check: (row) => {
        if (!row) throw new Error('raw PK select found no row for a seeded key');
      },
    },
    {
      key: 'cached',
      name: 'Portcullis api.verifyApiKey, cached (default)',
      op: () => portcullis.auth.api.verifyApiKey(pick(portcullis.keys).key, { environment: 'live' }),
      check: mustVerify('Portcullis verifyApiKey (cached)'),
    },
    {
      key: 'uncached',
      name: 'Portcullis api.verifyApiKey, cacheTtlSeconds: 0',
      op: () => uncached.auth.api.verifyApiKey(pick(portcullis.keys).key, { environment: 'live' }),
      check: mustVerify('Portcullis verifyApiKey (uncached)'),
    },
  ];
  if (betterAuth) {
    cases.push({
      key: 'betterAuth',
      name: 'better-auth api.verifyApiKey({ body: { key } })',
      op: () => betterAuth.auth.api.verifyApiKey({ body: { key: pick(betterAuth.keys) } }),
      check: mustVerify('better-auth verifyApiKey'),
    });
  }
  // each verified once: the cached instance starts warm, as after its first minute in production
  for (const { key } of portcullis.keys) await portcullis.auth.api.verifyApiKey(key);

  const results = await compareInterleaved(cases, settings);
  for (const c of cases) log(caseLine(database.label, c.name, results[c.key]));
  // their last uses are written now, before the writes are counted
  await portcullis.close();
  await uncached.close();

  log(
    `${database.label}: database writes per verification (${options.countCalls.toLocaleString('en-US')} verifications each, ${settings.concurrency} in flight)`,
  );
  const writes = {};
  for (const [name, cacheTtlSeconds] of [
    ['cached', undefined],
    ['uncached', 0],
  ]) {
    const fresh = createPortcullis(database, {
      ...options,
      config: cacheTtlSeconds === undefined ? {} : { apiKeys: { cacheTtlSeconds } },
    });
    // the cached one warmed as the measured one was: every key verified once
    if (name === 'cached') for (const { key } of portcullis.keys) await fresh.auth.api.verifyApiKey(key);
    writes[name] = await countWrites(database, options.countCalls, settings.concurrency, {
      verify: () => fresh.auth.api.verifyApiKey(pick(portcullis.keys).key, { environment: 'live' }),
      check: mustVerify('Portcullis verifyApiKey'),
      afterwards: () => fresh.close(),
    });
    log(writesLine(database.label, cases.find((c) => c.key === name).name, writes[name]));
  }
  if (betterAuth) {
    writes.betterAuth = await countWrites(database, options.countCalls, settings.concurrency, {
      verify: () => betterAuth.auth.api.verifyApiKey({ body: { key: pick(betterAuth.keys) } }),
      check: mustVerify('better-auth verifyApiKey'),
    });
    log(writesLine(database.label, cases.at(-1).name, writes.betterAuth));
  }
  return { label: database.label, results, writes };
}

/**
 * Portcullis's users ({@link setUpPortcullis}), each the owner of a tenant of its own (created
 * through `auth.api.createTenant`) holding `keysPerOwner` user-owned `live` keys made by
 * `auth.api.createApiKey`: `keys` lists `{ id, key }`.
 */
async function seedPortcullis(database, { owners, keysPerOwner, password, secret, baseURL }) {
  const seeded = await setUpPortcullis(database, { userCount: owners, password, secret, baseURL });
  const keys = [];
  for (const [i, user] of seeded.users.entries()) {
    const tenant = await seeded.auth.api.createTenant(user.userId, {
      slug: `bench-keys-${i}`,
      name: `Bench keys ${i}`,
    });
    for (let k = 0; k < keysPerOwner; k++) {
      const created = await seeded.auth.api.createApiKey(tenant.id, user.userId, {
        name: `bench key ${k}`,
        environment: 'live',
        permissions: KEY_PERMISSIONS,
      });
      keys.push({ id: created.apiKey.id, key: created.key });
    }
  }
  return { ...seeded, keys };
}

/**
 * better-auth with `@better-auth/api-key` ({@link BETTER_AUTH_API_KEY_OPTIONS}) on the same
 * database (its table `apikey`, migrated by `getMigrations` with its other tables), `owners`
 * users each owning `keysPerOwner` keys made by `auth.api.createApiKey`: `keys` lists the keys.
 */
async function seedBetterAuth(database, { owners, keysPerOwner, password, secret, baseURL }) {
  const seeded = await setUpBetterAuth(database, {
    userCount: owners,
    password,
    secret,
    baseURL,
    config: { plugins: [betterAuthApiKey(BETTER_AUTH_API_KEY_OPTIONS)] },
  });
  const keys = [];
  for (const user of seeded.users) {
    for (let k = 0; k < keysPerOwner; k++) {
      const created = await seeded.auth.api.createApiKey({
        body: { userId: user.userId, name: `bench${k}` },
      });
      keys.push(created.key);
    }
  }
  return { ...seeded, keys };
}

/**
 * Runs `calls` verifications, `concurrency` at a time, and what the database was sent meanwhile;
 * then `afterwards` (Portcullis's `close()`, which writes the last uses it gathered), counted
 * apart. Nothing else uses the database while it counts.
 */
async function countWrites(database, calls, concurrency, { verify, check, afterwards }) {
  check(await verify()); // connected and started: what an instance does once is not counted
  const read = () =>
    database.statements?.read() ?? { statements: {}, rowsWritten: database.rowsWritten?.() ?? 0 };
  const before = read();
  let started = 0;
  const worker = async () => {
    while (started < calls) {
      started++;
      check(await verify());
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const during = difference(read(), before);
  const flushBefore = read();
  await afterwards?.();
  const flush = afterwards ? difference(read(), flushBefore) : null;
  return { calls, during, flush };
}

function difference(after, before) {
  const statements = {};
  for (const [kind, n] of Object.entries(after.statements))
    if (n - (before.statements[kind] ?? 0) > 0) statements[kind] = n - (before.statements[kind] ?? 0);
  return { statements, rowsWritten: after.rowsWritten - before.rowsWritten };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const perCall = (n, calls) => (n / calls).toFixed(n === 0 ? 0 : 2);

function caseLine(db, name, r) {
  return `  ${db.padEnd(10)} ${name.padEnd(52)} ${fmt(r.opsPerSecond).padStart(9)} ops/s   p50 ${r.p50Ms.toFixed(3)} ms   p99 ${r.p99Ms.toFixed(3)} ms   (${r.ops} ops)`;
}

function writesLine(db, name, { calls, during, flush }) {
  const kinds = Object.entries(during.statements)
    .map(([kind, n]) => `${perCall(n, calls)} ${kind}`)
    .join(', ');
  const statements = kinds ? `; statements per verification: ${kinds}` : '';
  const afterwards = flush
    ? `; then close() wrote ${flush.rowsWritten} row(s)${
        Object.keys(flush.statements).length
          ? ` in ${Object.entries(flush.statements)
              .map(([k, n]) => `${n} ${k}`)
              .join(', ')}`
          : ''
      } (the last use of every key it saw; written once a minute)`
    : '';
  return `  ${db.padEnd(10)} ${name.padEnd(52)} rows written per verification: ${perCall(during.rowsWritten, calls)}${statements}${afterwards}`;
}

/** Ratio and goal lines for {@link benchApiKeyVerification}'s results (one per database). */
export function apiKeyLines(all) {
  const lines = ['', 'Ratios (throughput; median of the per-round ratios, range, ratio of the totals)'];
  const pct = (r) =>
    `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)}×; totals ${r.total.toFixed(2)}×)`;
  for (const { label, results: r } of all) {
    if (r.betterAuth)
      lines.push(
        `  ${label.padEnd(10)} cached / better-auth = ${pct(perRoundRatio(r.cached, r.betterAuth))}`,
      );
    lines.push(`  ${label.padEnd(10)} raw PK select / uncached = ${pct(perRoundRatio(r.floor, r.uncached))}`);
    lines.push(`  ${label.padEnd(10)} cached / uncached = ${pct(perRoundRatio(r.cached, r.uncached))}`);
  }
  lines.push('', 'Goals');
  const verdict = (ok) => (ok ? 'met' : 'NOT met');
  for (const { label, results: r, writes } of all) {
    lines.push(
      `  [${verdict(r.cached.opsPerSecond >= GOALS.cachedPerSecond)}] ${label}: cached ≥ ${fmt(GOALS.cachedPerSecond)}/s — ${fmt(r.cached.opsPerSecond)}/s`,
    );
    if (r.betterAuth) {
      const x = perRoundRatio(r.cached, r.betterAuth).median;
      lines.push(
        `  [${verdict(x >= GOALS.cachedVsBetterAuth)}] ${label}: cached ≥ ${GOALS.cachedVsBetterAuth}× better-auth's verifyApiKey — ${x.toFixed(2)}×`,
      );
    }
    if (label === 'PostgreSQL') {
      const x = perRoundRatio(r.floor, r.uncached).median;
      lines.push(
        `  [${verdict(x <= GOALS.floorFactor)}] ${label}: uncached within ${GOALS.floorFactor}× of a raw PK select — the select is ${x.toFixed(2)}× faster`,
      );
    }
    for (const name of ['cached', 'uncached']) {
      const w = writes[name];
      lines.push(
        `  [${verdict(w.during.rowsWritten === 0)}] ${label}: 0 database writes per verification (${name}) — ${perCall(w.during.rowsWritten, w.calls)} rows per verification`,
      );
    }
    if (writes.betterAuth)
      lines.push(
        `  (better-auth on ${label}: ${perCall(writes.betterAuth.during.rowsWritten, writes.betterAuth.calls)} rows written per verification)`,
      );
  }
  return lines;
}
