import { describe, expect, it } from 'vitest';
import { tenantWorld } from './support/tenant-world.js';

/** Regressions from the review of the authorization and tenant administration code. */
describe('authorization: privilege escalation regressions', () => {
  it('an admin cannot narrow the owner role and then claim it to take over the tenant', async () => {
    const world = await tenantWorld();
    const admin = await world.addMember(['admin'], 'admin');
    const adminId = admin.body.user.id;
    const ownerId = world.owner.body.user.id;
    const roles = await world.client.get(`${world.base}/roles`, admin.cookie);
    const ownerRole = roles.body.items.find((r: { key: string }) => r.key === 'owner');

    const patched = await world.client.call('PATCH', `${world.base}/roles/${ownerRole.id}`, {
      body: { permissions: ['tenant.read'] },
      cookie: admin.cookie,
    });
    expect([patched.status, patched.body.code]).toEqual([403, 'forbidden']);
    const self = await world.patchMember(adminId, { roles: ['admin', 'owner'] }, admin.cookie);
    expect([self.status, self.body.code]).toEqual([403, 'forbidden']);
    expect((await world.removeMember(ownerId, admin.cookie)).status).toBe(403);
    expect((await world.client.get(`${world.base}/members`, world.owner.cookie)).status).toBe(200);
  });

  it("not even an owner can change the owner role's permissions (the tenant would lose its way back)", async () => {
    const world = await tenantWorld();
    const roles = await world.client.get(`${world.base}/roles`, world.owner.cookie);
    const ownerRole = roles.body.items.find((r: { key: string }) => r.key === 'owner');
    const patched = await world.client.call('PATCH', `${world.base}/roles/${ownerRole.id}`, {
      body: { permissions: ['tenant.read'] },
      cookie: world.owner.cookie,
    });
    expect([patched.status, patched.body.code]).toEqual([403, 'forbidden']);
    const renamed = await world.client.call('PATCH', `${world.base}/roles/${ownerRole.id}`, {
      body: { name: 'Proprietor' },
      cookie: world.owner.cookie,
    });
    expect(renamed.status).toBe(200);
  });

  it('an admin cannot narrow or delete a role that holds more than they do', async () => {
    const world = await tenantWorld();
    const created = await world.client.post(
      `${world.base}/roles`,
      { key: 'billing', name: 'Billing', permissions: ['invoice.*', 'member.read'] },
      world.owner.cookie,
    );
    expect(created.status).toBe(201);
    const admin = await world.addMember(['admin'], 'admin');
    const narrowed = await world.client.call('PATCH', `${world.base}/roles/${created.body.id}`, {
      body: { permissions: ['member.read'] },
      cookie: admin.cookie,
    });
    expect([narrowed.status, narrowed.body.code]).toEqual([403, 'forbidden']);
    const deleted = await world.client.call('DELETE', `${world.base}/roles/${created.body.id}`, {
      cookie: admin.cookie,
    });
    expect([deleted.status, deleted.body.code]).toEqual([403, 'forbidden']);
  });
});
