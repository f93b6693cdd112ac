import { describe, expect, it } from 'vitest';
import { isAuthError } from '../errors.js';
import { memoryStorage } from '../memory/memory-storage.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import { lazyStores, STORE_NAMES } from './lazy-stores.js';
import { wrapStorage } from './wrap-storage.js';

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
