import { afterEach, describe, expect, it } from 'vitest';
import { silentEventLogger } from '../src/logging/index.js';
import { memoryKeyValue } from '../src/memory/index.js';
import type { KeyValue } from '../src/ports/key-value.js';
import { createSessionCache, type SessionCache, type SessionWithUser } from '../src/sessions/index.js';
import { type TestClock, testClock } from '../src/testing/index.js';

// The background refresh of the session cache's L1 entries (issue 15), against the memory
// key-value store, driven by a test clock and direct calls of refreshVersions() instead of the
// timer. The same properties over real Redis and whole instances: adapter-redis's
// session-cache-refresh.test.ts.

const TTL_MS = 500;
const opened: SessionCache[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((cache) => cache.stop()));
});

/** A key-value store that counts reads and can fail them, flush, or hold `getMany` answers back. */
function instrumented(clock: TestClock) {
  let store = memoryKeyValue({ clock });
  const calls = { get: 0, getMany: 0 };
  const control = {
    failReads: false,
    /** Fail only `getMany` (as an MGET across Redis Cluster slots does). */
    failBatchReads: false,
    held: undefined as undefined | (() => void),
    /** Hold the next `getMany` back, before or after it reads the store. */
    holdNextGetMany: false as false | 'before read' | 'after read',
  };
  const kv: KeyValue = {
    get: (key) => {
      calls.get += 1;
      if (control.failReads) return Promise.reject(new Error('store unreachable'));
      return store.get(key);
    },
    getMany: async (keys) => {
      calls.getMany += 1;
      if (control.failReads) throw new Error('store unreachable');
      if (control.failBatchReads) throw new Error('CROSSSLOT');
      const hold = control.holdNextGetMany;
      control.holdNextGetMany = false;
      const held = () =>
        new Promise<void>((resolve) => {
          control.held = resolve;
        });
      if (hold === 'before read') await held();
      const values = await store.getMany!(keys);
      if (hold === 'after read') await held();
      return values;
    },
    set: (...args) => store.set(...args),
    setIfAbsent: (...args) => store.setIfAbsent(...args),
    delete: (key) => store.delete(key),
    increment: (...args) => store.increment(...args),
    ttl: (key) => store.ttl(key),
    getAndDelete: (key) => store.getAndDelete(key),
    // pub/sub goes to a store nobody flushes: only the data is lost in a flush
    publish: (...args) => pubSub.publish(...args),
    subscribe: (...args) => pubSub.subscribe(...args),
  };
  const pubSub = memoryKeyValue({ clock });
  /** Loses every key, as FLUSHALL would. */
  const flush = () => {
    store = memoryKeyValue({ clock });
  };
  return { kv, calls, control, flush };
}

function cacheOver(kv: KeyValue, clock: TestClock) {
  const cache = createSessionCache(
    kv,
    { clock, logger: silentEventLogger, instanceId: Math.random().toString(36).slice(2) },
    { l1TtlMs: TTL_MS, l1MaxEntries: 100, l2TtlSeconds: 300 },
  );
  opened.push(cache);
  return cache;
}

function sessionOf(
  clock: TestClock,
  userId = `user-${Math.random().toString(36).slice(2)}`,
): SessionWithUser {
  const now = clock.now();
  const day = 86_400_000;
  return {
    session: {
      id: `session-${userId}`,
      userId,
      tenantId: 'tenant-1',
      tokenHash: `hash-${userId}`,
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: new Date(now.getTime() + day),
      expiresAt: new Date(now.getTime() + 30 * day),
      revokedAt: null,
      revokedReason: null,
      ip: null,
      userAgent: null,
      amr: ['pwd'],
      authTime: { pwd: Math.floor(now.getTime() / 1000) },
    },
    user: {
      id: userId,
      tenantId: null,
      email: `${userId}@example.com`,
      emailVerifiedAt: null,
      name: null,
      status: 'active',
      createdAt: now,
      updatedAt: now,
    },
  };
}

/** Fills the cache as the session service does: versions first, then the entry. */
async function fill(cache: SessionCache, value: SessionWithUser) {
  const versions = await cache.readVersions({ userId: value.user.id, tenantId: value.session.tenantId });
  if (versions === undefined) throw new Error('the store did not answer');
  await cache.set(value.session.tokenHash, value, versions);
}

const peek = (cache: SessionCache, value: SessionWithUser, clock: TestClock) =>
  cache.peek(value.session.tokenHash, clock.now().getTime());

describe('session cache background refresh', () => {
  it('keeps a hot entry served from memory with one batched version read per refresh, none per request', async () => {
    const clock = testClock();
    const { kv, calls } = instrumented(clock);
    const cache = cacheOver(kv, clock);
    const hot = [sessionOf(clock), sessionOf(clock), sessionOf(clock)];
    for (const value of hot) await fill(cache, value);
    const readsAfterFill = calls.get;

    // 5 s of use, far past the 500 ms TTL, with a refresh every 250 ms as the timer would run it
    for (let step = 0; step < 20; step++) {
      clock.advanceMs(TTL_MS / 2);
      for (const value of hot) expect(peek(cache, value, clock)).toBe(value);
      await cache.refreshVersions();
    }
    expect(calls.get).toBe(readsAfterFill); // no per-request (or per-entry) version read
    expect(calls.getMany).toBe(20); // one round trip per refresh, for all three entries
  });

  it('leaves entries nobody used to age out instead of refreshing them', async () => {
    const clock = testClock();
    const { kv, calls } = instrumented(clock);
    const cache = cacheOver(kv, clock);
    const idle = sessionOf(clock);
    await fill(cache, idle);
    await cache.refreshVersions(); // the fill counts as a use
    expect(calls.getMany).toBe(1);
    clock.advanceMs(TTL_MS / 2);
    await cache.refreshVersions();
    expect(calls.getMany).toBe(1); // nothing used since: no read at all
    clock.advanceMs(TTL_MS / 2);
    expect(peek(cache, idle, clock)).toBeUndefined(); // too old for the fast path
  });

  it('refuses a session revoked on another instance within the TTL when the invalidation message is lost', async () => {
    const clock = testClock();
    const { kv } = instrumented(clock);
    const deaf: KeyValue = { ...kv, subscribe: async () => async () => {} };
    const revoker = cacheOver(kv, clock);
    const server = cacheOver(deaf, clock);
    await Promise.all([revoker.start(), server.start()]);
    const value = sessionOf(clock);
    await fill(server, value);
    await server.refreshVersions();

    clock.advanceMs(100);
    expect(peek(server, value, clock)).toBe(value); // used, so the next refresh checks it
    await revoker.revoked({ userIds: [value.user.id] });
    clock.advanceMs(150); // the next refresh, well inside the TTL
    await server.refreshVersions();
    expect(peek(server, value, clock)).toBeUndefined();
    expect(await server.get(value.session.tokenHash)).toBeUndefined(); // evicted, not just stale
  });

  it('sees a flushed store at the next refresh', async () => {
    const clock = testClock();
    const { kv, flush } = instrumented(clock);
    const cache = cacheOver(kv, clock);
    const value = sessionOf(clock);
    await fill(cache, value);
    flush();
    clock.advanceMs(10);
    await cache.refreshVersions();
    expect(peek(cache, value, clock)).toBeUndefined();
    expect(await cache.get(value.session.tokenHash)).toBeUndefined();
  });

  it('falls back to the request re-check when a refresh fails, which still sees a revocation', async () => {
    const clock = testClock();
    const { kv, calls, control } = instrumented(clock);
    const deaf: KeyValue = { ...kv, subscribe: async () => async () => {} };
    const revoker = cacheOver(kv, clock);
    const server = cacheOver(deaf, clock);
    const value = sessionOf(clock);
    await fill(server, value);

    control.failReads = true;
    clock.advanceMs(TTL_MS / 2);
    await server.refreshVersions();
    expect(peek(server, value, clock)).toBe(value); // still inside the TTL of its last check
    clock.advanceMs(TTL_MS / 2);
    expect(peek(server, value, clock)).toBeUndefined(); // the failed refresh checked nothing

    // the store answers again, but the refresh is late: the request reads the versions itself
    control.failReads = false;
    const reads = calls.get;
    expect(await server.get(value.session.tokenHash)).toBe(value);
    expect(calls.get).toBeGreaterThan(reads);

    await revoker.revoked({ userIds: [value.user.id] }); // the message never reaches `server`
    control.failReads = true;
    await server.refreshVersions();
    control.failReads = false;
    clock.advanceMs(TTL_MS);
    expect(peek(server, value, clock)).toBeUndefined();
    expect(await server.get(value.session.tokenHash)).toBeUndefined();
  });

  it('checks at the next refresh the entries a failed refresh could not', async () => {
    const clock = testClock();
    const { kv, calls, control } = instrumented(clock);
    const cache = cacheOver(kv, clock);
    const value = sessionOf(clock);
    await fill(cache, value);
    control.failReads = true;
    clock.advanceMs(TTL_MS / 2);
    await cache.refreshVersions();
    control.failReads = false;
    clock.advanceMs(TTL_MS / 4);
    await cache.refreshVersions(); // no request used it in between
    expect(calls.getMany).toBe(2);
    clock.advanceMs(TTL_MS / 2);
    expect(peek(cache, value, clock)).toBe(value); // checked 250 ms ago by the second refresh
  });

  it('keeps the cache working when only batched reads fail: requests re-check, the store is not marked down', async () => {
    const clock = testClock();
    const { kv, calls, control } = instrumented(clock);
    const cache = cacheOver(kv, clock);
    const value = sessionOf(clock);
    await fill(cache, value);
    control.failBatchReads = true;
    for (let i = 0; i < 5; i++) {
      expect(peek(cache, value, clock)).toBe(value);
      await cache.refreshVersions();
    }
    clock.advanceMs(TTL_MS);
    expect(peek(cache, value, clock)).toBeUndefined();
    const reads = calls.get;
    expect(await cache.get(value.session.tokenHash)).toBe(value); // re-checked with single reads
    expect(calls.get).toBeGreaterThan(reads);
  });

  it('counts a refreshed entry as checked from when the read began, not when it answered', async () => {
    const clock = testClock();
    const { kv, control } = instrumented(clock);
    const cache = cacheOver(kv, clock);
    const value = sessionOf(clock);
    await fill(cache, value);
    clock.advanceMs(100);
    control.holdNextGetMany = 'after read';
    const refreshing = cache.refreshVersions();
    await waitFor(() => control.held !== undefined);
    clock.advanceMs(350); // the answer is slow
    control.held!();
    await refreshing;
    clock.advanceMs(TTL_MS - 350);
    // checked at +100 ms: at +600 ms its check is 500 ms old
    expect(peek(cache, value, clock)).toBeUndefined();
  });

  it('leaves alone an entry filled again while a refresh was out', async () => {
    const clock = testClock();
    const { kv, control } = instrumented(clock);
    const cache = cacheOver(kv, clock);
    const value = sessionOf(clock);
    await fill(cache, value);
    control.holdNextGetMany = 'before read';
    const refreshing = cache.refreshVersions();
    await waitFor(() => control.held !== undefined);
    // before the read runs: a revocation (new versions, the entry evicted), then a new fill
    await cache.revoked({ userIds: [value.user.id] });
    expect(peek(cache, value, clock)).toBeUndefined();
    const again = sessionOf(clock, value.user.id);
    await fill(cache, again);
    control.held!();
    await refreshing;
    // the answer no longer matches the entry the refresh picked, which is gone; the new entry,
    // tagged with those same new versions, stays served
    expect(peek(cache, again, clock)).toBe(again);
  });
});

async function waitFor(condition: () => boolean) {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition never held');
}
