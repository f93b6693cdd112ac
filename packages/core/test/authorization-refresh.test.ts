import { describe, expect, it } from 'vitest';
import { createAuthorizationCache } from '../src/authorization/index.js';
import type { Authorizer } from '../src/authorization/public.js';
import { silentEventLogger } from '../src/logging/index.js';
import type { Membership } from '../src/memberships/memberships.js';
import { memoryKeyValue, memoryStorage } from '../src/memory/index.js';
import type { KeyValue } from '../src/ports/key-value.js';
import type { Storage } from '../src/ports/storage.js';
import { PASSWORD, testAuth, uniqueEmail } from './support.js';

// Real time here: the background refresh runs on timers. Windows are wide (an entry is trusted
// 2 s, checked again from 1 s) so that a loaded machine does not make a hot entry expire.
const TTL_MS = 2000;

/** Records each call of every store method, by `store.method`. */
function countingStorage(inner: Storage = memoryStorage()) {
  const calls: string[] = [];
  const counted = { ...inner } as Record<string, unknown>;
  for (const [name, store] of Object.entries(inner)) {
    if (typeof store !== 'object' || store === null) continue;
    counted[name] = new Proxy(store, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(`${name}.${String(key)}`);
          return value.apply(target, args);
        };
      },
    });
  }
  return { storage: counted as unknown as Storage, calls };
}

/**
 * A key-value store over `inner` that records its calls, can drop every pub/sub message
 * (`dropMessages`) and can fail every read and write (`failing`).
 */
function controlledKeyValue(inner: KeyValue, options: { dropMessages?: boolean } = {}) {
  const calls: string[] = [];
  const control = { failing: false };
  const kv: KeyValue = {
    get: (key) => run('get', () => inner.get(key)),
    getMany: (keys) => run('getMany', () => inner.getMany!(keys)),
    set: (key, value, o) => run('set', () => inner.set(key, value, o)),
    setIfAbsent: (key, value, o) => run('setIfAbsent', () => inner.setIfAbsent(key, value, o)),
    delete: (key) => run('delete', () => inner.delete(key)),
    increment: (key, o) => run('increment', () => inner.increment(key, o)),
    ttl: (key) => run('ttl', () => inner.ttl(key)),
    getAndDelete: (key) => run('getAndDelete', () => inner.getAndDelete(key)),
    publish: (channel, message) =>
      options.dropMessages ? Promise.resolve() : inner.publish(channel, message),
    subscribe: (channel, handler) => inner.subscribe(channel, handler),
  };
  function run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    calls.push(operation);
    return control.failing ? Promise.reject(new Error('key-value store down')) : call();
  }
  return { kv, calls, control };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An instance, a tenant with an owner and a member (`viewer`); `tenant.read` is allowed to the member. */
async function setUp(options: { storage?: Storage; keyValue?: KeyValue }) {
  const { auth, client } = testAuth({
    ...(options.storage ? { storage: options.storage } : {}),
    ...(options.keyValue ? { keyValue: options.keyValue } : {}),
    authorization: { revalidateAfterMs: TTL_MS },
  });
  const owner = await client.signUp(uniqueEmail('owner'));
  const slug = `refresh-${Math.random().toString(36).slice(2, 10)}`;
  const tenant = await client.post('/tenants', { slug, name: 'Refresh', userPool: 'isolated' }, owner.cookie);
  const member = await client.post('/signup', {
    email: uniqueEmail('member'),
    password: PASSWORD,
    tenant: slug,
  });
  return {
    auth,
    ownerId: owner.body.user.id as string,
    memberId: member.body.user.id as string,
    tenantId: tenant.body.id as string,
  };
}

/** What the synchronous path reads; the background refresh reads only in batches. */
const REQUEST_PATH_STORAGE = ['memberships.find', 'authorizationVersions.getVersions', 'roles.listByTenant'];
const REQUEST_PATH_KV = ['get', 'setIfAbsent'];

/** Takes away `tenant.read` from the viewer role, through `by`. */
async function demoteViewers(by: Awaited<ReturnType<typeof setUp>>) {
  const viewer = (await by.auth.api.listRoles(by.tenantId, by.ownerId)).find((r) => r.key === 'viewer')!;
  await by.auth.api.updateRole(by.tenantId, by.ownerId, viewer.id, { permissions: ['member.read'] });
}

/** Asks until denied; fails after `withinMs`. */
async function deniedWithin(ask: () => Promise<{ allowed: boolean }>, withinMs: number) {
  const started = Date.now();
  while ((await ask()).allowed) {
    if (Date.now() - started > withinMs) throw new Error(`still allowed after ${withinMs} ms`);
    await sleep(10);
  }
  return Date.now() - started;
}

describe('background refresh of cached authorization', () => {
  it('decides a member revisited after more than the window with no request-path storage or key-value call', async () => {
    const { storage, calls: storageCalls } = countingStorage();
    const { kv, calls: kvCalls } = controlledKeyValue(memoryKeyValue());
    const { auth, memberId, tenantId } = await setUp({ storage, keyValue: kv });
    const ask = () => auth.api.authorize({ userId: memberId, tenantId, action: 'tenant.read' });
    expect((await ask()).allowed).toBe(true);
    storageCalls.length = 0;
    kvCalls.length = 0;
    for (let round = 0; round < 2; round++) {
      await sleep(TTL_MS + 300); // longer than an entry is trusted without a check
      expect((await ask()).allowed).toBe(true);
    }
    expect(storageCalls.filter((c) => REQUEST_PATH_STORAGE.includes(c))).toEqual([]);
    expect(kvCalls.filter((c) => REQUEST_PATH_KV.includes(c))).toEqual([]);
    // kept fresh by the refresh's batched reads of the versions
    expect(kvCalls).toContain('getMany');
    await auth.close();
  }, 20_000);

  it('without a key-value store, keeps entries fresh with one batched read of the tenants’ versions', async () => {
    const { storage, calls } = countingStorage();
    const { auth, memberId, tenantId } = await setUp({ storage });
    const ask = () => auth.api.authorize({ userId: memberId, tenantId, action: 'tenant.read' });
    expect((await ask()).allowed).toBe(true);
    calls.length = 0;
    await sleep(TTL_MS + 300);
    expect((await ask()).allowed).toBe(true);
    expect(calls.filter((c) => REQUEST_PATH_STORAGE.includes(c))).toEqual([]);
    expect(calls).toContain('authorizationVersions.getVersionsMany');
    expect(calls).not.toContain('authorizationVersions.getVersions');
    await auth.close();
  }, 20_000);

  it('sees a role change within the window when every pub/sub message is lost', async () => {
    const shared = memoryStorage();
    const store = memoryKeyValue();
    const a = await setUp({
      storage: shared,
      keyValue: controlledKeyValue(store, { dropMessages: true }).kv,
    });
    const b = testAuth({
      storage: shared,
      keyValue: controlledKeyValue(store, { dropMessages: true }).kv,
      authorization: { revalidateAfterMs: TTL_MS },
    }).auth;
    const askB = () => b.api.authorize({ userId: a.memberId, tenantId: a.tenantId, action: 'tenant.read' });
    expect((await askB()).allowed).toBe(true);
    await demoteViewers(a);
    expect(await deniedWithin(askB, TTL_MS + 500)).toBeLessThan(TTL_MS + 500);
    await Promise.all([a.auth.close(), b.close()]);
  }, 20_000);

  it('never keeps a revoked grant alive after the key-value store is flushed with the message lost', async () => {
    const shared = memoryStorage();
    const store = memoryKeyValue();
    const a = await setUp({
      storage: shared,
      keyValue: controlledKeyValue(store, { dropMessages: true }).kv,
    });
    const b = testAuth({
      storage: shared,
      keyValue: controlledKeyValue(store, { dropMessages: true }).kv,
      authorization: { revalidateAfterMs: TTL_MS },
    }).auth;
    const askB = () => b.api.authorize({ userId: a.memberId, tenantId: a.tenantId, action: 'tenant.read' });
    expect((await askB()).allowed).toBe(true);
    await demoteViewers(a);
    // the flush takes A's new version with it: B must not read "no version" as "no change"
    await store.delete(`az:t:${a.tenantId}`);
    await store.delete(`az:m:${a.tenantId}:${a.memberId}`);
    expect(await deniedWithin(askB, TTL_MS + 500)).toBeLessThan(TTL_MS + 500);
    await Promise.all([a.auth.close(), b.close()]);
  }, 20_000);

  it('falls back to the database when the refresh fails, and still sees a change', async () => {
    const shared = memoryStorage();
    const store = memoryKeyValue();
    const a = await setUp({
      storage: shared,
      keyValue: controlledKeyValue(store, { dropMessages: true }).kv,
    });
    const counted = countingStorage(shared);
    const failing = controlledKeyValue(store, { dropMessages: true });
    const b = testAuth({
      storage: counted.storage,
      keyValue: failing.kv,
      authorization: { revalidateAfterMs: TTL_MS },
    }).auth;
    const askB = () => b.api.authorize({ userId: a.memberId, tenantId: a.tenantId, action: 'tenant.read' });
    expect((await askB()).allowed).toBe(true);
    failing.control.failing = true;
    counted.calls.length = 0;
    await sleep(TTL_MS + 300);
    // nothing confirmed the entries: the decision read the database again
    expect((await askB()).allowed).toBe(true);
    expect(counted.calls).toContain('memberships.find');
    expect(counted.calls).toContain('authorizationVersions.getVersions');
    await demoteViewers(a);
    expect(await deniedWithin(askB, TTL_MS + 500)).toBeLessThan(TTL_MS + 500);
    await Promise.all([a.auth.close(), b.close()]);
  }, 20_000);
});

describe('memberships in the shared key-value store (L2)', () => {
  it('lets an instance without the membership read it from the store, and never after a change', async () => {
    const shared = memoryStorage();
    const store = memoryKeyValue();
    const a = await setUp({ storage: shared, keyValue: store });
    expect(
      (await a.auth.api.authorize({ userId: a.memberId, tenantId: a.tenantId, action: 'tenant.read' }))
        .allowed,
    ).toBe(true);
    const counted = countingStorage(shared);
    const b = testAuth({
      storage: counted.storage,
      keyValue: store,
      authorization: { revalidateAfterMs: TTL_MS },
    }).auth;
    const askB = () => b.api.authorize({ userId: a.memberId, tenantId: a.tenantId, action: 'tenant.read' });
    expect((await askB()).allowed).toBe(true);
    expect(counted.calls).not.toContain('memberships.find'); // from A's shared copy
    // removed through A: B's next fill must not take the shared copy, which predates the change
    await a.auth.api.removeMember(a.tenantId, a.ownerId, a.memberId);
    const c = testAuth({
      storage: counted.storage,
      keyValue: store,
      authorization: { revalidateAfterMs: TTL_MS },
    }).auth;
    counted.calls.length = 0;
    expect(
      await c.api.authorize({ userId: a.memberId, tenantId: a.tenantId, action: 'tenant.read' }),
    ).toMatchObject({ allowed: false, reason: { kind: 'not_member' } });
    expect(counted.calls).toContain('memberships.find');
    await Promise.all([a.auth.close(), b.close(), c.close()]);
  });
});

describe('compiled rules bounded by memory', () => {
  const membership = (tenantId: string): Membership => ({
    id: `m-${tenantId}`,
    tenantId,
    userId: 'u',
    roles: ['member'],
    attributes: {},
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  const authorizer = (tenantId: string) => ({ tenantId }) as unknown as Authorizer;

  function cacheOf(compiledCacheBytes: number) {
    const clock = { now: () => new Date(0) };
    return createAuthorizationCache(
      memoryKeyValue(),
      {
        clock,
        logger: silentEventLogger,
        instanceId: 'test',
        sharedStore: false,
        readVersionsMany: async () => [],
      },
      { compiledCacheBytes, membershipCacheSize: 100, revalidateAfterMs: 500, cacheSize: undefined },
    );
  }

  async function fill(cache: ReturnType<typeof cacheOf>, tenantId: string, sizeBytes: number) {
    let builds = 0;
    await cache.membership(tenantId, 'u', async () => membership(tenantId));
    await cache.authorizer(
      tenantId,
      async () => ({ tenantId, roles: 0, policies: 0 }),
      async () => {
        builds += 1;
        return { authorizer: authorizer(tenantId), sizeBytes };
      },
    );
    return builds;
  }

  it('keeps as many tenants as their estimated sizes allow, dropping the least recently used', async () => {
    const cache = cacheOf(10_000);
    for (let i = 0; i < 5; i++) await fill(cache, `t${i}`, 2_000); // exactly the budget
    for (let i = 0; i < 5; i++) expect(cache.fresh(`t${i}`, 'u')).toBeDefined();
    cache.fresh('t0', 'u'); // t0 used again: t1 is now the least recently used
    await fill(cache, 't5', 2_000);
    expect(cache.fresh('t1', 'u')).toBeUndefined();
    for (const t of ['t0', 't2', 't3', 't4', 't5']) expect(cache.fresh(t, 'u')).toBeDefined();
    // one large tenant pushes out as many small ones as it needs
    await fill(cache, 'big', 6_000);
    expect(['t0', 't2', 't3', 't4', 't5'].filter((t) => cache.fresh(t, 'u'))).toHaveLength(2);
    expect(cache.fresh('big', 'u')).toBeDefined();
  });

  it('holds 10,000 typical tenants at the default budget without rebuilding any', async () => {
    const cache = cacheOf(64 * 1024 * 1024);
    for (let i = 0; i < 10_000; i++) await fill(cache, `t${i}`, 4_096);
    let rebuilt = 0;
    for (let i = 0; i < 10_000; i++) rebuilt += await fill(cache, `t${i}`, 4_096);
    expect(rebuilt).toBe(0);
  });
});
