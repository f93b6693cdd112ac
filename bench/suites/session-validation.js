import { compareInterleaved } from '../lib/harness.js';

/** The user columns Portcullis's Kysely session store selects with the session. */
const USER_COLUMNS = [
  'id',
  'tenant_id',
  'email',
  'email_verified_at',
  'name',
  'status',
  'created_at',
  'updated_at',
];

/**
 * Cookie → user, on one database: the raw primary-key lookup (the floor), the same join
 * Portcullis's store runs (session ⋈ user by token hash, active only), written by hand with the
 * same Kysely calls but no library around it (informational: it separates the cost of the query
 * from the cost of the library), Portcullis `auth.api.getSession(headers)` and better-auth
 * `auth.api.getSession({ headers })`. Every case picks a random seeded session per call; the cases run interleaved.
 *
 * With `redis` (`{ portcullis, betterAuth }` from `createCachedPortcullis` and
 * `setUpBetterAuthRedis`), two more cases run interleaved with the others: Portcullis with its
 * Redis-backed session cache (every session cached once beforehand, as better-auth's sessions
 * are already in Redis) and better-auth with Redis as secondary storage. Their results carry
 * `perOp`: Redis commands and database lookups per call, warm-up included.
 *
 * @param {import('../lib/databases.js').BenchDatabase} database
 */
export async function benchSessionValidation(database, portcullis, betterAuth, settings, onResult, redis) {
  const { db } = database;
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  const nowParam = () => (database.name === 'sqlite' ? Date.now() : new Date());
  const mustFind = (what) => (row) => {
    if (!row) throw new Error(`${what} found no row for a seeded session`);
  };
  const mustFindUser = (what) => (result) => {
    if (!result?.user?.id) throw new Error(`${what} returned no user for a seeded session`);
  };

  const cases = [
    {
      key: 'floor',
      name: `raw PK select (${portcullis.sessionsTable} by id)`,
      op: () =>
        db
          .selectFrom(portcullis.sessionsTable)
          .selectAll()
          .where('id', '=', pick(portcullis.users).sessionId)
          .executeTakeFirst(),
      check: mustFind('raw PK select'),
    },
    {
      key: 'join',
      name: 'raw session⋈user by token hash',
      op: () => {
        const now = nowParam();
        return db
          .selectFrom(`${portcullis.sessionsTable} as s`)
          .innerJoin(`${portcullis.usersTable} as u`, 'u.id', 's.user_id')
          .selectAll('s')
          .select(USER_COLUMNS.map((column) => `u.${column} as u_${column}`))
          .where('s.token_hash', '=', pick(portcullis.users).tokenHash)
          .where('s.revoked_at', 'is', null)
          .where('s.expires_at', '>', now)
          .where('s.idle_expires_at', '>', now)
          .executeTakeFirst();
      },
      check: mustFind('raw join'),
    },
    {
      key: 'portcullis',
      name: 'Portcullis api.getSession(headers)',
      op: () => portcullis.auth.api.getSession(pick(portcullis.users).headers),
      check: mustFindUser('Portcullis getSession'),
    },
    {
      key: 'betterAuth',
      name: 'better-auth api.getSession({ headers })',
      op: () => betterAuth.auth.api.getSession({ headers: pick(betterAuth.users).headers }),
      check: mustFindUser('better-auth getSession'),
    },
  ];
  const counted = [];
  if (redis) {
    const cachedCase = {
      key: 'portcullisCached',
      name: 'Portcullis api.getSession(headers), Redis cache',
      op: () => redis.portcullis.auth.api.getSession(pick(portcullis.users).headers),
      check: mustFindUser('Portcullis getSession with the Redis cache'),
      counters: redis.portcullis.counters,
    };
    const betterAuthCase = {
      key: 'betterAuthRedis',
      name: 'better-auth api.getSession({ headers }), Redis',
      op: () => redis.betterAuth.auth.api.getSession({ headers: pick(redis.betterAuth.users).headers }),
      check: mustFindUser('better-auth getSession with Redis secondary storage'),
      counters: redis.betterAuth.counters,
    };
    // steady state, as better-auth's sessions already sit in Redis: every session cached once
    // (a miss reads the database twice, see session-service.ts), before the counting starts
    for (const u of portcullis.users) cachedCase.check(await redis.portcullis.auth.api.getSession(u.headers));
    for (const c of [cachedCase, betterAuthCase]) counted.push(countCalls(c));
    cases.splice(3, 0, cachedCase);
    cases.push(betterAuthCase);
  }

  const results = await compareInterleaved(cases, settings);
  for (const c of counted) results[c.key].perOp = c.perOp();
  for (const c of cases) onResult({ db: database.label, name: c.name, result: results[c.key] });
  return results;
}

/** Wraps `c.op` to count its calls, so `perOp()` can divide the counters' growth by them. */
function countCalls(c) {
  const op = c.op;
  const before = { ...c.counters };
  let calls = 0;
  c.op = (i) => {
    calls++;
    return op(i);
  };
  return {
    key: c.key,
    perOp: () =>
      Object.fromEntries(
        Object.entries(c.counters).map(([k, v]) => [k, (v - before[k]) / Math.max(1, calls)]),
      ),
  };
}
