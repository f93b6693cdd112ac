import { describe, expect, it } from 'vitest';
import { memoryKeyValue } from '../src/memory/index.js';
import { tenantWorld } from './support/tenant-world.js';
import { PASSWORD, uniqueEmail } from './support.js';

describe('members over HTTP: changing roles and attributes', () => {
  it("replaces a member's roles and attributes, takes effect on the next decision, and audits it", async () => {
    const world = await tenantWorld();
    const member = await world.addMember(['viewer']);
    const memberId = member.body.user.id;
    const ask = () =>
      world.auth.api.authorize({ userId: memberId, tenantId: world.tenantId, action: 'member.update' });
    expect((await ask()).allowed).toBe(false);

    const res = await world.patchMember(
      memberId,
      { roles: ['admin', 'member', 'admin'], attributes: { department: 'sales', level: 3 } },
      world.owner.cookie,
    );

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tenantId: world.tenantId,
      userId: memberId,
      roles: ['admin', 'member'],
      attributes: { department: 'sales', level: 3 },
    });
    expect((await ask()).allowed).toBe(true);
    const listed = await world.client.get(`${world.base}/members`, member.cookie);
    expect(listed.body.items.find((m: { userId: string }) => m.userId === memberId).roles).toEqual([
      'admin',
      'member',
    ]);
    const [latest] = await world.storage.audit.list(world.tenantId, { limit: 1 });
    expect(latest).toMatchObject({
      action: 'member.updated',
      actorId: world.owner.body.user.id,
      targetId: memberId,
      data: { roles: ['admin', 'member'], previousRoles: ['viewer'], attributeKeys: ['department', 'level'] },
    });
    expect((await world.deliver()).map((e) => e.type)).toContain('member.updated');
  });

  it('answers bad input with problem+json and a code, and changes nothing', async () => {
    const world = await tenantWorld();
    const member = await world.addMember(['member']);
    const memberId = member.body.user.id;
    const before = await world.storage.memberships.find(world.tenantId, memberId);
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 12; i++) deep = { deeper: deep };

    const cases: [unknown, number, string][] = [
      [{ roles: ['ghost'] }, 422, 'unknown_role'],
      [{ roles: ['member', 'ghost'], attributes: { a: 1 } }, 422, 'unknown_role'],
      [{ roles: [] }, 400, 'invalid_request'],
      [{}, 400, 'invalid_request'],
      [{ roles: ['Member'] }, 400, 'invalid_request'],
      [{ roles: ['member'], extra: true }, 400, 'invalid_request'],
      [{ attributes: [1, 2] }, 400, 'invalid_request'],
      [{ attributes: deep }, 400, 'invalid_request'],
      [
        { attributes: { blob: 'x'.repeat(4_000), more: 'y'.repeat(4_000), most: 'z'.repeat(400) } },
        400,
        'invalid_request',
      ],
      [JSON.parse('{"attributes": {"__proto__": {"admin": true}}}'), 400, 'invalid_request'],
    ];
    for (const [body, status, code] of cases) {
      const res = await world.patchMember(memberId, body, world.owner.cookie);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe(code);
    }
    expect(await world.storage.memberships.find(world.tenantId, memberId)).toEqual(before);
    expect(await world.auditActions(1)).not.toContain('member.updated');
  });

  it('refuses callers without member.update, and grants beyond what the caller holds', async () => {
    const world = await tenantWorld();
    const admin = await world.addMember(['admin'], 'admin');
    const member = await world.addMember(['member']);
    const other = await world.addMember(['viewer'], 'other');
    const ownerId = world.owner.body.user.id;

    const byMember = await world.patchMember(other.body.user.id, { roles: ['member'] }, member.cookie);
    expect([byMember.status, byMember.body.code]).toEqual([403, 'forbidden']);
    // the owner role carries `*`, which an admin does not hold
    const promote = await world.patchMember(other.body.user.id, { roles: ['owner'] }, admin.cookie);
    expect([promote.status, promote.body.code]).toEqual([403, 'forbidden']);
    expect(promote.body.detail).toMatch(/do not hold: \*/);
    // nor may an admin touch a member who holds more than they do
    const demote = await world.patchMember(ownerId, { roles: ['viewer'] }, admin.cookie);
    expect([demote.status, demote.body.code]).toEqual([403, 'forbidden']);
    const remove = await world.removeMember(ownerId, admin.cookie);
    expect([remove.status, remove.body.code]).toEqual([403, 'forbidden']);

    const within = await world.patchMember(other.body.user.id, { roles: ['member'] }, admin.cookie);
    expect(within.status).toBe(200);
    expect((await world.storage.memberships.find(world.tenantId, ownerId))?.roles).toEqual(['owner']);
  });

  it('answers 404 for another tenant, a non-member and an unknown user, whatever ids are supplied', async () => {
    const world = await tenantWorld();
    const member = await world.addMember(['member']);
    const stranger = await world.client.signUp(uniqueEmail('stranger'));
    const theirs = await world.client.post(
      '/tenants',
      { slug: `x-${Date.now()}`, name: 'Theirs' },
      stranger.cookie,
    );
    const strangerId = stranger.body.user.id;
    const memberId = member.body.user.id;

    const responses = [
      // a stranger reaching into this tenant
      await world.patchMember(memberId, { roles: ['viewer'] }, stranger.cookie),
      await world.removeMember(memberId, stranger.cookie),
      // the owner naming the stranger's tenant, and a user who is not a member here
      await world.client.call('PATCH', `/tenants/${theirs.body.id}/members/${strangerId}`, {
        body: { roles: ['viewer'] },
        cookie: world.owner.cookie,
      }),
      await world.client.call('DELETE', `/tenants/${theirs.body.id}/members/${strangerId}`, {
        cookie: world.owner.cookie,
      }),
      await world.patchMember(strangerId, { roles: ['viewer'] }, world.owner.cookie),
      await world.removeMember(strangerId, world.owner.cookie),
      await world.removeMember('00000000-0000-7000-8000-000000000000', world.owner.cookie),
    ];
    for (const res of responses) expect([res.status, res.body.code]).toEqual([404, 'not_found']);
    expect(await world.storage.memberships.find(theirs.body.id, strangerId)).toMatchObject({
      roles: ['owner'],
    });
    expect(await world.storage.memberships.find(world.tenantId, memberId)).toMatchObject({
      roles: ['member'],
    });
  });
});

describe('members over HTTP: the last owner', () => {
  it('can neither demote themselves nor leave while they are the only owner', async () => {
    const world = await tenantWorld();
    const ownerId = world.owner.body.user.id;

    const demote = await world.patchMember(ownerId, { roles: ['admin'] }, world.owner.cookie);
    const leave = await world.removeMember(ownerId, world.owner.cookie);

    for (const res of [demote, leave]) expect([res.status, res.body.code]).toEqual([409, 'last_owner']);
    expect((await world.storage.memberships.find(world.tenantId, ownerId))?.roles).toEqual(['owner']);
    // keeping the owner role while changing attributes or adding roles is fine
    const keep = await world.patchMember(ownerId, { roles: ['owner', 'member'] }, world.owner.cookie);
    expect(keep.status).toBe(200);
  });

  it('lets one of two owners step down or leave, but not the second', async () => {
    const world = await tenantWorld();
    const second = await world.addMember(['owner'], 'second-owner');
    const ownerId = world.owner.body.user.id;

    expect((await world.removeMember(second.body.user.id, second.cookie)).status).toBe(204);
    const again = await world.patchMember(ownerId, { roles: ['member'] }, world.owner.cookie);
    expect(again.body.code).toBe('last_owner');
  });

  it('of two owners demoting each other at the same time, exactly one succeeds', async () => {
    const world = await tenantWorld();
    const second = await world.addMember(['owner'], 'second-owner');
    const ownerId = world.owner.body.user.id;
    const secondId = second.body.user.id;

    const results = await Promise.all([
      world.patchMember(secondId, { roles: ['admin'] }, world.owner.cookie),
      world.patchMember(ownerId, { roles: ['admin'] }, second.cookie),
    ]);

    // the loser is refused either by the last-owner rule (409 last_owner) or, when the winner
    // committed before its permission check, because as a mere admin it cannot touch an owner (403)
    const loser = results.find((r) => r.status !== 200)!;
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect([
      [409, 'last_owner'],
      [403, 'forbidden'],
    ]).toContainEqual([loser.status, loser.body.code]);
    expect(await world.storage.memberships.countWithRole(world.tenantId, 'owner')).toBe(1);
  });

  it('follows tenants.creatorRole when it is not `owner`', async () => {
    const world = await tenantWorld({
      config: {
        tenants: {
          creatorRole: 'founder',
          defaultRoles: [
            { key: 'founder', name: 'Founder', permissions: ['*'] },
            { key: 'owner', name: 'Owner (not special here)', permissions: ['*'] },
            { key: 'viewer', name: 'Viewer', permissions: ['tenant.read'] },
          ],
          isolatedSignupRole: 'viewer',
        },
      },
    });
    const ownerId = world.owner.body.user.id;
    const res = await world.patchMember(ownerId, { roles: ['owner'] }, world.owner.cookie);
    expect([res.status, res.body.code]).toEqual([409, 'last_owner']);
  });
});

describe('members over HTTP: removal and leaving', () => {
  it('removes a member: their next request to the tenant gets 404 and their sessions in it are revoked', async () => {
    const world = await tenantWorld({ config: { keyValue: memoryKeyValue() } }); // with the session cache
    const member = await world.addMember(['member']);
    const memberId = member.body.user.id;
    // a second session bound to the tenant (login naming it), warmed into the cache
    const bound = await world.client.post('/login', {
      email: member.body.user.email,
      password: PASSWORD,
      tenant: world.slug,
    });
    expect(bound.body.session.tenantId).toBe(world.tenantId);
    expect((await world.client.get('/session', bound.cookie)).status).toBe(200);
    expect((await world.client.get(world.base, member.cookie)).status).toBe(200);

    const res = await world.removeMember(memberId, world.owner.cookie);

    expect(res.status).toBe(204);
    expect(await world.storage.memberships.find(world.tenantId, memberId)).toBeNull();
    for (const path of [world.base, `${world.base}/members`, `${world.base}/roles`]) {
      const next = await world.client.get(path, member.cookie);
      expect([next.status, next.body.code]).toEqual([404, 'not_found']);
    }
    const decision = await world.auth.api.authorize({
      userId: memberId,
      tenantId: world.tenantId,
      action: 'tenant.read',
    });
    expect(decision).toMatchObject({ allowed: false, reason: { kind: 'not_member' } });
    // the tenant-bound session is gone, the member's other session still signs them in elsewhere
    expect((await world.client.get('/session', bound.cookie)).status).toBe(401);
    expect((await world.client.get('/session', member.cookie)).status).toBe(200);
    const [latest] = await world.storage.audit.list(world.tenantId, { limit: 1 });
    expect(latest).toMatchObject({
      action: 'member.removed',
      targetId: memberId,
      data: { roles: ['member'], revokedSessions: 1 },
    });
    expect((await world.deliver()).map((e) => e.type)).toContain('member.removed');
    // removed twice: nothing left to remove
    expect((await world.removeMember(memberId, world.owner.cookie)).status).toBe(404);
  });

  it('lets any member leave, even without member.remove, audited as member.left', async () => {
    const world = await tenantWorld();
    const viewer = await world.addMember(['viewer'], 'viewer');
    const other = await world.addMember(['viewer'], 'other');

    const removeOther = await world.removeMember(other.body.user.id, viewer.cookie);
    expect([removeOther.status, removeOther.body.code]).toEqual([403, 'forbidden']);
    const leave = await world.removeMember(viewer.body.user.id, viewer.cookie);

    expect(leave.status).toBe(204);
    expect(await world.auditActions(1)).toEqual(['member.left']);
    expect((await world.client.get(world.base, viewer.cookie)).status).toBe(404);
    expect((await world.client.get('/tenants', viewer.cookie)).body.items).toEqual([]);
  });

  it('of 10 concurrent removals of one member, one succeeds and the rest answer 404', async () => {
    const world = await tenantWorld();
    const member = await world.addMember(['member']);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => world.removeMember(member.body.user.id, world.owner.cookie)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([204, ...Array(9).fill(404)]);
    expect((await world.auditActions(5)).filter((a) => a === 'member.removed')).toHaveLength(1);
  });

  it('leaves a removed member of an isolated tenant able to sign in, with no access, until invited back', async () => {
    const world = await tenantWorld({ userPool: 'isolated' });
    const member = await world.addMember(['member']);
    const email = member.body.user.email;
    expect(member.body.user.tenantId).toBe(world.tenantId);

    expect((await world.removeMember(member.body.user.id, world.owner.cookie)).status).toBe(204);

    // their session was bound to the tenant: revoked
    expect((await world.client.get('/session', member.cookie)).status).toBe(401);
    const again = await world.client.post('/login', { email, password: PASSWORD, tenant: world.slug });
    expect(again.status).toBe(200);
    expect((await world.client.get(world.base, again.cookie)).status).toBe(404);
    const user = await world.auth.api.getUser(member.body.user.id);
    expect(user?.status).toBe('active');

    // an email invitation is for a proven address only
    await world.storage.users.markEmailVerified(member.body.user.id, email, new Date());
    const invitation = await world.invite({ email, roles: ['viewer'] });
    const back = await world.client.post(
      '/invitations/accept',
      { token: invitation.body.token },
      again.cookie,
    );
    expect(back.status).toBe(201);
    expect((await world.client.get(world.base, again.cookie)).status).toBe(200);
  });
});

describe('members on auth.api', () => {
  it('offers the same operations with the same rules', async () => {
    const world = await tenantWorld();
    const member = await world.addMember(['member']);
    const ownerId = world.owner.body.user.id;
    const memberId = member.body.user.id;

    const updated = await world.auth.api.updateMember(world.tenantId, ownerId, memberId, {
      roles: ['viewer'],
    });
    expect(updated.roles).toEqual(['viewer']);
    await expect(
      world.auth.api.updateMember(world.tenantId, ownerId, ownerId, { roles: ['viewer'] }),
    ).rejects.toMatchObject({
      code: 'last_owner',
    });
    await expect(world.auth.api.removeMember(world.tenantId, memberId, ownerId)).rejects.toMatchObject({
      code: 'forbidden',
    });
    await world.auth.api.removeMember(world.tenantId, memberId, memberId, { ip: '198.51.100.7' });
    const [left] = await world.storage.audit.list(world.tenantId, { limit: 1 });
    expect(left).toMatchObject({ action: 'member.left', ip: '198.51.100.7' });
  });
});
