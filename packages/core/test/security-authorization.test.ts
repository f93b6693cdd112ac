import { describe, expect, it } from 'vitest';
import { isMultiFactor } from '../src/sessions/index.js';
import { tenantWorld } from './support/tenant-world.js';
import { httpClient } from './support.js';

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

describe('authorization: member attributes', () => {
  it('an admin cannot set attributes (they feed policies); an owner can, but nobody sets their own', async () => {
    const world = await tenantWorld();
    const admin = await world.addMember(['admin'], 'admin');
    const member = await world.addMember(['member'], 'member');
    const memberId = member.body.user.id;
    const byAdmin = await world.patchMember(
      memberId,
      { attributes: { department: 'finance' } },
      admin.cookie,
    );
    expect([byAdmin.status, byAdmin.body.code]).toEqual([403, 'forbidden']);
    const ownSelf = await world.patchMember(
      world.owner.body.user.id,
      { attributes: { department: 'finance' } },
      world.owner.cookie,
    );
    expect([ownSelf.status, ownSelf.body.code]).toEqual([403, 'forbidden']);
    const byOwner = await world.patchMember(
      memberId,
      { attributes: { department: 'finance' } },
      world.owner.cookie,
    );
    expect(byOwner.status).toBe(200);
    // roles stay the admin's to change
    expect((await world.patchMember(memberId, { roles: ['viewer'] }, admin.cookie)).status).toBe(200);
  });
});

describe('authorization: server facts', () => {
  it("never takes the caller's word for mfa, ip or authAgeSeconds", async () => {
    const world = await tenantWorld();
    const ownerId = world.owner.body.user.id;
    const created = await world.auth.api.createPolicy(world.tenantId, ownerId, {
      effect: 'deny',
      actions: ['invoice.refund'],
      resource: 'invoice',
      condition: { not: { eq: [{ ref: 'context.mfa' }, true] } },
    });
    expect(created.id).toBeTruthy();
    const decision = await world.auth.api.authorize({
      userId: ownerId,
      tenantId: world.tenantId,
      action: 'invoice.refund',
      context: { mfa: true, ip: '10.0.0.1', authAgeSeconds: 0 },
    });
    // without a session the server does not know mfa: the deny cannot be evaluated, so it applies
    expect(decision).toMatchObject({ allowed: false, reason: { kind: 'missing_attribute', effect: 'deny' } });
  });
});

describe('invitations: authority', () => {
  it('an invitation lapses when its creator can no longer grant its roles (removed or demoted)', async () => {
    const world = await tenantWorld();
    const admin = await world.addMember(['admin'], 'admin');
    const link = await world.client.post(
      `${world.base}/invitations`,
      { roles: ['admin'], maxUses: 5 },
      admin.cookie,
    );
    expect(link.status).toBe(201);
    expect((await world.removeMember(admin.body.user.id, world.owner.cookie)).status).toBe(204);
    const stranger = await world.client.signUp(`stranger.${Date.now()}@example.com`);
    const accepted = await world.client.post(
      '/invitations/accept',
      { token: link.body.token },
      stranger.cookie,
    );
    expect([accepted.status, accepted.body.code]).toEqual([410, 'invitation_revoked']);
    // nothing was used up by the refused accept
    const listed = await world.client.get(`${world.base}/invitations`, world.owner.cookie);
    expect(listed.body.items.find((i: { id: string }) => i.id === link.body.id).uses).toBe(0);
  });
});

describe('authorization: suspended tenants', () => {
  it('allows nothing in a suspended tenant, at once, until it is reactivated', async () => {
    const world = await tenantWorld();
    const member = await world.addMember(['member'], 'member');
    const ask = () =>
      world.auth.api.authorize({
        userId: member.body.user.id,
        tenantId: world.tenantId,
        action: 'member.read',
      });
    expect((await ask()).allowed).toBe(true);
    const suspended = await world.client.call('PATCH', world.base, {
      body: { status: 'suspended' },
      cookie: world.owner.cookie,
    });
    expect(suspended.status).toBe(200);
    expect(await ask()).toEqual({ allowed: false, reason: { kind: 'tenant_suspended' } });
    await expect(
      world.auth.api.requirePermission({
        userId: member.body.user.id,
        tenantId: world.tenantId,
        action: 'member.read',
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const filter = await world.auth.api.authorizationFilter({
      userId: member.body.user.id,
      tenantId: world.tenantId,
      action: 'member.read',
      resourceType: 'member',
    });
    expect(filter).toEqual({ kind: 'none' });
    // the owner can still read the tenant and reactivate it
    expect((await world.client.get(world.base, world.owner.cookie)).status).toBe(200);
    const reactivated = await world.client.call('PATCH', world.base, {
      body: { status: 'active' },
      cookie: world.owner.cookie,
    });
    expect(reactivated.status).toBe(200);
    expect((await ask()).allowed).toBe(true);
  });
});

/** The owner stores a tenant policy denying `member.read` under `condition`. */
async function denyMemberRead(world: Awaited<ReturnType<typeof tenantWorld>>, condition: unknown) {
  const policy = await world.client.post(
    `${world.base}/policies`,
    { effect: 'deny', actions: ['member.read'], resource: '*', condition },
    world.owner.cookie,
  );
  expect(policy.status).toBe(201);
}

describe("authorization: administration routes see the caller's session and address", () => {
  it('a tenant policy on context.ip restricts its admin routes (review F4: they decided without the IP)', async () => {
    const world = await tenantWorld();
    await denyMemberRead(world, { not: { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] } });
    const fromHome = await world.client.get(`${world.base}/members`, world.owner.cookie);
    expect([fromHome.status, fromHome.body.code]).toEqual([403, 'forbidden']);
    const office = httpClient(world.auth, '10.20.30.40');
    expect((await office.get(`${world.base}/members`, world.owner.cookie)).status).toBe(200);
  });

  it('a tenant policy on context.mfa restricts its admin operations (review F4: they decided without the session)', async () => {
    const world = await tenantWorld();
    await denyMemberRead(world, { ne: [{ ref: 'context.mfa' }, true] });
    const ownerId = world.owner.body.user.id;
    const at = Math.floor(world.clock.now().getTime() / 1000);
    const passwordOnly = { session: { amr: ['pwd'], authTime: { pwd: at } } };
    const twoFactors = { session: { amr: ['pwd', 'otp'], authTime: { pwd: at, otp: at } } };
    await expect(world.auth.api.listMembers(world.tenantId, ownerId, {}, passwordOnly)).rejects.toMatchObject(
      { code: 'forbidden' },
    );
    const members = await world.auth.api.listMembers(world.tenantId, ownerId, {}, twoFactors);
    expect(members.items.length).toBe(1);
    // over HTTP the session is the cookie's: a password-only sign-in is refused
    const overHttp = await world.client.get(`${world.base}/members`, world.owner.cookie);
    expect([overHttp.status, overHttp.body.code]).toEqual([403, 'forbidden']);
  });
});

describe('authorization: suspending a tenant', () => {
  it('needs tenant.suspend, which admins lack by default (review F5: tenant.update could switch the tenant off)', async () => {
    const world = await tenantWorld();
    const admin = await world.addMember(['admin'], 'admin');
    const bySuspendingAdmin = await world.client.call('PATCH', world.base, {
      body: { status: 'suspended' },
      cookie: admin.cookie,
    });
    expect([bySuspendingAdmin.status, bySuspendingAdmin.body.code]).toEqual([403, 'forbidden']);
    const renamed = await world.client.call('PATCH', world.base, {
      body: { name: 'Acme 2' },
      cookie: admin.cookie,
    });
    expect(renamed.status).toBe(200);
    const byOwner = await world.client.call('PATCH', world.base, {
      body: { status: 'suspended' },
      cookie: world.owner.cookie,
    });
    expect(byOwner.status).toBe(200);
    // a suspended tenant cannot be renamed; the owner reactivates it first
    const renameSuspended = await world.client.call('PATCH', world.base, {
      body: { name: 'Acme 3' },
      cookie: world.owner.cookie,
    });
    expect([renameSuspended.status, renameSuspended.body.code]).toEqual([403, 'tenant_suspended']);
    const byAdmin = await world.client.call('PATCH', world.base, {
      body: { status: 'active' },
      cookie: admin.cookie,
    });
    expect(byAdmin.status).toBe(403);
    const reactivated = await world.client.call('PATCH', world.base, {
      body: { status: 'active' },
      cookie: world.owner.cookie,
    });
    expect(reactivated.status).toBe(200);
  });
});

describe('authorization: context.mfa', () => {
  it.each([
    [['pwd'], false],
    [['pwd', 'email'], false],
    [['otp'], false],
    [['pwd', 'otp'], true],
    [['email', 'otp'], true],
    [['pwd', 'hwk'], true],
    [['hwk', 'mfa'], true],
  ])('a session with amr %j counts as multi-factor: %s', async (amr, expected) => {
    const world = await tenantWorld();
    await denyMemberRead(world, { ne: [{ ref: 'context.mfa' }, true] });
    const at = Math.floor(world.clock.now().getTime() / 1000);
    const decision = await world.auth.api.authorize({
      userId: world.owner.body.user.id,
      tenantId: world.tenantId,
      action: 'member.read',
      session: { amr, authTime: Object.fromEntries(amr.map((m) => [m, at])) },
    });
    expect(decision.allowed).toBe(expected);
    expect(isMultiFactor(amr)).toBe(expected);
  });
});
