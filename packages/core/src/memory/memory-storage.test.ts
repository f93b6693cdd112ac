import { describe, expect, it } from 'vitest';
import {
  describeAuthorizationAdministrationConformance,
  describeMembersAndInvitationsConformance,
  describeStorageConformance,
  describeTokenModeConformance,
} from '../testing/index.js';
import { aTenant, caught } from '../testing/storage-fixtures.js';
import { memoryStorage } from './memory-storage.js';

describeStorageConformance('memory', { create: async () => memoryStorage() });
describeAuthorizationAdministrationConformance('memory', { create: async () => memoryStorage() });
describeMembersAndInvitationsConformance('memory', { create: async () => memoryStorage() });
describeTokenModeConformance('memory', { create: async () => memoryStorage() });

describe('memoryStorage', () => {
  it('hands out copies: changing a returned tenant changes nothing stored', async () => {
    const storage = memoryStorage();
    const tenant = aTenant({ metadata: { plan: 'free' } });
    await storage.tenants.create(tenant);
    tenant.metadata.plan = 'changed after create';

    const found = await storage.tenants.findById(tenant.id);
    found!.metadata.plan = 'changed after read';
    found!.createdAt.setTime(0);

    expect(await storage.tenants.findById(tenant.id)).toMatchObject({ metadata: { plan: 'free' } });
    expect((await storage.tenants.findById(tenant.id))!.createdAt).toEqual(tenant.createdAt);
  });

  it('rejects a call on the storage itself inside a transaction instead of waiting forever', async () => {
    const storage = memoryStorage();
    const error = await caught(() => storage.transaction(async () => storage.tenants.findById(aTenant().id)));
    expect(String(error)).toMatch(/use the `tx` stores/);
    expect(String(await caught(() => storage.transaction(() => storage.transaction(async () => 1))))).toMatch(
      /not re-entrant/,
    );
  });

  it('rejects the stores of a transaction that has finished', async () => {
    const storage = memoryStorage();
    const leaked = await storage.transaction(async (tx) => tx);
    expect(String(await caught(() => leaked.tenants.findById(aTenant().id)))).toMatch(/already finished/);
  });

  it('runs transactions one at a time: another never sees uncommitted writes', async () => {
    const storage = memoryStorage();
    const tenant = aTenant();
    const seen: (string | null)[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });

    const first = caught(() =>
      storage.transaction(async (tx) => {
        await tx.tenants.create(tenant);
        await released;
        throw new Error('roll back');
      }),
    );
    const second = storage.transaction(async (tx) => {
      seen.push((await tx.tenants.findById(tenant.id))?.id ?? null);
    });
    const outside = storage.tenants.findById(tenant.id);
    release();

    await first;
    await second;
    expect(seen).toEqual([null]);
    expect(await outside).toBeNull();
  });
});
