import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../src/memory/index.js';
import { PASSWORD, testAuth, uniqueEmail } from './support.js';

const slug = () => `acme-${Math.random().toString(36).slice(2, 10)}`;

describe('tenants over HTTP', () => {
  it('creates a tenant with default roles and the creator as owner, then lists, reads and renames it', async () => {
    const storage = memoryStorage();
    const { client } = testAuth({ storage });
    const owner = await client.signUp(uniqueEmail('owner'));
    const created = await client.post('/tenants', { slug: slug(), name: 'Acme' }, owner.cookie);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Acme', userPool: 'shared', status: 'active' });
    const tenantId = created.body.id;

    const roles = await storage.roles.listByTenant(tenantId);
    expect(roles.map((r) => r.key).sort()).toEqual(['admin', 'member', 'owner', 'viewer']);

    const members = await client.get(`/tenants/${tenantId}/members`, owner.cookie);
    expect(members.body.items).toHaveLength(1);
    expect(members.body.items[0]).toMatchObject({ userId: owner.body.user.id, roles: ['owner'] });
    expect(members.body.items[0].user.email).toBe(owner.body.user.email);

    const list = await client.get('/tenants', owner.cookie);
    expect(list.body.items.map((t: { id: string }) => t.id)).toEqual([tenantId]);

    const renamed = await client.call('PATCH', `/tenants/${tenantId}`, {
      body: { name: 'Acme Inc' },
      cookie: owner.cookie,
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Acme Inc');
    expect((await client.get(`/tenants/${tenantId}`, owner.cookie)).body.name).toBe('Acme Inc');
  });

  it("lists the caller's tenants each with the caller's roles there, for an organization switcher", async () => {
    const { client } = testAuth({ rateLimit: { enabled: false } });
    const ada = await client.signUp(uniqueEmail('ada'));
    const bob = await client.signUp(uniqueEmail('bob'));
    const adas = await client.post('/tenants', { slug: slug(), name: "Ada's" }, ada.cookie);
    const bobs = await client.post('/tenants', { slug: slug(), name: "Bob's" }, bob.cookie);
    const join = async (tenantId: string, inviter: string, invitee: string, roles: string[]) => {
      const link = await client.post(`/tenants/${tenantId}/invitations`, { roles }, inviter);
      expect((await client.post('/invitations/accept', { token: link.body.token }, invitee)).status).toBe(
        201,
      );
    };
    await join(bobs.body.id, bob.cookie!, ada.cookie!, ['member', 'viewer']);
    await join(adas.body.id, ada.cookie!, bob.cookie!, ['admin']);

    const byId = (items: Array<{ id: string }>) => [...items].sort((a, b) => a.id.localeCompare(b.id));
    const listed = await client.get('/tenants', ada.cookie);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual(
      byId([
        { ...adas.body, roles: ['owner'] },
        { ...bobs.body, roles: ['member', 'viewer'] },
      ]),
    );
    const bobsList = await client.get('/tenants?limit=1', bob.cookie);
    const [first] = byId([
      { ...adas.body, roles: ['admin'] },
      { ...bobs.body, roles: ['owner'] },
    ]);
    expect(bobsList.body).toEqual({ items: [first], nextCursor: first!.id });
  });

  it('hides a tenant from non-members: 404 for its members, details and updates', async () => {
    const { client } = testAuth();
    const a = await client.signUp(uniqueEmail('a'));
    const b = await client.signUp(uniqueEmail('b'));
    const tenant = await client.post('/tenants', { slug: slug(), name: 'A corp' }, a.cookie);
    for (const res of [
      await client.get(`/tenants/${tenant.body.id}/members`, b.cookie),
      await client.get(`/tenants/${tenant.body.id}`, b.cookie),
      await client.call('PATCH', `/tenants/${tenant.body.id}`, { body: { name: 'pwned' }, cookie: b.cookie }),
      await client.get('/tenants/00000000-0000-7000-8000-000000000000/members', b.cookie),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    expect((await client.get('/tenants', b.cookie)).body.items).toEqual([]);
  });

  it('answers a taken slug with 409 slug_taken and leaves no partial tenant behind', async () => {
    const storage = memoryStorage();
    const { client } = testAuth({ storage });
    const a = await client.signUp(uniqueEmail());
    const s = slug();
    await client.post('/tenants', { slug: s, name: 'One' }, a.cookie);
    const again = await client.post('/tenants', { slug: s, name: 'Two' }, a.cookie);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('slug_taken');
    expect((await client.get('/tenants', a.cookie)).body.items).toHaveLength(1);
  });

  it('validates tenant input', async () => {
    const { client } = testAuth();
    const a = await client.signUp(uniqueEmail());
    const bad = await client.post('/tenants', { slug: 'Not A Slug!', name: '' }, a.cookie);
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['name', 'slug']);
  });

  it('supports isolated user pools: the same email in two tenants, login naming the tenant', async () => {
    const { client } = testAuth();
    const admin = await client.signUp(uniqueEmail('admin'));
    const t1 = await client.post(
      '/tenants',
      { slug: slug(), name: 'Shop 1', userPool: 'isolated' },
      admin.cookie,
    );
    const t2 = await client.post(
      '/tenants',
      { slug: slug(), name: 'Shop 2', userPool: 'isolated' },
      admin.cookie,
    );
    const email = uniqueEmail('buyer');
    const inT1 = await client.post('/signup', { email, password: PASSWORD, tenant: t1.body.slug });
    const inT2 = await client.post('/signup', { email, password: `${PASSWORD} two`, tenant: t2.body.id });
    expect(inT1.status).toBe(201);
    expect(inT2.status).toBe(201);
    expect(inT1.body.user.tenantId).toBe(t1.body.id);
    expect(inT1.body.user.id).not.toBe(inT2.body.user.id);

    expect((await client.post('/login', { email, password: PASSWORD, tenant: t1.body.slug })).status).toBe(
      200,
    );
    expect((await client.post('/login', { email, password: PASSWORD, tenant: t2.body.slug })).status).toBe(
      401,
    );
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(401); // not in the shared pool
    const session = await client.post('/login', { email, password: `${PASSWORD} two`, tenant: t2.body.slug });
    expect(session.body.session.tenantId).toBe(t2.body.id);

    const members = await client.get(`/tenants/${t1.body.id}/members`, admin.cookie);
    expect(members.body.items.map((m: { roles: string[] }) => m.roles[0]).sort()).toEqual([
      'owner',
      'viewer',
    ]);
    // a shared-pool tenant cannot be joined by signing up into it
    const shared = await client.post('/tenants', { slug: slug(), name: 'Shared' }, admin.cookie);
    const joined = await client.post('/signup', {
      email: uniqueEmail(),
      password: PASSWORD,
      tenant: shared.body.slug,
    });
    expect(joined.status).toBe(400);
  });

  it('members without tenant.update get 403 forbidden', async () => {
    const { client, auth } = testAuth();
    const admin = await client.signUp(uniqueEmail('admin'));
    const tenant = await client.post(
      '/tenants',
      { slug: slug(), name: 'Iso', userPool: 'isolated' },
      admin.cookie,
    );
    const member = await client.post('/signup', {
      email: uniqueEmail(),
      password: PASSWORD,
      tenant: tenant.body.slug,
    });
    const res = await client.call('PATCH', `/tenants/${tenant.body.id}`, {
      body: { name: 'x' },
      cookie: member.cookie,
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden');
    // and isolated users cannot found tenants of their own
    const own = await client.post('/tenants', { slug: slug(), name: 'Mine' }, member.cookie);
    expect(own.status).toBe(403);
    void auth;
  });
});

describe('audit and outbox', () => {
  it('records every change with a verifiable hash chain, in the same transaction as the change', async () => {
    const storage = memoryStorage();
    const { client, auth } = testAuth({ storage });
    const owner = await client.signUp(uniqueEmail());
    const tenant = await client.post('/tenants', { slug: slug(), name: 'Audited' }, owner.cookie);
    await client.call('PATCH', `/tenants/${tenant.body.id}`, {
      body: { name: 'Renamed' },
      cookie: owner.cookie,
    });
    const events = await storage.audit.list(tenant.body.id, { limit: 10 });
    expect(events.map((e) => e.action)).toEqual(['tenant.updated', 'tenant.created']);
    expect(events[0]).toMatchObject({ actorType: 'user', actorId: owner.body.user.id, ip: '127.0.0.1' });
    expect(await auth.api.verifyAuditChain({ tenantId: tenant.body.id })).toEqual({
      valid: true,
      checked: 2,
    });
    // the owner's sign-up and session live on their own chain, outside any tenant
    const own = await storage.audit.list(`user:${owner.body.user.id}`, { limit: 10 });
    expect(own.map((e) => e.action)).toEqual(['session.created', 'user.created']);
    expect(await auth.api.verifyAuditChain({ userId: owner.body.user.id })).toEqual({
      valid: true,
      checked: 2,
    });
    expect((await auth.api.verifyAuditChain({})).valid).toBe(true);
  });

  it('delivers outbox events at least once to subscribers, retrying failures with backoff', async () => {
    const received: string[] = [];
    let failuresLeft = 1;
    const storage = memoryStorage();
    const clock = { now: () => new Date(now) };
    let now = Date.now();
    const { client, auth } = testAuth({
      storage,
      clock,
      outbox: {
        autoStart: false,
        subscribers: [
          {
            name: 'flaky',
            events: ['user.*'],
            handle: (event) => {
              if (failuresLeft-- > 0) throw new Error('downstream down');
              received.push(event.type);
            },
          },
        ],
      },
    });
    await client.signUp(uniqueEmail());
    expect(await auth.outbox.dispatchOnce()).toBeGreaterThan(0);
    expect(received).toEqual([]);
    expect(await auth.outbox.dispatchOnce()).toBe(0); // backing off
    now += 3_600_000;
    await auth.outbox.dispatchOnce();
    expect(received).toEqual(['user.created']);
    now += 3_600_000;
    expect(await auth.outbox.dispatchOnce()).toBe(0);
  });

  it('dead-letters an event after the configured attempts', async () => {
    const storage = memoryStorage();
    let now = Date.now();
    const { client, auth } = testAuth({
      storage,
      clock: { now: () => new Date(now) },
      outbox: {
        autoStart: false,
        maxAttempts: 2,
        subscribers: [
          { name: 'broken', events: ['user.created'], handle: () => Promise.reject(new Error('no')) },
        ],
      },
    });
    await client.signUp(uniqueEmail());
    await auth.outbox.dispatchOnce();
    now += 7_200_000;
    await auth.outbox.dispatchOnce();
    now += 7_200_000;
    expect(await auth.outbox.dispatchOnce()).toBe(0);
  });
});

describe('OpenAPI', () => {
  it('serves an OpenAPI 3.1 document generated from the routes', async () => {
    const { client } = testAuth();
    const res = await client.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/signup', '/login', '/sessions/{sessionId}', '/tenants/{tenantId}/members']),
    );
    const login = res.body.paths['/login'].post;
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['email', 'password']);
    expect(login.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
  });
});

describe('OpenAPI validity', () => {
  it('passes the official OpenAPI 3.1 schema validation', async () => {
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const { auth } = testAuth();
    const validator = new Validator();
    const result = await validator.validate(auth.openApiDocument());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });
});
