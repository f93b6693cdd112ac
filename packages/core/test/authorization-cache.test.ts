import { describe, expect, it } from 'vitest';
import { memoryKeyValue, memoryStorage } from '../src/memory/index.js';
import type { KeyValue } from '../src/ports/key-value.js';
import type { Storage } from '../src/ports/storage.js';
import { fakeClock, PASSWORD, testAuth, uniqueEmail } from './support.js';

type Hook = (args: unknown[], next: () => Promise<unknown>) => Promise<unknown>;

/**
 * The memory adapter, recording every store call made outside transactions; `hooks` (by
 * `store.method`) can hold a call, looked up at call time.
 */
function countingStorage(inner: Storage = memoryStorage()) {
  const calls: string[] = [];
  const hooks = new Map<string, Hook>();
  const counted = { ...inner } as Record<string, unknown>;
  for (const [name, store] of Object.entries(inner)) {
    if (typeof store !== 'object' || store === null) continue;
    counted[name] = new Proxy(store, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const operation = `${name}.${String(key)}`;
          calls.push(operation);
          const hook = hooks.get(operation);
          return hook ? hook(args, () => value.apply(target, args)) : value.apply(target, args);
        };
      },
    });
  }
  return { storage: counted as unknown as Storage, calls, hooks };
}

const slug = () => `cache-${Math.random().toString(36).slice(2, 10)}`;

/** A tenant with an owner and a member (the isolated sign-up role, `viewer`), on the given storage and key-value store. */
async function setUp(options: {
  storage?: Storage;
  keyValue?: KeyValue;
  clock?: ReturnType<typeof fakeClock>;
}) {
  const clock = options.clock ?? fakeClock();
  const { auth, client } = testAuth({
    ...(options.storage ? { storage: options.storage } : {}),
    ...(options.keyValue ? { keyValue: options.keyValue } : {}),
    clock,
  });
  const owner = await client.signUp(uniqueEmail('owner'));
  const s = slug();
  const tenant = await client.post(
    '/tenants',
    { slug: s, name: 'Cache', userPool: 'isolated' },
    owner.cookie,
  );
  const member = await client.post('/signup', {
    email: uniqueEmail('member'),
    password: PASSWORD,
    tenant: s,
  });
  return {
    auth,
    client,
    clock,
    ownerId: owner.body.user.id as string,
    memberId: member.body.user.id as string,
    tenantId: tenant.body.id as string,
  };
}

describe('cached authorization decisions', () => {
  it('decides with no storage call once the membership and the tenant are cached', async () => {
    const { storage, calls } = countingStorage();
    const { auth, memberId, tenantId, clock } = await setUp({ storage });
    const ask = () => auth.api.authorize({ userId: memberId, tenantId, action: 'tenant.read' });
    expect((await ask()).allowed).toBe(true);
    calls.length = 0;
    for (let i = 0; i < 100; i++) expect((await ask()).allowed).toBe(true);
    expect(calls).toEqual([]);
    // past the revalidation window: one read of the versions and one of the membership
    clock.advance(1);
    expect((await ask()).allowed).toBe(true);
    expect(calls.sort()).toEqual(['authorizationVersions.getVersions', 'memberships.find']);
  });

  it('sees a role change made through Portcullis on the very next decision', async () => {
    const { auth, ownerId, memberId, tenantId } = await setUp({});
    const ask = () => auth.api.authorize({ userId: memberId, tenantId, action: 'tenant.read' });
    expect((await ask()).allowed).toBe(true);
    const roles = await auth.api.listRoles(tenantId, ownerId);
    const viewerRole = roles.find((r) => r.key === 'viewer')!;
    await auth.api.updateRole(tenantId, ownerId, viewerRole.id, { permissions: ['member.read'] });
    expect(await ask()).toMatchObject({ allowed: false, reason: { kind: 'no_rule' } });
  });

  it('does not cache a non-member, so a new membership needs no invalidation', async () => {
    const { auth, client, tenantId } = await setUp({});
    const outsider = await client.signUp(uniqueEmail('outsider'));
    const ask = () => auth.api.authorize({ userId: outsider.body.user.id, tenantId, action: 'tenant.read' });
    expect(await ask()).toMatchObject({ allowed: false, reason: { kind: 'not_member' } });
    expect(await ask()).toMatchObject({ allowed: false, reason: { kind: 'not_member' } });
  });

  it("carries a change to another instance through the key-value store's pub/sub", async () => {
    const shared = memoryStorage();
    const keyValue = memoryKeyValue();
    const clock = fakeClock();
    const a = await setUp({ storage: shared, keyValue, clock });
    const b = testAuth({ storage: shared, keyValue, clock }).auth;
    const askB = () => b.api.authorize({ userId: a.memberId, tenantId: a.tenantId, action: 'tenant.read' });
    expect((await askB()).allowed).toBe(true);
    const viewerRole = (await a.auth.api.listRoles(a.tenantId, a.ownerId)).find((r) => r.key === 'viewer')!;
    await a.auth.api.updateRole(a.tenantId, a.ownerId, viewerRole.id, { permissions: ['member.read'] });
    // no clock movement: only the message can have evicted B's entry
    expect((await askB()).allowed).toBe(false);
    await b.close();
  });

  it('sees the change within the revalidation window when the message is lost', async () => {
    const shared = memoryStorage();
    const clock = fakeClock();
    // separate key-value stores: B never hears A's invalidation
    const a = await setUp({ storage: shared, keyValue: memoryKeyValue(), clock });
    const b = testAuth({ storage: shared, keyValue: memoryKeyValue(), clock }).auth;
    const askB = () => b.api.authorize({ userId: a.memberId, tenantId: a.tenantId, action: 'tenant.read' });
    expect((await askB()).allowed).toBe(true);
    const viewerRole = (await a.auth.api.listRoles(a.tenantId, a.ownerId)).find((r) => r.key === 'viewer')!;
    await a.auth.api.updateRole(a.tenantId, a.ownerId, viewerRole.id, { permissions: ['member.read'] });
    expect((await askB()).allowed).toBe(true); // stale, within the window
    clock.advance(0.5);
    expect((await askB()).allowed).toBe(false);
    await b.close();
  });

  it('does not keep an authorizer whose rows were read before a change committed', async () => {
    const { storage, hooks } = countingStorage();
    const { auth, memberId, tenantId, ownerId } = await setUp({ storage });
    const ask = () => auth.api.authorize({ userId: memberId, tenantId, action: 'tenant.read' });
    const viewerRole = (await auth.api.listRoles(tenantId, ownerId)).find((r) => r.key === 'viewer')!;
    // a change through Portcullis evicts the tenant's authorizer, so the next decision builds one
    await auth.api.createRole(tenantId, ownerId, {
      key: 'auditor',
      name: 'Auditor',
      permissions: ['audit.read'],
    });
    // the next build reads the roles, then waits until the role change has committed
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let read!: () => void;
    const rowsRead = new Promise<void>((resolve) => {
      read = resolve;
    });
    hooks.set('roles.listByTenant', async (_args, next) => {
      hooks.delete('roles.listByTenant');
      const rows = await next();
      read();
      await held;
      return rows;
    });
    const racing = ask();
    await rowsRead;
    await auth.api.updateRole(tenantId, ownerId, viewerRole.id, { permissions: ['member.read'] });
    release();
    expect((await racing).allowed).toBe(true); // decided on what it read, before the change
    // not kept: the next decision rebuilds from the changed role, with no clock movement
    expect((await ask()).allowed).toBe(false);
  });
});
