import { describe, expect } from 'vitest';
import type { Tenant } from '../../tenants/tenants.js';
import {
  aMembership,
  aTenant,
  aUser,
  expectConflict,
  expectLockHeldUntilCommit,
  later,
  richJson,
  type StorageCases,
} from '../storage-fixtures.js';

export function tenantCases({ it, storage }: StorageCases): void {
  describe('tenants', () => {
    it('stores every tenant field and reads the tenant back by id and by slug', async () => {
      const tenant = aTenant({
        name: 'Château Ünïcødé 北京 🏰',
        status: 'suspended',
        userPool: 'isolated',
        metadata: richJson(),
        createdAt: new Date('2024-02-29T12:34:56.789Z'),
        updatedAt: new Date('2024-03-01T00:00:00.001Z'),
      });
      await storage().tenants.create(tenant);

      expect(await storage().tenants.findById(tenant.id)).toEqual(tenant);
      expect(await storage().tenants.findBySlug(tenant.slug)).toEqual(tenant);
    });

    it('finds no tenant for an unknown id or slug', async () => {
      expect(await storage().tenants.findById(aTenant().id)).toBeNull();
      expect(await storage().tenants.findBySlug(aTenant().slug)).toBeNull();
    });

    it('rejects a tenant whose slug is taken as a conflict and keeps the first', async () => {
      const first = aTenant();
      await storage().tenants.create(first);

      await expectConflict(() => storage().tenants.create(aTenant({ slug: first.slug, name: 'Second' })));
      expect(await storage().tenants.findBySlug(first.slug)).toEqual(first);
    });

    it('updates only the fields a patch names and returns the updated tenant', async () => {
      const tenant = aTenant({ metadata: { plan: 'free', seats: 3 } });
      await storage().tenants.create(tenant);

      const renamedAt = later(tenant.updatedAt, 1_000);
      const renamed = await storage().tenants.update(tenant.id, { name: 'Renamed ✓', updatedAt: renamedAt });
      expect(renamed).toEqual({ ...tenant, name: 'Renamed ✓', updatedAt: renamedAt });

      const suspendedAt = later(tenant.updatedAt, 2_000);
      const suspended = await storage().tenants.update(tenant.id, {
        status: 'suspended',
        metadata: { plan: 'pro', tags: ['a', 'b'] },
        updatedAt: suspendedAt,
      });
      const expected = {
        ...tenant,
        name: 'Renamed ✓',
        status: 'suspended',
        metadata: { plan: 'pro', tags: ['a', 'b'] },
        updatedAt: suspendedAt,
      };
      expect(suspended).toEqual(expected);
      expect(await storage().tenants.findById(tenant.id)).toEqual(expected);
    });

    it('returns null when updating an unknown tenant', async () => {
      expect(
        await storage().tenants.update(aTenant().id, { name: 'Nobody', updatedAt: new Date() }),
      ).toBeNull();
    });

    it("lists the tenants a user is a member of by tenant id, page by page, each with the user's roles there", async () => {
      const user = aUser();
      const someoneElse = aUser();
      const [a, b, c, notMine] = [aTenant(), aTenant(), aTenant(), aTenant()];
      await storage().users.create(user);
      await storage().users.create(someoneElse);
      for (const tenant of [a, b, c, notMine]) await storage().tenants.create(tenant);
      // joined in another order than the tenant ids, so the order must come from the ids; the
      // roles differ per tenant, so each must come from its own membership row
      const rolesIn = new Map([
        [c.id, ['viewer']],
        [a.id, ['owner', 'billing-admin']],
        [b.id, ['member']],
      ]);
      for (const tenant of [c, a, b])
        await storage().memberships.create(
          aMembership(tenant.id, user.id, { roles: rolesIn.get(tenant.id)! }),
        );
      await storage().memberships.create(aMembership(notMine.id, someoneElse.id, { roles: ['owner'] }));
      // another member of the same tenants: their roles must not leak into the user's rows
      for (const tenant of [a, b, c])
        await storage().memberships.create(aMembership(tenant.id, someoneElse.id, { roles: ['admin'] }));
      const withRoles = (tenant: Tenant) => ({ ...tenant, roles: rolesIn.get(tenant.id) });

      const first = await storage().tenants.listForUser(user.id, { limit: 2 });
      expect(first.items).toEqual([a, b].map(withRoles));
      expect(first.nextCursor).not.toBeNull();

      const second = await storage().tenants.listForUser(user.id, { limit: 2, cursor: first.nextCursor! });
      expect(second).toEqual({ items: [withRoles(c)], nextCursor: null });

      // a page that ends exactly at the last tenant says so
      expect(await storage().tenants.listForUser(user.id, { limit: 3 })).toEqual({
        items: [a, b, c].map(withRoles),
        nextCursor: null,
      });
      expect(await storage().tenants.listForUser(aUser().id, { limit: 10 })).toEqual({
        items: [],
        nextCursor: null,
      });
    });

    it('lock holds a tenant until the transaction ends: a second locker waits for the commit', async () => {
      const tenant = aTenant();
      await storage().tenants.create(tenant);
      await expectLockHeldUntilCommit(storage(), (tx, id) => tx.tenants.lock(id), tenant.id, aTenant().id);
    });
  });
}
