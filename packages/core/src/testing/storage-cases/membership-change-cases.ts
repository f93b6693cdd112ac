import { describe, expect } from 'vitest';
import type { User } from '../../users/users.js';
import { aMembership, aTenant, aUser, caught, later, type StorageCases } from '../storage-fixtures.js';

export function membershipChangeCases({ it, storage }: StorageCases): void {
  async function createTenant() {
    const tenant = aTenant();
    await storage().tenants.create(tenant);
    return tenant;
  }

  async function createUser(overrides: Partial<User> = {}) {
    const user = aUser(overrides);
    await storage().users.create(user);
    return user;
  }

  describe('memberships: changes', () => {
    it("replaces a member's roles and attributes, returning the updated membership", async () => {
      const tenant = await createTenant();
      const user = await createUser();
      const membership = aMembership(tenant.id, user.id, { roles: ['member'], attributes: { team: 'a' } });
      await storage().memberships.create(membership);
      const updatedAt = later(membership.updatedAt, 2_000);

      const promoted = await storage().memberships.updateRoles(
        tenant.id,
        user.id,
        ['admin', 'billing'],
        updatedAt,
      );
      expect(promoted).toEqual({ ...membership, roles: ['admin', 'billing'], updatedAt });
      const moved = await storage().memberships.updateAttributes(
        tenant.id,
        user.id,
        { team: 'b', level: 2, tags: ['ünï', 'code'], manager: null },
        later(updatedAt, 1),
      );
      expect(moved).toEqual({
        ...membership,
        roles: ['admin', 'billing'],
        attributes: { team: 'b', level: 2, tags: ['ünï', 'code'], manager: null },
        updatedAt: later(updatedAt, 1),
      });
      expect(await storage().memberships.find(tenant.id, user.id)).toEqual(moved);
    });

    it("does not change or remove a membership through another tenant's id", async () => {
      const mine = await createTenant();
      const theirs = await createTenant();
      const user = await createUser();
      const membership = aMembership(theirs.id, user.id);
      await storage().memberships.create(membership);

      expect(await storage().memberships.updateRoles(mine.id, user.id, ['owner'], new Date())).toBeNull();
      expect(await storage().memberships.updateAttributes(mine.id, user.id, { x: 1 }, new Date())).toBeNull();
      expect(await storage().memberships.remove(mine.id, user.id)).toBe(false);
      expect(await storage().memberships.find(theirs.id, user.id)).toEqual(membership);
    });

    it('removes a membership; of 20 concurrent removals exactly one succeeds', async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      const user = await createUser();
      await storage().memberships.create(aMembership(tenant.id, user.id));
      const elsewhere = aMembership(other.id, user.id);
      await storage().memberships.create(elsewhere);

      const results = await Promise.all(
        Array.from({ length: 20 }, () => storage().memberships.remove(tenant.id, user.id)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await storage().memberships.find(tenant.id, user.id)).toBeNull();
      expect(await storage().memberships.listByUser(user.id)).toEqual([elsewhere]);
      // the user may be invited back
      await storage().memberships.create(aMembership(tenant.id, user.id));
    });

    it("counts the tenant's members holding a role key, exactly and in that tenant only", async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      const roleSets = [['owner'], ['member', 'owner'], ['owner-deputy'], ['member'], ['OWNER'], []];
      for (const roles of roleSets) {
        await storage().memberships.create(aMembership(tenant.id, (await createUser()).id, { roles }));
      }
      await storage().memberships.create(
        aMembership(other.id, (await createUser()).id, { roles: ['owner'] }),
      );

      expect(await storage().memberships.countWithRole(tenant.id, 'owner')).toBe(2);
      expect(await storage().memberships.countWithRole(tenant.id, 'member')).toBe(2);
      expect(await storage().memberships.countWithRole(tenant.id, 'own')).toBe(0);
      expect(await storage().memberships.countWithRole((await createTenant()).id, 'owner')).toBe(0);
    });

    it('of two concurrent transactions that lock the tenant, count its owners and demote one, only one demotes', async () => {
      const tenant = await createTenant();
      const owners = [await createUser(), await createUser()];
      for (const owner of owners)
        await storage().memberships.create(aMembership(tenant.id, owner.id, { roles: ['owner'] }));

      // the last-owner rule as services apply it: lock first, then read, then write
      const demote = (userId: string) =>
        storage().transaction(async (tx) => {
          await tx.tenants.lock(tenant.id);
          if ((await tx.memberships.countWithRole(tenant.id, 'owner')) <= 1) return false;
          await new Promise((resolve) => setTimeout(resolve, 20));
          await tx.memberships.updateRoles(tenant.id, userId, ['member'], new Date());
          return true;
        });
      const results = await Promise.all(owners.map((owner) => demote(owner.id)));

      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await storage().memberships.countWithRole(tenant.id, 'owner')).toBe(1);
    });

    it('rolls back role changes and removals made in a failed transaction', async () => {
      const tenant = await createTenant();
      const user = await createUser();
      const staying = await createUser();
      const membership = aMembership(tenant.id, user.id, { roles: ['owner'] });
      const kept = aMembership(tenant.id, staying.id, { roles: ['member'] });
      await storage().memberships.create(membership);
      await storage().memberships.create(kept);
      const failure = new Error('roll back');

      const error = await caught(() =>
        storage().transaction(async (tx) => {
          await tx.memberships.updateRoles(tenant.id, user.id, ['member'], new Date());
          await tx.memberships.updateAttributes(tenant.id, user.id, { demoted: true }, new Date());
          expect(await tx.memberships.countWithRole(tenant.id, 'owner')).toBe(0);
          expect(await tx.memberships.remove(tenant.id, staying.id)).toBe(true);
          throw failure;
        }),
      );

      expect(error).toBe(failure);
      expect(await storage().memberships.find(tenant.id, user.id)).toEqual(membership);
      expect(await storage().memberships.find(tenant.id, staying.id)).toEqual(kept);
      expect(await storage().memberships.countWithRole(tenant.id, 'owner')).toBe(1);
    });

    it('rejects the membership calls that name no tenant', async () => {
      const calls = [
        () => storage().memberships.updateRoles('', 'u', [], new Date()),
        () => storage().memberships.updateAttributes('', 'u', {}, new Date()),
        () => storage().memberships.remove('', 'u'),
        () => storage().memberships.countWithRole('', 'owner'),
      ];
      for (const call of calls) expect(String(await caught(call))).toMatch(/without a tenant id/);
    });
  });
}
