import { setTimeout as sleep } from 'node:timers/promises';
import { sha256Hex } from '@portcullis/core/ports';
import { percentile } from '../lib/harness.js';
import { createCachedPortcullis, INVALIDATION_CHANNEL } from '../lib/portcullis.js';

/**
 * What one cached validation costs with a single call in flight, in µs. Every call is awaited
 * before the next starts, so nothing queues: the figure is the work of one validation. Means are
 * wall time ÷ calls; p50/p99 come from per-call timings in the same loop.
 *
 * - `cached`: `calls` sequential `auth.api.validateSessionToken(token)` on the Redis-cached
 *   instance over the seeded sessions, every one cached and re-checked just before (one pass
 *   over all tokens after `l1TtlMs`, then a short warm-up). Calls on an L1 entry younger than
 *   `l1TtlMs` touch neither Redis nor the database; `perOp` shows how many did not.
 * - `recheck`: after waiting `l1TtlMs`, one validation per session, each on an L1 entry that has
 *   aged out, so each re-checks the revocation versions in Redis (one GET) before it is served.
 *   A session in steady use pays this once per `l1TtlMs`, and L1 hits in between.
 * - `bare`: the work the cache cannot avoid, SHA-256 of the token and a Map lookup, awaited like
 *   the API call (the floor).
 * - for context, `contextCalls` sequential calls of the uncached Portcullis (one database query
 *   each) and of better-auth with Redis secondary storage.
 */
export async function benchCachedValidationCost(
  { portcullis, cached, betterAuthRedis },
  { calls, contextCalls },
) {
  const tokens = portcullis.users.map((u) => u.token);
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  const validate = (token) => cached.auth.api.validateSessionToken(token);
  // every entry re-checked just now (older than l1TtlMs before this pass), so the measured calls
  // start on a fresh L1; the ones that run past l1TtlMs re-check again, and perOp shows it
  await sleep(cached.l1TtlMs + 50);
  for (const token of tokens)
    if (!(await validate(token))) throw new Error('cached instance rejected a seeded session');
  const counted = async (name, count, warmup, op) => {
    const before = { ...cached.counters };
    const result = await sequential(name, count, warmup, op);
    result.perOp = Object.fromEntries(
      Object.entries(cached.counters).map(([k, v]) => [k, (v - before[k]) / (count + warmup)]),
    );
    return result;
  };

  const results = {};
  results.cached = await counted('Portcullis validateSessionToken, Redis cache, warm', calls, 2_000, () =>
    validate(pick(tokens)),
  );
  await sleep(cached.l1TtlMs + 50);
  let next = 0;
  results.recheck = await counted(
    `  … on an L1 entry older than ${cached.l1TtlMs} ms (re-check)`,
    tokens.length,
    0,
    () => validate(tokens[next++]),
  );
  const map = new Map(portcullis.users.map((u) => [u.tokenHash, u]));
  const bare = async (token) => map.get(sha256Hex(token));
  results.bare = await sequential('SHA-256 + Map.get, awaited (floor)', calls, 10_000, () =>
    bare(pick(tokens)),
  );
  results.uncached = await sequential('Portcullis validateSessionToken, database', contextCalls, 500, () =>
    portcullis.auth.api.validateSessionToken(pick(tokens)),
  );
  if (betterAuthRedis) {
    results.betterAuthRedis = await sequential('better-auth getSession, Redis', contextCalls, 500, () =>
      betterAuthRedis.auth.api.getSession({ headers: pick(betterAuthRedis.users).headers }),
    );
  }
  return results;
}

/** `calls` awaited one after another, after `warmup` more; every answer must be truthy. */
async function sequential(name, calls, warmup, op) {
  for (let i = 0; i < warmup; i++) {
    if (!(await op())) throw new Error(`${name}: no answer for a seeded session`);
  }
  globalThis.gc?.();
  const latencies = new Float64Array(calls);
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    const result = await op();
    latencies[i] = Number(process.hrtime.bigint() - t0) / 1e3;
    if (!result) throw new Error(`${name}: no answer for a seeded session`);
  }
  const totalUs = Number(process.hrtime.bigint() - start) / 1e3;
  latencies.sort();
  return {
    name,
    calls,
    seconds: totalUs / 1e6,
    meanUs: totalUs / calls,
    p50Us: percentile(latencies, 50),
    p99Us: percentile(latencies, 99),
    maxUs: latencies[calls - 1],
  };
}

/**
 * Revocation across instances: two more Portcullis instances, A and B, each with its own ioredis
 * client, on the same database and Redis. For each of `count` seeded sessions: B validates it
 * (so B has it cached in process), then A revokes it (`api.revokeSession`) while B is polled
 * every `pollMs` ms with `validateSessionToken` until it answers null. Latency runs from the
 * start of A's call to B's first rejection; `afterReturnMs` from the moment A's call returned.
 *
 * Then the same with a B that never hears pub/sub (`dropInvalidations`: as if every message were
 * lost) for `lostCount` sessions: it must still reject within its L1 TTL, through the revocation
 * versions alone.
 *
 * Uses seeded sessions from the end of the list; they stay revoked afterwards.
 */
export async function benchRevocation(database, redis, portcullis, { secret, baseURL }, settings) {
  const subscribedBefore = await redis.subscribers(INVALIDATION_CHANNEL);
  const [a, b, lost] = await Promise.all([
    createCachedPortcullis(database, redis, { secret, baseURL }),
    createCachedPortcullis(database, redis, { secret, baseURL }),
    createCachedPortcullis(database, redis, { secret, baseURL, dropInvalidations: true }),
  ]);
  try {
    // both must be subscribed before the first revocation; each instance subscribes on start
    const deadline = Date.now() + 5000;
    while ((await redis.subscribers(INVALIDATION_CHANNEL)) < subscribedBefore + 2) {
      if (Date.now() > deadline) throw new Error('instances A and B did not subscribe within 5 s');
      await sleep(10);
    }
    const users = portcullis.users.slice(-(settings.count + settings.lostCount));
    const viaPubSub = await revokeEach(a, b, users.slice(0, settings.count), settings.pollMs);
    const lostMessages = await revokeEach(a, lost, users.slice(settings.count), settings.pollMs);
    return { viaPubSub, lostMessages, l1TtlMs: b.l1TtlMs, pollMs: settings.pollMs };
  } finally {
    await Promise.all([a.close(), b.close(), lost.close()]);
  }
}

async function revokeEach(a, b, users, pollMs) {
  const totals = [];
  const afterReturn = [];
  const revokeCalls = [];
  for (const user of users) {
    // B caches the session: the first call fills its cache, the second is served from it
    for (let k = 0; k < 2; k++) {
      if (!(await b.auth.api.validateSessionToken(user.token)))
        throw new Error('instance B rejected a session before it was revoked');
    }
    const start = performance.now();
    let returnedAt;
    const revoke = a.auth.api.revokeSession(user.userId, user.sessionId).then(() => {
      returnedAt = performance.now();
    });
    let rejectedAt;
    while (performance.now() - start < 5000) {
      if ((await b.auth.api.validateSessionToken(user.token)) === null) {
        rejectedAt = performance.now();
        break;
      }
      await sleep(pollMs);
    }
    await revoke;
    if (rejectedAt === undefined) throw new Error('instance B still accepted a revoked session after 5 s');
    totals.push(rejectedAt - start);
    afterReturn.push(Math.max(0, rejectedAt - returnedAt));
    revokeCalls.push(returnedAt - start);
  }
  return {
    count: users.length,
    totalMs: stats(totals),
    afterReturnMs: stats(afterReturn),
    revokeCallMs: stats(revokeCalls),
  };
}

function stats(values) {
  const sorted = Float64Array.from(values).sort();
  return {
    p50: percentile(sorted, 50),
    max: sorted[sorted.length - 1],
    mean: sorted.reduce((s, x) => s + x, 0) / sorted.length,
  };
}
