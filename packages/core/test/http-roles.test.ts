import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../src/memory/index.js';
import { fakeClock, PASSWORD, testAuth, uniqueEmail } from './support.js';

const slug = () => `roles-${Math.random().toString(36).slice(2, 10)}`;

async function tenantWithMember() {
  const storage = memoryStorage();
  const clock = fakeClock();
  const { auth, client } = testAuth({ storage, clock });
  const owner = await client.signUp(uniqueEmail('owner'));
  const s = slug();
  const tenant = await client.post(
    '/tenants',
    { slug: s, name: 'Roles', userPool: 'isolated' },
    owner.cookie,
  );
  const member = await client.post('/signup', {
    email: uniqueEmail('member'),
    password: PASSWORD,
    tenant: s,
  });
  return { auth, client, clock, storage, owner, member, tenantId: tenant.body.id as string };
}

describe('roles over HTTP', () => {
  it('creates, renames and deletes a custom role, bumping the authorization version and auditing each change', async () => {
    const { client, storage, owner, tenantId } = await tenantWithMember();
    const base = `/tenants/${tenantId}/roles`;
    const created = await client.post(
      base,
      { key: 'editor', name: 'Editor', permissions: ['document.*', 'member.read'] },
      owner.cookie,
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: 'editor', version: 1 });
    const list = await client.get(base, owner.cookie);
    expect(list.body.items.map((r: { key: string }) => r.key).sort()).toEqual([
      'admin',
      'editor',
      'member',
      'owner',
      'viewer',
    ]);

    const renamed = await client.call('PATCH', `${base}/${created.body.id}`, {
      body: { name: 'Writer', permissions: ['document.read'] },
      cookie: owner.cookie,
    });
    expect(renamed.body).toMatchObject({ name: 'Writer', permissions: ['document.read'], version: 2 });

    expect((await client.call('DELETE', `${base}/${created.body.id}`, { cookie: owner.cookie })).status).toBe(
      204,
    );
    expect((await client.call('DELETE', `${base}/${created.body.id}`, { cookie: owner.cookie })).status).toBe(
      404,
    );

    expect((await storage.authorizationVersions.getVersions(tenantId)).roles).toBe(3);
    const actions = (await storage.audit.list(tenantId, { limit: 10 })).map((e) => e.action);
    expect(actions.slice(0, 3)).toEqual(['role.deleted', 'role.updated', 'role.created']);
  });

  it('takes effect on the next decision', async () => {
    const { auth, client, owner, member, tenantId } = await tenantWithMember();
    const ask = () => auth.api.authorize({ userId: member.body.user.id, tenantId, action: 'report.export' });
    expect((await ask()).allowed).toBe(false);
    const viewer = (await client.get(`/tenants/${tenantId}/roles`, owner.cookie)).body.items.find(
      (r: { key: string }) => r.key === 'viewer',
    );
    await client.call('PATCH', `/tenants/${tenantId}/roles/${viewer.id}`, {
      body: { permissions: ['tenant.read', 'report.export'] },
      cookie: owner.cookie,
    });
    expect(await ask()).toMatchObject({ allowed: true, reason: { kind: 'role', key: 'viewer' } });
  });

  it('refuses to grant permissions the caller does not hold, and refuses members without role.manage', async () => {
    const { auth, client, clock, storage, owner, member, tenantId } = await tenantWithMember();
    const denied = await client.post(
      `/tenants/${tenantId}/roles`,
      { key: 'sneaky', name: 'Sneaky', permissions: ['tenant.read'] },
      member.cookie,
    );
    expect(denied.status).toBe(403);

    // the member becomes an admin limited to document.read
    await auth.api.createRole(tenantId, owner.body.user.id, {
      key: 'limited-admin',
      name: 'Limited admin',
      permissions: ['role.manage', 'member.read', 'document.read'],
    });
    // the raw adapter, not auth's storage: the change reaches the cache when it revalidates
    await storage.memberships.updateRoles(tenantId, member.body.user.id, ['limited-admin'], new Date());
    clock.advance(1);
    for (const permissions of [['document.delete'], ['document.*'], ['*']]) {
      const beyond = await client.post(
        `/tenants/${tenantId}/roles`,
        { key: `r-${permissions[0]!.replace(/[^a-z]/g, '')}x`, name: 'Too much', permissions },
        member.cookie,
      );
      expect(beyond.status).toBe(403);
      expect(beyond.body.detail).toMatch(/do not hold/);
    }
    const within = await client.post(
      `/tenants/${tenantId}/roles`,
      { key: 'reader', name: 'Reader', permissions: ['document.read'] },
      member.cookie,
    );
    expect(within.status).toBe(201);
  });

  it('protects the owner role and roles still held by members', async () => {
    const { client, owner, tenantId } = await tenantWithMember();
    const roles = (await client.get(`/tenants/${tenantId}/roles`, owner.cookie)).body.items as {
      id: string;
      key: string;
    }[];
    const ownerRole = roles.find((r) => r.key === 'owner')!;
    const viewerRole = roles.find((r) => r.key === 'viewer')!;
    const a = await client.call('DELETE', `/tenants/${tenantId}/roles/${ownerRole.id}`, {
      cookie: owner.cookie,
    });
    const b = await client.call('DELETE', `/tenants/${tenantId}/roles/${viewerRole.id}`, {
      cookie: owner.cookie,
    });
    expect([a.status, b.status]).toEqual([409, 409]);
    const bad = await client.post(
      `/tenants/${tenantId}/roles`,
      { key: 'Bad Key', name: '', permissions: ['nope'] },
      owner.cookie,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'key',
      'name',
      'permissions.0',
    ]);
  });
});
