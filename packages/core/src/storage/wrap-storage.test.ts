import { describe, expect, it } from 'vitest';
import { isAuthError } from '../errors.js';
import { memoryStorage } from '../memory/memory-storage.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import { anOutboxEvent, aSession, aTenant, aUser } from '../testing/storage-fixtures.js';
import { lazyStores, STORE_NAMES } from './lazy-stores.js';
import { type StorageEffects, type StoreMethodRules, wrapStorage } from './wrap-storage.js';

describe('lazyStores', () => {
  it('makes each store on first use, once per set, and every store by name', () => {
    const made: string[] = [];
    const stores = lazyStores((name) => {
      made.push(name);
      return { name };
    });
    expect(made).toEqual([]);
    expect(stores.sessions).toBe(stores.sessions);
    expect(made).toEqual(['sessions']);
    for (const name of STORE_NAMES) expect((stores[name] as unknown as { name: string }).name).toBe(name);
    expect(made).toHaveLength(STORE_NAMES.length);
    const other = lazyStores((name) => ({ name }));
    expect(other.sessions).not.toBe(stores.sessions);
  });
});

/** A store class as adapters write them: methods on the prototype, state on the instance. */
class TaggedMemberships {
  constructor(
    private readonly tag: string,
    private readonly calls: string[],
    private readonly tenantOfRows: string,
  ) {}
  async listByTenant(tenantId: string) {
    this.calls.push(`${this.tag}:${tenantId}`);
    return { items: [{ tenantId: this.tenantOfRows, userId: this.tag }], nextCursor: null };
  }
  async remove(tenantId: string, userId: string) {
    this.calls.push(`${this.tag}:remove:${tenantId}:${userId}`);
    return true;
  }
}

describe('wrapStorage over class-based stores', () => {
  function classStorage(calls: string[], options: { foreignRows?: boolean } = {}): Storage {
    const base = memoryStorage();
    let transactions = 0;
    const memberships = (tag: string) =>
      new TaggedMemberships(tag, calls, options.foreignRows ? 'tenant-x' : 'tenant-a');
    const withMemberships = (stores: StorageStores, tag: string) =>
      lazyStores((name) => (name === 'memberships' ? memberships(tag) : stores[name]));
    return {
      ...base,
      memberships: memberships('root') as unknown as StorageStores['memberships'],
      transaction: (fn) => base.transaction((tx) => fn(withMemberships(tx, `tx${++transactions}`))),
    };
  }

  it('sends each transaction to its own stores, though their classes share one wrapper', async () => {
    const calls: string[] = [];
    const changes: unknown[] = [];
    const storage = wrapStorage(classStorage(calls), {
      effects: { authorizationChanged: (c) => changes.push(...c) },
    });
    await Promise.all(
      [1, 2, 3].map((i) =>
        storage.transaction(async (tx) => {
          await tx.memberships.listByTenant('tenant-a', { limit: 10 });
          await tx.memberships.remove('tenant-a', `user-${i}`);
        }),
      ),
    );
    await storage.memberships.listByTenant('tenant-a', { limit: 10 });
    expect(calls.sort()).toEqual(
      [
        'root:tenant-a',
        'tx1:tenant-a',
        'tx2:tenant-a',
        'tx3:tenant-a',
        'tx1:remove:tenant-a:user-1',
        'tx2:remove:tenant-a:user-2',
        'tx3:remove:tenant-a:user-3',
      ].sort(),
    );
    // each transaction reports its own write once it committed
    expect(changes).toHaveLength(3);
  });

  it('gives the storage its stores as own properties with bound methods', async () => {
    const calls: string[] = [];
    const storage = wrapStorage(classStorage(calls));
    const { listByTenant } = storage.memberships;
    await listByTenant('tenant-a', { limit: 10 });
    const spread = { ...storage };
    await spread.memberships.listByTenant('tenant-a', { limit: 10 });
    expect(Object.keys(storage)).toEqual(expect.arrayContaining([...STORE_NAMES]));
    expect(calls).toEqual(['root:tenant-a', 'root:tenant-a']);
  });

  it('still checks tenant ids and rows of class-based stores', async () => {
    const calls: string[] = [];
    const storage = wrapStorage(classStorage(calls, { foreignRows: true }));
    const error = await storage.memberships.listByTenant('tenant-a', { limit: 10 }).catch((e: unknown) => e);
    expect(isAuthError(error) && error.code).toBe('internal_error');
    const missingTenant = await storage
      .transaction((tx) => tx.memberships.listByTenant('', { limit: 10 }))
      .catch((e: unknown) => e);
    expect(isAuthError(missingTenant) && missingTenant.code).toBe('internal_error');
    expect(calls).toEqual(['root:tenant-a']);
  });
});

describe('wrapStorage after-commit effects', () => {
  const now = new Date('2030-01-01T00:00:00.000Z');

  /** A wrapped memory storage whose effects are written, in order, to `log`. */
  function recordingStorage(overrides: StorageEffects = {}) {
    const log: unknown[] = [];
    const storage = wrapStorage(memoryStorage(), {
      effects: {
        outboxWritten: () => log.push('nudge'),
        sessionsRevoked: async (scope) => {
          log.push({ revoked: scope });
        },
        authorizationChanged: (changes) => log.push({ authorization: changes }),
        ...overrides,
      },
    });
    return { storage, log };
  }

  /** A user with `count` active sessions (acting in `tenantId`). */
  async function userWithSessions(storage: Storage, count: number, tenantId: string | null = null) {
    const user = aUser();
    await storage.users.create(user);
    const sessions = Array.from({ length: count }, () => aSession(user.id, now, { tenantId }));
    for (const session of sessions) await storage.sessions.create(session);
    return { user, sessions };
  }

  it('delivers the effects of a transaction once it committed, never before', async () => {
    const { storage, log } = recordingStorage();
    const { user } = await userWithSessions(storage, 2);
    const tenant = aTenant();
    await storage.transaction(async (tx) => {
      await tx.outbox.enqueue(anOutboxEvent(now));
      expect(await tx.sessions.revokeAllForUser(user.id, now, 'test')).toBe(2);
      await tx.authorizationVersions.bumpRolesVersion(tenant.id);
      expect(log).toEqual([]);
    });
    expect(log).toEqual([
      { authorization: [{ tenantId: tenant.id }] },
      { revoked: { userIds: [user.id] } },
      'nudge',
    ]);
  });

  it('delivers nothing for a transaction that rolled back', async () => {
    const { storage, log } = recordingStorage();
    const { user } = await userWithSessions(storage, 1);
    const failure = new Error('rolled back');
    await expect(
      storage.transaction(async (tx) => {
        await tx.outbox.enqueue(anOutboxEvent(now));
        await tx.sessions.revokeAllForUser(user.id, now, 'test');
        await tx.memberships.remove(aTenant().id, user.id);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(log).toEqual([]);
    expect(await storage.sessions.listActiveByUser(user.id, now)).toHaveLength(1);
  });

  it('nudges the dispatcher once per transaction, however many events it wrote', async () => {
    const { storage, log } = recordingStorage();
    await storage.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) await tx.outbox.enqueue(anOutboxEvent(now));
    });
    expect(log).toEqual(['nudge']);
    await storage.transaction(async (tx) => tx.outbox.enqueue(anOutboxEvent(now)));
    expect(log).toEqual(['nudge', 'nudge']);
    // a transaction that wrote no event does not nudge
    await storage.transaction(async (tx) => tx.users.findById(aUser().id));
    expect(log).toEqual(['nudge', 'nudge']);
  });

  it('announces revoked sessions only when the call revoked some', async () => {
    const { storage, log } = recordingStorage();
    const tenant = aTenant();
    const { user, sessions } = await userWithSessions(storage, 1, tenant.id);
    const idle = aUser();
    await storage.transaction(async (tx) => {
      expect(await tx.sessions.revokeAllForUser(idle.id, now, 'test')).toBe(0);
      expect(await tx.sessions.revoke(idle.id, sessions[0]!.id, now, 'test')).toBe(false);
      expect(await tx.sessions.revokeAllForTenant(aTenant().id, now, 'test')).toBe(0);
      expect(await tx.sessions.revokeAllForTenantMember(tenant.id, idle.id, now, 'test')).toBe(0);
      expect(await tx.sessions.recordAuthentication(aSession(idle.id, now).id, 'pwd', now)).toBeNull();
    });
    expect(log).toEqual([]);
    expect(await storage.sessions.revoke(user.id, sessions[0]!.id, now, 'test')).toBe(true);
    expect(log).toEqual([{ revoked: { userIds: [user.id] } }]);
  });

  it('announces what each revoking method revoked', async () => {
    const { storage, log } = recordingStorage();
    const tenant = aTenant();
    const member = await userWithSessions(storage, 1, tenant.id);
    const other = await userWithSessions(storage, 1);
    const steppedUp = await userWithSessions(storage, 1);
    expect(await storage.sessions.revokeAllForTenantMember(tenant.id, member.user.id, now, 'test')).toBe(1);
    expect(await storage.sessions.revokeAllForUser(other.user.id, now, 'test')).toBe(1);
    await storage.sessions.recordAuthentication(steppedUp.sessions[0]!.id, 'otp', now);
    await userWithSessions(storage, 1, tenant.id);
    expect(await storage.sessions.revokeAllForTenant(tenant.id, now, 'test')).toBe(1);
    expect(log).toEqual([
      { revoked: { userIds: [member.user.id] } },
      { revoked: { userIds: [other.user.id] } },
      { revoked: { userIds: [steppedUp.user.id] } },
      { revoked: { tenantIds: [tenant.id] } },
    ]);
  });

  it("gathers a transaction's revocations into one announcement, each id once", async () => {
    const { storage, log } = recordingStorage();
    const tenant = aTenant();
    const { user, sessions } = await userWithSessions(storage, 2);
    await userWithSessions(storage, 1, tenant.id);
    await storage.transaction(async (tx) => {
      await tx.sessions.revoke(user.id, sessions[0]!.id, now, 'test');
      await tx.sessions.revokeAllForUser(user.id, now, 'test');
      await tx.sessions.revokeAllForTenant(tenant.id, now, 'test');
    });
    expect(log).toEqual([{ revoked: { userIds: [user.id], tenantIds: [tenant.id] } }]);
  });

  it('resolves a transaction only once its revocation was announced, and nudges after it', async () => {
    let announced!: () => void;
    const { storage, log } = recordingStorage({
      sessionsRevoked: () => new Promise<void>((resolve) => (announced = resolve)),
    });
    const { user } = await userWithSessions(storage, 1);
    let settled = false;
    const revoking = storage
      .transaction(async (tx) => {
        await tx.outbox.enqueue(anOutboxEvent(now));
        return tx.sessions.revokeAllForUser(user.id, now, 'test');
      })
      .finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    expect(log).toEqual([]);
    announced();
    expect(await revoking).toBe(1);
    expect(log).toEqual(['nudge']);
  });

  it('fails the call, after the commit, when the announcement fails', async () => {
    const failure = new Error('announcement failed');
    const { storage, log } = recordingStorage({ sessionsRevoked: () => Promise.reject(failure) });
    const { user } = await userWithSessions(storage, 1);
    await expect(
      storage.transaction(async (tx) => {
        await tx.outbox.enqueue(anOutboxEvent(now));
        return tx.sessions.revokeAllForUser(user.id, now, 'test');
      }),
    ).rejects.toBe(failure);
    // as when the services announced by hand: the revocation stands, the nudge waits for the poll
    expect(await storage.sessions.listActiveByUser(user.id, now)).toEqual([]);
    expect(log).toEqual([]);
  });

  it('delivers the effects of a call outside a transaction after the call', async () => {
    const { storage, log } = recordingStorage();
    const tenant = aTenant();
    await storage.outbox.enqueue(anOutboxEvent(now));
    await storage.memberships.updateRoles(tenant.id, aUser().id, ['admin'], now);
    expect(log).toEqual(['nudge', { authorization: [{ tenantId: tenant.id, userId: expect.any(String) }] }]);
  });

  it('takes the effects of the last wrapping when a wrapped storage is wrapped again', async () => {
    const nudges: string[] = [];
    const once = wrapStorage(memoryStorage(), { effects: { outboxWritten: () => nudges.push('first') } });
    const twice = wrapStorage(once, { effects: { outboxWritten: () => nudges.push('second') } });
    await twice.transaction((tx) => tx.outbox.enqueue(anOutboxEvent(now)));
    expect(nudges).toEqual(['second']);
  });

  it('still refuses a tenant-scoped write without a tenant id, and announces nothing', async () => {
    const { storage, log } = recordingStorage();
    await userWithSessions(storage, 1);
    const error = await storage.sessions.revokeAllForTenant('', now, 'test').catch((e: unknown) => e);
    expect(isAuthError(error) && error.code).toBe('internal_error');
    const inTransaction = await storage
      .transaction((tx) => tx.memberships.remove('', aUser().id))
      .catch((e: unknown) => e);
    expect(isAuthError(inTransaction) && inTransaction.code).toBe('internal_error');
    expect(log).toEqual([]);
  });

  it('declares its rules by store and method name, so a typo or a rename fails the type check', () => {
    const rules: StoreMethodRules = {
      sessions: {
        revokeAllForUser: {
          sessionsRevoked: ([userId], count) => (count > 0 ? { userIds: [userId] } : undefined),
        },
      },
    };
    // one declaration per mistake: the checker reports only the first wrong key of a literal
    const misspelledMethod: StoreMethodRules = {
      // @ts-expect-error: the sessions store has no such method (a typo, or a method renamed since)
      sessions: { revokeAllForUsers: { outboxWritten: true } },
    };
    const misspelledStore: StoreMethodRules = {
      // @ts-expect-error: there is no such store
      session: {},
    };
    const notATenantId: StoreMethodRules = {
      // @ts-expect-error: enqueue's first argument is an event, not a tenant id
      outbox: { enqueue: { tenantIdFirst: true } },
    };
    expect([rules, misspelledMethod, misspelledStore, notATenantId]).toHaveLength(4);
  });
});
