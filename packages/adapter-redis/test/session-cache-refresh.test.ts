import { type Auth, createAuth, type KeyValue, silentLogger } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import { type TestClock, testClock } from '@portcullis/core/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceUrl } from '../../../test-support/test-services.js';
import { type RedisKeyValue, redisKeyValue } from '../src/index.js';

// The session cache's background refresh (issue 15) over real Redis: two instances share one
// database and one Redis; time is a test clock, so only the refresh can keep an entry fresh.
// The timer runs in real time (every l1TtlMs / 2); the tests wait for it, never assert timings.

const url = serviceUrl('Redis', 'PORTCULLIS_TEST_REDIS_URL');

const ORIGIN = 'http://localhost:3000';
const PASSWORD = 'correct horse battery staple';
const L1_TTL_MS = 100;
const opened: { auth: Auth[]; kv: RedisKeyValue[]; redis: Redis[] } = { auth: [], kv: [], redis: [] };

afterAll(async () => {
  await Promise.all(opened.auth.map((a) => a.close()));
  await Promise.all(opened.kv.map((k) => k.close()));
  for (const r of opened.redis) r.disconnect();
});

/** Counts `get` calls and started and finished `getMany` calls; `getMany` fails while `failBatchReads` is set. */
function instrumented(kv: KeyValue) {
  const stats = { gets: 0, batchReadsStarted: 0, batchReads: 0, failedBatchReads: 0, failBatchReads: false };
  const wrapped: KeyValue = {
    ...kv,
    get: (key) => {
      stats.gets += 1;
      return kv.get(key);
    },
    getMany: async (keys) => {
      stats.batchReadsStarted += 1;
      try {
        if (stats.failBatchReads) throw new Error('MGET failed');
        return await kv.getMany!(keys);
      } catch (error) {
        stats.failedBatchReads += 1;
        throw error;
      } finally {
        stats.batchReads += 1;
      }
    },
  };
  return { wrapped, stats };
}

const deaf = (kv: KeyValue): KeyValue => ({ ...kv, subscribe: async () => async () => {} });

function instance(storage: ReturnType<typeof memoryStorage>, prefix: string, clock: TestClock) {
  const redis = new Redis(url!, { maxRetriesPerRequest: 1 });
  const kv = redisKeyValue(redis, { keyPrefix: prefix });
  opened.kv.push(kv);
  opened.redis.push(redis);
  return (tweak: (kv: KeyValue) => KeyValue = (k) => k) => {
    const auth = createAuth({
      storage,
      keyValue: tweak(kv),
      clock,
      secret: 'test-secret-0123456789-abcdefghijklmnop',
      baseURL: ORIGIN,
      logger: silentLogger,
      outbox: { autoStart: false },
      rateLimit: { enabled: false },
      session: { cache: { l1TtlMs: L1_TTL_MS } },
    });
    opened.auth.push(auth);
    return { auth, redis };
  };
}

/** Instance `a` and instance `b` (deaf to invalidations unless `hearing`), with `b`'s store instrumented. */
async function cluster(options: { hearing?: boolean } = {}) {
  const storage = memoryStorage();
  const clock = testClock(new Date());
  const prefix = `pct:${Math.random().toString(36).slice(2)}:`;
  const a = instance(storage, prefix, clock)();
  let stats: ReturnType<typeof instrumented>['stats'] | undefined;
  const b = instance(
    storage,
    prefix,
    clock,
  )((kv) => {
    const counted = instrumented(options.hearing ? kv : deaf(kv));
    stats = counted.stats;
    return counted.wrapped;
  });
  await new Promise((r) => setTimeout(r, 50)); // let the subscriptions settle
  const signedUp = await a.auth.api.signUp({
    email: `refresh.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`,
    password: PASSWORD,
  });
  if ('pending' in signedUp) throw new Error('unexpected pending sign-up');
  const validateOnB = () => b.auth.api.validateSessionToken(signedUp.token);
  return { a, b, clock, stats: stats!, signedUp, validateOnB, prefix };
}

/**
 * Waits (real time) until `b` has finished a batched version read that began after `begun` reads
 * were started (refreshes run one at a time, so that is the first one to finish past those). A
 * refresh reads only when an entry was used since the previous one, so a caller that just used an
 * entry passes the count taken *before* that use: a refresh that started between the use and
 * this call (a timer firing late on a loaded machine) has already taken it.
 */
async function nextRefresh(
  stats: { batchReadsStarted: number; batchReads: number },
  begun = stats.batchReadsStarted,
) {
  if (!(await refreshedSince(stats, begun))) throw new Error('no background refresh ran');
}

/** True once a batched read that began after `begun` reads has finished; false after ~2 s. */
async function refreshedSince(stats: { batchReads: number }, begun: number): Promise<boolean> {
  const done = () => stats.batchReads > begun;
  for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
  return done();
}

/**
 * Validates on `b` until refused, letting one background refresh run between tries (the clock
 * stands still, so only a refresh or a message can make `b` refuse); false after three refreshes.
 *
 * A refresh already reading when `b` served the session may be the one that evicts it (it read
 * the new versions): the entry is then gone, the next refresh has nothing to read, and waiting
 * for it would wait forever. So a refresh that does not come is not an error here; the next try
 * tells (it is refused only if the entry was evicted: the test clock never reaches the TTL).
 */
async function refusedAfterRefreshes(
  validate: () => Promise<unknown>,
  stats: Parameters<typeof nextRefresh>[0],
): Promise<boolean> {
  for (let attempt = 0; attempt < 4; attempt++) {
    // a session still served counts as a use: the next refresh checks it
    const begun = stats.batchReadsStarted;
    if ((await validate()) === null) return true;
    if (attempt < 3) await refreshedSince(stats, begun);
  }
  return false;
}

describe.skipIf(!url)('session cache background refresh over Redis', () => {
  it('keeps serving a hot session with no version read on the request, long past the L1 TTL', async () => {
    const { clock, stats, validateOnB } = await cluster({ hearing: true });
    const filling = stats.batchReadsStarted;
    expect(await validateOnB()).not.toBeNull(); // fills B's cache
    await nextRefresh(stats, filling);
    const gets = stats.gets;
    for (let step = 0; step < 10; step++) {
      clock.advanceMs(L1_TTL_MS * 0.4); // 4× the TTL in all
      const begun = stats.batchReadsStarted;
      expect(await validateOnB()).not.toBeNull(); // a use, so the next refresh checks it
      await nextRefresh(stats, begun);
    }
    expect(stats.gets).toBe(gets); // every request was answered from memory
    expect(stats.failedBatchReads).toBe(0);
  });

  it('refuses a session revoked on another instance, with the message lost, before the TTL runs out', async () => {
    const { a, clock, stats, signedUp, validateOnB } = await cluster();
    expect(await validateOnB()).not.toBeNull();
    const revokedAt = clock.now().getTime();
    await a.auth.api.revokeSession(signedUp.user.id, signedUp.session.id);
    expect(await refusedAfterRefreshes(validateOnB, stats)).toBe(true);
    expect(clock.now().getTime() - revokedAt).toBeLessThan(L1_TTL_MS); // the test clock never moved
  });

  it('sees a flushed Redis at the next refresh', async () => {
    const { a, b, stats, signedUp, validateOnB, prefix } = await cluster();
    expect(await validateOnB()).not.toBeNull();
    await a.auth.api.revokeAllSessions(signedUp.user.id);
    // the flush takes the new versions and the cached entries alike
    const keys = await b.redis.keys(`${prefix}*`);
    if (keys.length) await b.redis.del(...keys);
    expect(await refusedAfterRefreshes(validateOnB, stats)).toBe(true);
  });

  it('falls back to the re-check on the request when the refresh fails', async () => {
    const { a, clock, stats, signedUp, validateOnB } = await cluster();
    expect(await validateOnB()).not.toBeNull();
    stats.failBatchReads = true;
    await a.auth.api.revokeSession(signedUp.user.id, signedUp.session.id);
    await nextRefresh(stats);
    expect(stats.failedBatchReads).toBeGreaterThan(0);
    expect(await validateOnB()).not.toBeNull(); // not checked since, but inside the TTL
    clock.advanceMs(L1_TTL_MS);
    expect(await validateOnB()).toBeNull(); // out of the TTL: checked on the request
  });
});
