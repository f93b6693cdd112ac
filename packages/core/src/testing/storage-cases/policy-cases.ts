import { describe, expect } from 'vitest';
import {
  anInvitation,
  aPolicy,
  aRole,
  aTenant,
  caught,
  expectConflict,
  later,
  type StorageCases,
} from '../storage-fixtures.js';

export function policyCases({ it, storage }: StorageCases): void {
  async function createTenant() {
    const tenant = aTenant();
    await storage().tenants.create(tenant);
    return tenant;
  }

  describe('policies', () => {
    it('stores every policy field, its condition as JSON, and finds it by id', async () => {
      const tenant = await createTenant();
      const full = aPolicy(tenant.id, {
        effect: 'deny',
        actions: ['*'],
        resource: '*',
        condition: {
          and: [
            { not: { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] } },
            { or: [{ lt: [{ ref: 'context.hour' }, 9] }, { gte: [{ ref: 'context.hour' }, 18.5] }] },
            { in: [{ ref: 'subject.attributes.department' }, ['R&D', 'Ünïcødé 🧪']] },
            { eq: [{ ref: 'resource.archivedAt' }, null] },
            { eq: [{ ref: 'context.mfa' }, false] },
          ],
        },
        description: 'Outside the office: deny – “quoted”',
        version: 7,
        createdAt: new Date('2024-03-04T05:06:07.089Z'),
        updatedAt: new Date('2024-03-04T05:06:08.001Z'),
      });
      const bare = aPolicy(tenant.id, { condition: undefined, description: undefined });
      delete bare.condition;
      delete bare.description;
      await storage().policies.create(full);
      await storage().policies.create(bare);

      expect(await storage().policies.findById(tenant.id, full.id)).toEqual(full);
      const found = await storage().policies.findById(tenant.id, bare.id);
      expect(found).toEqual(bare);
      expect(found).not.toHaveProperty('condition');
      expect(found).not.toHaveProperty('description');
    });

    it('rejects a second policy with the same id as a conflict', async () => {
      const tenant = await createTenant();
      const policy = aPolicy(tenant.id);
      await storage().policies.create(policy);
      await expectConflict(() => storage().policies.create({ ...policy, resource: 'invoice' }));
      expect(await storage().policies.findById(tenant.id, policy.id)).toEqual(policy);
    });

    it("lists only the tenant's own policies, by id", async () => {
      const mine = await createTenant();
      const theirs = await createTenant();
      const policies = [aPolicy(mine.id), aPolicy(mine.id, { effect: 'deny' }), aPolicy(mine.id)];
      for (const policy of [policies[2]!, policies[0]!, policies[1]!])
        await storage().policies.create(policy);
      const foreign = aPolicy(theirs.id);
      await storage().policies.create(foreign);

      expect(await storage().policies.listByTenant(mine.id)).toEqual(policies);
      expect(await storage().policies.findById(mine.id, foreign.id)).toBeNull();
      expect(await storage().policies.listByTenant((await createTenant()).id)).toEqual([]);
    });

    it('replaces a policy whole (PUT), bumping its version and keeping id, tenant and createdAt', async () => {
      const tenant = await createTenant();
      const policy = aPolicy(tenant.id, { version: 2 });
      await storage().policies.create(policy);
      const updatedAt = later(policy.updatedAt, 5_000);

      const replaced = await storage().policies.replace(tenant.id, policy.id, {
        effect: 'deny',
        actions: ['document.delete'],
        resource: 'document',
        updatedAt,
      });
      const expected = {
        id: policy.id,
        tenantId: tenant.id,
        effect: 'deny',
        actions: ['document.delete'],
        resource: 'document',
        version: 3,
        createdAt: policy.createdAt,
        updatedAt,
      };
      expect(replaced).toEqual(expected);
      expect(replaced).not.toHaveProperty('condition');
      expect(await storage().policies.findById(tenant.id, policy.id)).toEqual(expected);

      const withCondition = await storage().policies.replace(tenant.id, policy.id, {
        effect: 'allow',
        actions: ['document.read'],
        resource: 'document',
        condition: { startsWith: [{ ref: 'resource.path' }, '/public/'] },
        description: 'Public documents',
        updatedAt,
      });
      expect(withCondition).toMatchObject({
        version: 4,
        condition: { startsWith: [{ ref: 'resource.path' }, '/public/'] },
        description: 'Public documents',
      });
    });

    it("does not replace or delete another tenant's policy, and deletes its own once", async () => {
      const mine = await createTenant();
      const theirs = await createTenant();
      const foreign = aPolicy(theirs.id);
      const own = aPolicy(mine.id);
      await storage().policies.create(foreign);
      await storage().policies.create(own);

      const replacement = { effect: 'deny' as const, actions: ['*'], resource: '*', updatedAt: new Date() };
      expect(await storage().policies.replace(mine.id, foreign.id, replacement)).toBeNull();
      expect(await storage().policies.delete(mine.id, foreign.id)).toBe(false);
      expect(await storage().policies.findById(theirs.id, foreign.id)).toEqual(foreign);

      const deletes = await Promise.all(
        Array.from({ length: 20 }, () => storage().policies.delete(mine.id, own.id)),
      );
      expect(deletes.filter(Boolean)).toHaveLength(1);
      expect(await storage().policies.findById(mine.id, own.id)).toBeNull();
      expect(await storage().policies.replace(mine.id, own.id, replacement)).toBeNull();
    });

    it('never loses a version increment: 20 concurrent replaces raise it by exactly 20', async () => {
      const tenant = await createTenant();
      const policy = aPolicy(tenant.id, { version: 1 });
      await storage().policies.create(policy);

      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          storage().policies.replace(tenant.id, policy.id, {
            effect: 'allow',
            actions: [`document.action${i}`],
            resource: 'document',
            updatedAt: new Date(),
          }),
        ),
      );
      expect((await storage().policies.findById(tenant.id, policy.id))?.version).toBe(21);
    });

    it('rejects the policy calls that name no tenant', async () => {
      const replacement = { effect: 'deny' as const, actions: ['*'], resource: '*', updatedAt: new Date() };
      const calls = [
        () => storage().policies.findById('', 'x'),
        () => storage().policies.listByTenant(''),
        () => storage().policies.replace('', 'x', replacement),
        () => storage().policies.delete('', 'x'),
      ];
      for (const call of calls) expect(String(await caught(call))).toMatch(/without a tenant id/);
    });
  });

  describe('authorization versions', () => {
    it('starts at zero and bumps roles and policies versions independently', async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      expect(await storage().authorizationVersions.getVersions(tenant.id)).toEqual({
        tenantId: tenant.id,
        roles: 0,
        policies: 0,
      });
      expect(await storage().authorizationVersions.bumpRolesVersion(tenant.id)).toBe(1);
      expect(await storage().authorizationVersions.bumpRolesVersion(tenant.id)).toBe(2);
      expect(await storage().authorizationVersions.bumpPoliciesVersion(tenant.id)).toBe(1);
      expect(await storage().authorizationVersions.getVersions(tenant.id)).toEqual({
        tenantId: tenant.id,
        roles: 2,
        policies: 1,
      });
      expect(await storage().authorizationVersions.getVersions(other.id)).toEqual({
        tenantId: other.id,
        roles: 0,
        policies: 0,
      });
    });

    it('reads the versions of several tenants at once, zero for one never bumped', async () => {
      const versions = storage().authorizationVersions;
      if (!versions.getVersionsMany) return; // optional: the cache then reads tenants one by one
      const [a, b, c] = [await createTenant(), await createTenant(), await createTenant()];
      await versions.bumpRolesVersion(a.id);
      await versions.bumpPoliciesVersion(b.id);
      await versions.bumpPoliciesVersion(b.id);
      const read = await versions.getVersionsMany([a.id, b.id, c.id]);
      expect([...read].sort((x, y) => (x.tenantId < y.tenantId ? -1 : 1))).toEqual(
        [
          { tenantId: a.id, roles: 1, policies: 0 },
          { tenantId: b.id, roles: 0, policies: 2 },
          { tenantId: c.id, roles: 0, policies: 0 },
        ].sort((x, y) => (x.tenantId < y.tenantId ? -1 : 1)),
      );
      expect(await versions.getVersionsMany([])).toEqual([]);
    });

    it('never loses a bump: 20 concurrent bumps of a fresh tenant raise it by exactly 20', async () => {
      const tenant = await createTenant();
      const written = await Promise.all(
        Array.from({ length: 20 }, () => storage().authorizationVersions.bumpPoliciesVersion(tenant.id)),
      );
      expect([...written].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await storage().authorizationVersions.getVersions(tenant.id)).toMatchObject({
        policies: 20,
        roles: 0,
      });
    });

    it('rolls back role, policy, invitation and version changes made in a failed transaction', async () => {
      const tenant = await createTenant();
      const role = aRole(tenant.id, 'editor');
      const policy = aPolicy(tenant.id);
      const invitation = anInvitation(tenant.id, { maxUses: 1 });
      await storage().roles.createMany([role]);
      await storage().policies.create(policy);
      await storage().invitations.create(invitation);
      await storage().authorizationVersions.bumpRolesVersion(tenant.id);
      const failure = new Error('roll back');
      const fresh = aPolicy(tenant.id);
      const replacement = { effect: 'deny' as const, actions: ['*'], resource: '*', updatedAt: new Date() };

      const error = await caught(() =>
        storage().transaction(async (tx) => {
          await tx.roles.update(tenant.id, role.id, { name: 'Changed', updatedAt: new Date() });
          await tx.policies.replace(tenant.id, policy.id, replacement);
          await tx.policies.create(fresh);
          expect(await tx.invitations.consumeUse(invitation.id, new Date())).toMatchObject({
            status: 'exhausted',
          });
          expect(await tx.authorizationVersions.bumpRolesVersion(tenant.id)).toBe(2);
          expect(await tx.authorizationVersions.bumpPoliciesVersion(tenant.id)).toBe(1);
          expect(await tx.roles.delete(tenant.id, role.id)).toBe(true);
          throw failure;
        }),
      );

      expect(error).toBe(failure);
      expect(await storage().roles.findById(tenant.id, role.id)).toEqual(role);
      expect(await storage().policies.listByTenant(tenant.id)).toEqual([policy]);
      expect(await storage().invitations.findByTokenHash(invitation.tokenHash)).toEqual(invitation);
      expect(await storage().authorizationVersions.getVersions(tenant.id)).toMatchObject({
        roles: 1,
        policies: 0,
      });
    });
  });
}
