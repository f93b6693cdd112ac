import { describe, expect } from 'vitest';
import { aRole, aTenant, caught, expectConflict, later, type StorageCases } from '../storage-fixtures.js';

export function roleChangeCases({ it, storage }: StorageCases): void {
  async function createTenant() {
    const tenant = aTenant();
    await storage().tenants.create(tenant);
    return tenant;
  }

  describe('roles: changes', () => {
    it('finds a role by id only in its own tenant', async () => {
      const mine = await createTenant();
      const theirs = await createTenant();
      const role = aRole(mine.id, 'editor', { permissions: ['document.*'] });
      await storage().roles.createMany([role]);

      expect(await storage().roles.findById(mine.id, role.id)).toEqual(role);
      expect(await storage().roles.findById(theirs.id, role.id)).toBeNull();
      expect(await storage().roles.findById(mine.id, aRole(mine.id, 'x').id)).toBeNull();
    });

    it('updates name and permissions, bumps the version by one and returns the updated role', async () => {
      const tenant = await createTenant();
      const role = aRole(tenant.id, 'editor', { version: 4, name: 'Editor' });
      await storage().roles.createMany([role]);
      const updatedAt = later(role.updatedAt, 1_234);

      const renamed = await storage().roles.update(tenant.id, role.id, { name: 'Éditeur ✍️', updatedAt });
      expect(renamed).toEqual({ ...role, name: 'Éditeur ✍️', version: 5, updatedAt });
      const repermitted = await storage().roles.update(tenant.id, role.id, {
        permissions: ['document.read', 'document.update'],
        updatedAt,
      });
      expect(repermitted).toEqual({
        ...role,
        name: 'Éditeur ✍️',
        permissions: ['document.read', 'document.update'],
        version: 6,
        updatedAt,
      });
      expect(await storage().roles.findByKey(tenant.id, 'editor')).toEqual(repermitted);
    });

    it("does not update or delete another tenant's role, whatever id is given", async () => {
      const mine = await createTenant();
      const theirs = await createTenant();
      const role = aRole(theirs.id, 'editor');
      await storage().roles.createMany([role]);

      expect(
        await storage().roles.update(mine.id, role.id, { name: 'Hijacked', updatedAt: new Date() }),
      ).toBeNull();
      expect(await storage().roles.delete(mine.id, role.id)).toBe(false);
      expect(await storage().roles.findById(theirs.id, role.id)).toEqual(role);
    });

    it('deletes a role, frees its key, and answers false for one that is gone', async () => {
      const tenant = await createTenant();
      const role = aRole(tenant.id, 'editor');
      const kept = aRole(tenant.id, 'viewer');
      await storage().roles.createMany([role, kept]);

      expect(await storage().roles.delete(tenant.id, role.id)).toBe(true);
      expect(await storage().roles.delete(tenant.id, role.id)).toBe(false);
      expect(await storage().roles.findById(tenant.id, role.id)).toBeNull();
      expect(await storage().roles.listByTenant(tenant.id)).toEqual([kept]);
      await storage().roles.createMany([aRole(tenant.id, 'editor')]);
      await expectConflict(() => storage().roles.createMany([aRole(tenant.id, 'viewer')]));
    });

    it('never loses a version increment: 20 concurrent updates raise it by exactly 20', async () => {
      const tenant = await createTenant();
      const role = aRole(tenant.id, 'editor', { version: 1 });
      await storage().roles.createMany([role]);

      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          storage().roles.update(tenant.id, role.id, { name: `Editor ${i}`, updatedAt: new Date() }),
        ),
      );
      expect(new Set(results.map((r) => r?.version))).toEqual(
        new Set(Array.from({ length: 20 }, (_, i) => i + 2)),
      );
      expect((await storage().roles.findById(tenant.id, role.id))?.version).toBe(21);
    });

    it('lets exactly one of 20 concurrent deletes of one role succeed', async () => {
      const tenant = await createTenant();
      const role = aRole(tenant.id, 'editor');
      await storage().roles.createMany([role]);

      const results = await Promise.all(
        Array.from({ length: 20 }, () => storage().roles.delete(tenant.id, role.id)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('rejects the new role calls when they name no tenant', async () => {
      const calls = [
        () => storage().roles.findById('', 'x'),
        () => storage().roles.update('', 'x', { updatedAt: new Date() }),
        () => storage().roles.delete('', 'x'),
      ];
      for (const call of calls) expect(String(await caught(call))).toMatch(/without a tenant id/);
    });
  });
}
