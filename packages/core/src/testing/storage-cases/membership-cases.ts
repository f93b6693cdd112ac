import { describe, expect } from 'vitest';
import { isAuthError } from '../../errors.js';
import type { Member, Membership } from '../../memberships/memberships.js';
import type { User } from '../../users/users.js';
import {
  aMembership,
  aRole,
  aTenant,
  aUser,
  caught,
  expectConflict,
  type StorageCases,
} from '../storage-fixtures.js';

function asMember(membership: Membership, user: User): Member {
  return { ...membership, user: { id: user.id, email: user.email, name: user.name, status: user.status } };
}

export function membershipCases({ it, storage }: StorageCases): void {
  /** Creates tenants in order, so their ids ascend. */
  async function createTenants(count: number) {
    const tenants = Array.from({ length: count }, () => aTenant());
    for (const tenant of tenants) await storage().tenants.create(tenant);
    return tenants;
  }

  async function createUser(overrides: Partial<User> = {}) {
    const user = aUser(overrides);
    await storage().users.create(user);
    return user;
  }

  describe('memberships', () => {
    it('stores every membership field and finds the membership by tenant and user', async () => {
      const [tenant] = await createTenants(1);
      const user = await createUser();
      const membership = aMembership(tenant!.id, user.id, {
        roles: ['admin', 'member'],
        attributes: {
          department: 'R&D – Ünïcødé',
          level: 3,
          regions: ['eu', 'us'],
          manager: null,
          remote: true,
        },
        createdAt: new Date('2024-01-02T03:04:05.006Z'),
        updatedAt: new Date('2024-01-02T03:04:05.789Z'),
      });
      await storage().memberships.create(membership);

      expect(await storage().memberships.find(tenant!.id, user.id)).toEqual(membership);
    });

    it('finds no membership for a user who is not a member of the tenant', async () => {
      const [tenant] = await createTenants(1);
      const user = await createUser();
      expect(await storage().memberships.find(tenant!.id, user.id)).toBeNull();
    });

    it('rejects a second membership of one user in one tenant as a conflict', async () => {
      const [tenant, other] = await createTenants(2);
      const user = await createUser();
      const first = aMembership(tenant!.id, user.id);
      await storage().memberships.create(first);

      await expectConflict(() =>
        storage().memberships.create(aMembership(tenant!.id, user.id, { roles: ['owner'] })),
      );
      expect(await storage().memberships.find(tenant!.id, user.id)).toEqual(first);
      await storage().memberships.create(aMembership(other!.id, user.id));
    });

    it("lists a tenant's members with their user fields by membership id, page by page", async () => {
      const [tenant, other] = await createTenants(2);
      const users = [
        await createUser({ name: 'Ünïcødé 🧪' }),
        await createUser({ name: null, status: 'suspended' }),
        await createUser(),
      ];
      const memberships: Membership[] = [];
      for (const user of users) {
        const membership = aMembership(tenant!.id, user.id, { attributes: { team: user.id.slice(-4) } });
        await storage().memberships.create(membership);
        memberships.push(membership);
      }
      await storage().memberships.create(aMembership(other!.id, (await createUser()).id));
      const members = memberships.map((membership, i) => asMember(membership, users[i]!));

      const first = await storage().memberships.listByTenant(tenant!.id, { limit: 2 });
      expect(first.items).toEqual(members.slice(0, 2));
      expect(first.nextCursor).not.toBeNull();
      const second = await storage().memberships.listByTenant(tenant!.id, {
        limit: 2,
        cursor: first.nextCursor!,
      });
      expect(second).toEqual({ items: members.slice(2), nextCursor: null });
      // a page that ends exactly at the last member says so
      expect(await storage().memberships.listByTenant(tenant!.id, { limit: 3 })).toEqual({
        items: members,
        nextCursor: null,
      });
    });

    it('lists every membership of a user across tenants, ordered by tenant id', async () => {
      const [a, b, c] = await createTenants(3);
      const user = await createUser();
      const byTenant = new Map<string, Membership>();
      // created in another order than the tenant ids, so the order must come from the tenant ids
      for (const tenant of [c!, a!, b!]) {
        const membership = aMembership(tenant.id, user.id, { roles: [`role-${tenant.id.slice(-4)}`] });
        await storage().memberships.create(membership);
        byTenant.set(tenant.id, membership);
      }
      await storage().memberships.create(aMembership(a!.id, (await createUser()).id));

      expect(await storage().memberships.listByUser(user.id)).toEqual(
        [a, b, c].map((t) => byTenant.get(t!.id)),
      );
      expect(await storage().memberships.listByUser(aUser().id)).toEqual([]);
    });

    it("never returns another tenant's membership, whatever ids are asked for", async () => {
      const [mine, theirs] = await createTenants(2);
      const outsider = await createUser();
      const insider = await createUser();
      await storage().memberships.create(aMembership(theirs!.id, outsider.id));
      const membership = aMembership(mine!.id, insider.id);
      await storage().memberships.create(membership);

      expect(await storage().memberships.find(mine!.id, outsider.id)).toBeNull();
      const page = await storage().memberships.listByTenant(mine!.id, { limit: 100 });
      expect(page).toEqual({ items: [asMember(membership, insider)], nextCursor: null });
    });

    it('rejects a tenant-scoped call that names no tenant', async () => {
      const user = await createUser();
      const calls = [
        () => storage().memberships.find('', user.id),
        () => storage().memberships.listByTenant(undefined as unknown as string, { limit: 10 }),
        () => storage().roles.listByTenant(null as unknown as string),
        () => storage().roles.findByKey('', 'owner'),
      ];
      for (const call of calls) {
        const error = await caught(async () => call());
        expect(isAuthError(error, 'internal_error'), String(error)).toBe(true);
      }
    });
  });

  describe('roles', () => {
    it('stores every role field, lists a tenant’s roles by key and finds one by key', async () => {
      const [tenant] = await createTenants(1);
      const createdAt = new Date('2024-07-08T09:10:11.012Z');
      const roles = [
        aRole(tenant!.id, 'viewer', {
          name: 'Viewer',
          permissions: ['doc.read'],
          createdAt,
          updatedAt: createdAt,
        }),
        aRole(tenant!.id, 'owner', {
          name: 'Owner 👑',
          permissions: ['*'],
          version: 3,
          createdAt,
          updatedAt: createdAt,
        }),
        aRole(tenant!.id, 'member', { name: 'Member', permissions: [], createdAt, updatedAt: createdAt }),
        aRole(tenant!.id, 'admin', {
          name: 'Admin',
          permissions: ['doc.*', 'member.read', 'member.update'],
          version: 2,
          createdAt,
          updatedAt: new Date('2024-07-08T09:10:11.999Z'),
        }),
      ];
      await storage().roles.createMany(roles);
      const [viewer, owner, member, admin] = roles;

      expect(await storage().roles.listByTenant(tenant!.id)).toEqual([admin, member, owner, viewer]);
      expect(await storage().roles.findByKey(tenant!.id, 'owner')).toEqual(owner);
    });

    it('lists no roles for a tenant without roles and finds no role for an unknown key', async () => {
      const [tenant] = await createTenants(1);
      expect(await storage().roles.listByTenant(tenant!.id)).toEqual([]);
      expect(await storage().roles.findByKey(tenant!.id, 'owner')).toBeNull();
    });

    it('rejects a key that exists in the tenant as a conflict and inserts none of the batch', async () => {
      const [tenant, other] = await createTenants(2);
      const admin = aRole(tenant!.id, 'admin');
      await storage().roles.createMany([admin]);

      await expectConflict(() =>
        storage().roles.createMany([
          aRole(tenant!.id, 'auditor'),
          aRole(tenant!.id, 'admin', { name: 'Again' }),
        ]),
      );
      expect(await storage().roles.listByTenant(tenant!.id)).toEqual([admin]);
      // the same key in another tenant is another role
      await storage().roles.createMany([aRole(other!.id, 'admin')]);
    });

    it("never returns another tenant's role, whatever key is asked for", async () => {
      const [mine, theirs] = await createTenants(2);
      const member = aRole(mine!.id, 'member');
      await storage().roles.createMany([member]);
      await storage().roles.createMany([aRole(theirs!.id, 'member'), aRole(theirs!.id, 'billing')]);

      expect(await storage().roles.findByKey(mine!.id, 'billing')).toBeNull();
      expect(await storage().roles.findByKey(mine!.id, 'member')).toEqual(member);
      expect(await storage().roles.listByTenant(mine!.id)).toEqual([member]);
    });
  });
}
