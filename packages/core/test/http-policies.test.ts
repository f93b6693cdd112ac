import { describe, expect, it } from 'vitest';
import { MAX_POLICIES_PER_TENANT } from '../src/authorization/authorization-options.js';
import type { AuthConfig } from '../src/config/index.js';
import { uuidv7 } from '../src/crypto/uuid.js';
import { isAuthError } from '../src/errors.js';
import { memoryStorage } from '../src/memory/index.js';
import type { OutboxEvent } from '../src/outbox/outbox.js';
import { httpClient, PASSWORD, testAuth, uniqueEmail } from './support.js';

const slug = () => `policies-${Math.random().toString(36).slice(2, 10)}`;

/** An owner (holds `*`) and a plain member of a fresh isolated tenant. */
async function tenantWithMember(overrides: Partial<AuthConfig> = {}) {
  const storage = memoryStorage();
  const delivered: OutboxEvent[] = [];
  const { auth, client } = testAuth({
    storage,
    outbox: {
      autoStart: false,
      subscribers: [{ name: 'spy', events: ['policy.*'], handle: (event) => void delivered.push(event) }],
    },
    ...overrides,
    // some tests change memberships on the raw adapter, behind the authorization cache's back
    authorization: { revalidateAfterMs: 0, ...overrides.authorization },
  });
  const owner = await client.signUp(uniqueEmail('owner'));
  const s = slug();
  const tenant = await client.post(
    '/tenants',
    { slug: s, name: 'Policies', userPool: 'isolated' },
    owner.cookie,
  );
  const member = await client.post('/signup', {
    email: uniqueEmail('member'),
    password: PASSWORD,
    tenant: s,
  });
  const tenantId = tenant.body.id as string;
  return {
    auth,
    client,
    storage,
    delivered,
    owner,
    member,
    tenantId,
    base: `/tenants/${tenantId}/policies`,
  };
}

const ownDocuments = {
  effect: 'allow',
  actions: ['document.read', 'document.update'],
  resource: 'document',
  condition: { eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] },
  description: 'Members work on their own documents',
};

describe('policies over HTTP', () => {
  it('creates, lists, replaces and deletes a policy, bumping the version and auditing and announcing each change', async () => {
    const { auth, client, storage, delivered, owner, tenantId, base } = await tenantWithMember();
    const created = await client.post(base, ownDocuments, owner.cookie);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...ownDocuments, tenantId, version: 1 });
    expect(typeof created.body.id).toBe('string');

    const list = await client.get(base, owner.cookie);
    expect(list.status).toBe(200);
    const { warnings, ...stored } = created.body;
    expect(warnings).toEqual([]);
    expect(list.body.items).toEqual([stored]);

    // PUT replaces everything: the condition and description left out are gone
    const replaced = await client.call('PUT', `${base}/${created.body.id}`, {
      body: { effect: 'deny', actions: ['document.delete'], resource: 'document' },
      cookie: owner.cookie,
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: created.body.id, effect: 'deny', version: 2 });
    expect(replaced.body).not.toHaveProperty('condition');
    expect(replaced.body).not.toHaveProperty('description');
    expect(replaced.body.createdAt).toBe(created.body.createdAt);

    const removed = await client.call('DELETE', `${base}/${created.body.id}`, { cookie: owner.cookie });
    expect(removed.status).toBe(204);
    const again = await client.call('DELETE', `${base}/${created.body.id}`, { cookie: owner.cookie });
    expect(again.status).toBe(404);
    expect((await client.get(base, owner.cookie)).body.items).toEqual([]);

    expect((await storage.authorizationVersions.getVersions(tenantId)).policies).toBe(3);
    const audit = await storage.audit.list(tenantId, { limit: 10 });
    expect(audit.slice(0, 3).map((e) => [e.action, e.targetId, e.actorId])).toEqual([
      ['policy.deleted', created.body.id, owner.body.user.id],
      ['policy.updated', created.body.id, owner.body.user.id],
      ['policy.created', created.body.id, owner.body.user.id],
    ]);
    expect(audit[2]!.data).toMatchObject({ effect: 'allow', condition: ownDocuments.condition });
    expect(await auth.api.verifyAuditChain({ tenantId })).toMatchObject({ valid: true });

    await auth.outbox.dispatchOnce();
    expect(delivered.map((e) => [e.type, e.tenantId, e.payload.policyId])).toEqual([
      ['policy.created', tenantId, created.body.id],
      ['policy.updated', tenantId, created.body.id],
      ['policy.deleted', tenantId, created.body.id],
    ]);
  });

  it('rejects invalid conditions with 422 invalid_policy and issues that say where', async () => {
    const { client, storage, owner, tenantId, base } = await tenantWithMember();
    const issuesOf = async (condition: unknown) => {
      const res = await client.post(base, { ...ownDocuments, condition }, owner.cookie);
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.code).toBe('invalid_policy');
      return res.body.issues as { path: string; message: string }[];
    };

    expect(await issuesOf({ and: [{ regex: [{ ref: 'subject.id' }, '^a'] }] })).toEqual([
      { path: 'condition.and.0', message: expect.stringMatching(/unknown operator "regex"/) },
    ]);
    expect(await issuesOf({ eq: [{ ref: 'secrets.apiKey' }, 'x'] })).toEqual([
      {
        path: 'condition.eq.0.ref',
        message: expect.stringMatching(/must start with subject\., resource\. or context\./),
      },
    ]);
    expect(await issuesOf({ cidr: [{ ref: 'context.ip' }, '10.0.0.0/33'] })).toEqual([
      { path: 'condition.cidr.1', message: expect.stringMatching(/not a CIDR block/) },
    ]);
    let deep: unknown = { eq: [{ ref: 'subject.id' }, 'x'] };
    for (let i = 0; i < 12; i++) deep = { not: deep };
    expect(await issuesOf(deep)).toEqual([
      {
        path: expect.stringMatching(/^condition(\.not)+$/),
        message: expect.stringMatching(/nested deeper than 8/),
      },
    ]);
    const wide = { or: Array.from({ length: 100 }, (_, i) => ({ eq: [{ ref: 'resource.n' }, i] })) };
    expect(await issuesOf(wide)).toEqual([
      {
        path: expect.stringMatching(/^condition\.or\.\d+$/),
        message: expect.stringMatching(/more than 64 nodes/),
      },
    ]);

    // the rest of the body is checked the same way, all problems at once
    const bad = await client.post(
      base,
      { effect: 'maybe', actions: [], resource: 'a b', extra: 1 },
      owner.cookie,
    );
    expect(bad.status).toBe(422);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      '(body)',
      'actions',
      'effect',
      'resource',
    ]);
    // and the same on PUT
    const created = await client.post(base, ownDocuments, owner.cookie);
    const put = await client.call('PUT', `${base}/${created.body.id}`, {
      body: { ...ownDocuments, condition: { eq: [{ ref: 'subject.id' }] } },
      cookie: owner.cookie,
    });
    expect([put.status, put.body.code]).toEqual([422, 'invalid_policy']);

    // nothing of the refused writes was stored
    expect((await storage.policies.listByTenant(tenantId)).map((p) => p.version)).toEqual([1]);
    expect((await storage.authorizationVersions.getVersions(tenantId)).policies).toBe(1);
  });

  it('cannot build a cycle: a condition referring to another policy is refused', async () => {
    const { auth, client, owner, tenantId, base } = await tenantWithMember();
    const first = await client.post(base, ownDocuments, owner.cookie);
    for (const ref of ['policy.x', `policy.${first.body.id}`, 'policies.own-documents.condition']) {
      const res = await client.post(
        base,
        { ...ownDocuments, condition: { eq: [{ ref }, true] } },
        owner.cookie,
      );
      expect(res.status).toBe(422);
      expect(res.body.issues).toEqual([
        { path: 'condition.eq.0.ref', message: expect.stringMatching(/must start with/) },
      ]);
    }
    const viaApi = await auth.api
      .createPolicy(tenantId, owner.body.user.id, {
        ...ownDocuments,
        effect: 'allow',
        condition: { eq: [{ ref: 'policy.x' as 'subject.x' }, true] },
      })
      .catch((e: unknown) => e);
    expect(isAuthError(viaApi, 'invalid_policy')).toBe(true);
  });

  it('keeps policies as data: code-looking strings are only compared, prototype-reaching references are refused', async () => {
    const { auth, client, owner, member, tenantId, base } = await tenantWithMember();
    const payload = "'); globalThis.pwned = true; ('";
    const created = await client.post(
      base,
      {
        effect: 'allow',
        actions: ['document.read'],
        resource: 'document',
        condition: { eq: [{ ref: 'resource.title' }, payload] },
      },
      owner.cookie,
    );
    expect(created.status).toBe(201);
    const ask = (title: string) =>
      auth.api.authorize({
        userId: member.body.user.id,
        tenantId,
        action: 'document.read',
        resource: { type: 'document', title },
      });
    expect((await ask('anything')).allowed).toBe(false);
    expect((await ask(payload)).allowed).toBe(true);
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
    expect((await client.get(base, owner.cookie)).body.items[0].condition.eq[1]).toBe(payload);

    for (const ref of ['subject.__proto__.isAdmin', 'resource.constructor.prototype']) {
      const res = await client.post(
        base,
        {
          effect: 'allow',
          actions: ['document.read'],
          resource: 'document',
          condition: { eq: [{ ref }, 1] },
        },
        owner.cookie,
      );
      expect([res.status, res.body.code]).toEqual([422, 'invalid_policy']);
    }
  });

  it('takes effect on the next decision: create, replace and delete are each seen at once', async () => {
    const { auth, client, owner, member, tenantId, base } = await tenantWithMember();
    const mine = { type: 'document', ownerId: member.body.user.id };
    const ask = () =>
      auth.api.authorize({
        userId: member.body.user.id,
        tenantId,
        action: 'document.update',
        resource: mine,
      });
    expect((await ask()).allowed).toBe(false); // and the authorizer is now cached

    const created = await client.post(base, ownDocuments, owner.cookie);
    expect(await ask()).toMatchObject({ allowed: true, reason: { kind: 'policy', id: created.body.id } });

    await client.call('PUT', `${base}/${created.body.id}`, {
      body: { ...ownDocuments, actions: ['document.read'] },
      cookie: owner.cookie,
    });
    expect((await ask()).allowed).toBe(false);

    await client.call('PUT', `${base}/${created.body.id}`, { body: ownDocuments, cookie: owner.cookie });
    expect((await ask()).allowed).toBe(true);
    await client.call('DELETE', `${base}/${created.body.id}`, { cookie: owner.cookie });
    expect((await ask()).allowed).toBe(false);
  });

  it('lets a stored deny policy override an allow from a role', async () => {
    const { auth, client, owner, tenantId, base } = await tenantWithMember();
    const outside = httpClient(auth, '203.0.113.5');
    const decide = (c: typeof client) =>
      c.post(
        `/tenants/${tenantId}/authorize`,
        { action: 'document.delete', resource: { type: 'document' } },
        owner.cookie,
      );
    expect((await decide(outside)).body).toMatchObject({
      allowed: true,
      reason: { kind: 'role', key: 'owner' },
    });

    const deny = await client.post(
      base,
      {
        effect: 'deny',
        actions: ['document.*'],
        resource: 'document',
        condition: { not: { cidr: [{ ref: 'context.ip' }, '127.0.0.0/8'] } },
      },
      owner.cookie,
    );
    expect((await decide(outside)).body).toMatchObject({
      allowed: false,
      reason: { kind: 'deny_policy', id: deny.body.id },
    });
    expect((await decide(client)).body).toMatchObject({
      allowed: true,
      reason: { kind: 'role', key: 'owner' },
    });
  });

  it("never lets one tenant's policies touch another: foreign ids are 404 and decisions stay apart", async () => {
    const a = await tenantWithMember();
    // tenant B on the same install, owned by someone else
    const bOwner = await a.client.signUp(uniqueEmail('b-owner'));
    const b = await a.client.post('/tenants', { slug: slug(), name: 'B' }, bOwner.cookie);
    const bBase = `/tenants/${b.body.id}/policies`;

    const denyAll = await a.client.post(
      a.base,
      { effect: 'deny', actions: ['*'], resource: '*' },
      a.owner.cookie,
    );
    expect(denyAll.status).toBe(201);
    const inB = (action: string) =>
      a.auth.api.authorize({ userId: bOwner.body.user.id, tenantId: b.body.id, action });
    expect((await inB('member.read')).allowed).toBe(true);
    expect(
      (
        await a.auth.api.authorize({
          userId: a.owner.body.user.id,
          tenantId: a.tenantId,
          action: 'member.read',
        })
      ).allowed,
    ).toBe(false);

    // B's owner cannot reach A's policy through B's path, nor A's path at all
    const path = `${bBase}/${denyAll.body.id}`;
    expect((await a.client.call('PUT', path, { body: ownDocuments, cookie: bOwner.cookie })).status).toBe(
      404,
    );
    expect((await a.client.call('DELETE', path, { cookie: bOwner.cookie })).status).toBe(404);
    expect((await a.client.get(bBase, bOwner.cookie)).body.items).toEqual([]);
    for (const res of [
      await a.client.get(a.base, bOwner.cookie),
      await a.client.post(a.base, ownDocuments, bOwner.cookie),
      await a.client.call('DELETE', `${a.base}/${denyAll.body.id}`, { cookie: bOwner.cookie }),
    ]) {
      expect([res.status, res.body.code]).toEqual([404, 'not_found']);
    }
    expect((await a.storage.policies.listByTenant(a.tenantId)).map((p) => p.version)).toEqual([1]);
    expect((await a.storage.authorizationVersions.getVersions(b.body.id)).policies).toBe(0);
  });

  it('needs policy.manage, and lets an admin write allow policies only for actions they hold', async () => {
    const { auth, client, storage, owner, member, tenantId, base } = await tenantWithMember();
    // a plain member: not even the list (conditions reveal how access is guarded)
    expect((await client.get(base, member.cookie)).status).toBe(403);
    expect(
      (
        await client.post(
          base,
          { effect: 'deny', actions: ['document.read'], resource: 'document' },
          member.cookie,
        )
      ).status,
    ).toBe(403);

    await auth.api.createRole(tenantId, owner.body.user.id, {
      key: 'policy-admin',
      name: 'Policy admin',
      permissions: ['policy.manage', 'document.read'],
    });
    await storage.memberships.updateRoles(tenantId, member.body.user.id, ['policy-admin'], new Date());

    for (const actions of [['document.delete'], ['document.*'], ['*'], ['document.read', 'billing.refund']]) {
      const beyond = await client.post(
        base,
        { effect: 'allow', actions, resource: 'document' },
        member.cookie,
      );
      expect(beyond.status).toBe(403);
      expect(beyond.body.detail).toMatch(/do not hold/);
    }
    const within = await client.post(base, { ...ownDocuments, actions: ['document.read'] }, member.cookie);
    expect(within.status).toBe(201);
    // replacing it cannot widen it either
    const widened = await client.call('PUT', `${base}/${within.body.id}`, {
      body: { ...ownDocuments, actions: ['document.*'] },
      cookie: member.cookie,
    });
    expect(widened.status).toBe(403);
    // a deny only takes away: anything goes
    const deny = await client.post(
      base,
      { effect: 'deny', actions: ['*'], resource: 'billing' },
      member.cookie,
    );
    expect(deny.status).toBe(201);
    expect((await client.get(base, member.cookie)).body.items).toHaveLength(2);
  });

  it(`refuses a policy beyond ${MAX_POLICIES_PER_TENANT} per tenant with 409 policy_limit_reached, writing nothing`, async () => {
    const { client, storage, owner, tenantId, base } = await tenantWithMember();
    const now = new Date();
    for (let i = 0; i < MAX_POLICIES_PER_TENANT; i++) {
      await storage.policies.create({
        id: uuidv7(),
        tenantId,
        effect: 'deny',
        actions: [`report${i}.read`],
        resource: '*',
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
    }
    const auditBefore = (await storage.audit.list(tenantId, { limit: 1 }))[0]!.id;
    const res = await client.post(base, ownDocuments, owner.cookie);
    expect([res.status, res.body.code]).toEqual([409, 'policy_limit_reached']);
    expect(await storage.policies.listByTenant(tenantId)).toHaveLength(MAX_POLICIES_PER_TENANT);
    expect((await storage.authorizationVersions.getVersions(tenantId)).policies).toBe(0);
    expect((await storage.audit.list(tenantId, { limit: 1 }))[0]!.id).toBe(auditBefore);
    // replacing one is still fine
    const first = (await storage.policies.listByTenant(tenantId))[0]!;
    const put = await client.call('PUT', `${base}/${first.id}`, { body: ownDocuments, cookie: owner.cookie });
    expect(put.status).toBe(200);
  });
});

describe('per-tenant limits (authorization.limits)', () => {
  /** A deny of about `bytes` of JSON (give or take a hundred): many long action names. */
  const sized = (bytes: number, i = 0) => ({
    effect: 'deny',
    actions: Array.from({ length: Math.round(bytes / 100) }, (_, n) => `r${i}x${n}.${'a'.repeat(90)}`),
    resource: '*',
  });

  it("refuses a write that would take the tenant's policies past their size together with 409 policy_limit_reached, writing nothing", async () => {
    const { client, storage, owner, tenantId, base } = await tenantWithMember({
      authorization: { limits: { maxPolicyBytes: 4096, maxPolicyBytesPerTenant: 10_000 } },
    });
    for (let i = 0; i < 3; i++) {
      expect((await client.post(base, sized(3000, i), owner.cookie)).status).toBe(201);
    }
    const versions = await storage.authorizationVersions.getVersions(tenantId);
    const refused = await client.post(base, sized(3000, 9), owner.cookie);
    expect([refused.status, refused.body.code]).toEqual([409, 'policy_limit_reached']);
    expect(refused.body.detail).toMatch(/10000 bytes/);
    expect(await storage.policies.listByTenant(tenantId)).toHaveLength(3);
    expect(await storage.authorizationVersions.getVersions(tenantId)).toEqual(versions);
    // growing one past the total is refused too; shrinking one is fine
    const [first] = await storage.policies.listByTenant(tenantId);
    const grow = await client.call('PUT', `${base}/${first!.id}`, {
      body: sized(4000),
      cookie: owner.cookie,
    });
    expect([grow.status, grow.body.code]).toEqual([409, 'policy_limit_reached']);
    const shrink = await client.call('PUT', `${base}/${first!.id}`, {
      body: sized(500),
      cookie: owner.cookie,
    });
    expect(shrink.status).toBe(200);
    // a tenant over lowered limits (stored before them) may still replace a policy with a smaller one
    const now = new Date();
    for (let i = 0; i < 4; i++) {
      const legacy = {
        id: `legacy-${i}`,
        tenantId,
        ...sized(3000, 20 + i),
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      await storage.policies.create(legacy as never);
    }
    const smaller = await client.call('PUT', `${base}/legacy-0`, {
      body: sized(2000, 20),
      cookie: owner.cookie,
    });
    expect(smaller.status).toBe(200);
    for (let i = 0; i < 4; i++) await storage.policies.delete(tenantId, `legacy-${i}`);
    expect((await client.post(base, sized(3000, 9), owner.cookie)).status).toBe(201);
  });

  it('refuses one policy over its own size, or a condition beyond the configured nodes or depth, with 422 invalid_policy', async () => {
    const { client, storage, owner, tenantId, base } = await tenantWithMember({
      authorization: { limits: { maxPolicyBytes: 1024, maxConditionNodes: 3, maxConditionDepth: 2 } },
    });
    const big = await client.post(base, sized(2000), owner.cookie);
    expect([big.status, big.body.code]).toEqual([422, 'invalid_policy']);
    const leaf = { eq: [{ ref: 'subject.id' }, 'u'] };
    const wide = await client.post(
      base,
      { effect: 'deny', actions: ['report.read'], resource: 'report', condition: { or: [leaf, leaf, leaf] } },
      owner.cookie,
    );
    expect([wide.status, wide.body.code]).toEqual([422, 'invalid_policy']);
    expect(wide.body.issues[0].message).toMatch(/more than 3 nodes/);
    const deep = await client.post(
      base,
      { effect: 'deny', actions: ['report.read'], resource: 'report', condition: { not: { not: leaf } } },
      owner.cookie,
    );
    expect([deep.status, deep.body.code]).toEqual([422, 'invalid_policy']);
    expect(deep.body.issues[0].message).toMatch(/deeper than 2 levels/);
    expect(await storage.policies.listByTenant(tenantId)).toHaveLength(0);
  });

  it('refuses a role beyond maxRolesPerTenant with 409 role_limit_reached', async () => {
    const { client, storage, owner, tenantId } = await tenantWithMember({
      authorization: { limits: { maxRolesPerTenant: 5 } },
    });
    // the four default roles, then one custom role fits
    const role = (key: string) => ({ key, name: key, permissions: ['tenant.read'] });
    expect((await client.post(`/tenants/${tenantId}/roles`, role('auditor'), owner.cookie)).status).toBe(201);
    const refused = await client.post(`/tenants/${tenantId}/roles`, role('billing'), owner.cookie);
    expect([refused.status, refused.body.code]).toEqual([409, 'role_limit_reached']);
    expect(await storage.roles.listByTenant(tenantId)).toHaveLength(5);
  });

  it('fails fast on a limit outside its range', () => {
    expect(() => testAuth({ authorization: { limits: { maxConditionNodes: 1000 } } })).toThrow(
      /maxConditionNodes/,
    );
  });
});

describe('policy warnings: references nothing provides', () => {
  it('answers a typo like context.weekday with a warning naming the attribute the server sets, and writes the policy', async () => {
    const { client, owner, base } = await tenantWithMember();
    const res = await client.post(
      base,
      {
        effect: 'deny',
        actions: ['payment.approve'],
        resource: 'payment',
        condition: {
          or: [
            { in: [{ ref: 'context.weekday' }, [0, 6]] },
            { eq: [{ ref: 'subject.email' }, 'x@example.com'] },
            { eq: [{ ref: 'subject.attributes.team' }, 'ops'] },
            { lt: [{ ref: 'context.utcHour' }, 8] },
          ],
        },
      },
      owner.cookie,
    );
    expect(res.status).toBe(201);
    expect(res.body.warnings).toEqual([
      {
        path: 'condition.or.0.in.0.ref',
        message: expect.stringMatching(
          /^context\.weekday is not set by the server .*did you mean context\.utcWeekday\?/,
        ),
      },
      {
        path: 'condition.or.1.eq.0.ref',
        message: expect.stringMatching(/^subject\.email is not a subject field/),
      },
    ]);
    const clean = await client.post(base, ownDocuments, owner.cookie);
    expect(clean.body.warnings).toEqual([]);
    const replaced = await client.call('PUT', `${base}/${clean.body.id}`, {
      body: { ...ownDocuments, condition: { eq: [{ ref: 'context.mfA' }, true] } },
      cookie: owner.cookie,
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.warnings).toEqual([
      { path: 'condition.eq.0.ref', message: expect.stringMatching(/did you mean context\.mfa\?/) },
    ]);
  });

  it('checks resource.* against the attributes declared for the resource type, when declared', async () => {
    const { client, owner, base } = await tenantWithMember({
      authorization: { resourceAttributes: { document: ['ownerId', 'visibility'] } },
    });
    const typo = await client.post(
      base,
      { ...ownDocuments, condition: { eq: [{ ref: 'resource.ownerID' }, { ref: 'subject.id' }] } },
      owner.cookie,
    );
    expect(typo.body.warnings).toEqual([
      { path: 'condition.eq.0.ref', message: expect.stringMatching(/did you mean resource\.ownerId\?/) },
    ]);
    expect((await client.post(base, ownDocuments, owner.cookie)).body.warnings).toEqual([]);
    // an undeclared type is not checked
    const other = await client.post(
      base,
      {
        effect: 'allow',
        actions: ['report.read'],
        resource: 'report',
        condition: { eq: [{ ref: 'resource.anything' }, 1] },
      },
      owner.cookie,
    );
    expect(other.body.warnings).toEqual([]);
  });
});

describe('the permission catalog', () => {
  const permissions = {
    document: ['read', 'create', 'update', 'delete'],
    report: ['export', 'schedule.weekly'],
  };
  const start = (authorization: AuthConfig['authorization'], tenants?: AuthConfig['tenants']) => {
    try {
      testAuth({ authorization, ...(tenants ? { tenants } : {}) });
      return null;
    } catch (error) {
      return error;
    }
  };

  it('fails at start when default roles or code policies name permissions outside it, or names are malformed', () => {
    expect(start({ permissions })).toBeNull();
    const role = start(
      { permissions },
      {
        defaultRoles: [
          { key: 'owner', name: 'Owner', permissions: ['*'] },
          { key: 'viewer', name: 'Viewer', permissions: ['tenant.read', 'documents.read', 'report.print'] },
        ],
      },
    );
    expect(isAuthError(role, 'config_invalid')).toBe(true);
    expect((role as { issues: unknown }).issues).toEqual([
      { path: 'tenants.defaultRoles.1.permissions.1', message: 'unknown resource "documents"' },
      {
        path: 'tenants.defaultRoles.1.permissions.2',
        message: '"print" is not an action of "report" (export, schedule.weekly)',
      },
    ]);
    const policy = start({
      permissions,
      policies: [{ id: 'p', effect: 'deny', actions: ['document.publish'], resource: 'doc' }],
    });
    expect(isAuthError(policy, 'config_invalid')).toBe(true);
    expect((policy as Error).message).toMatch(
      /authorization\.policies\.0\.actions\.0 .*"publish".*authorization\.policies\.0\.resource unknown resource "doc"/,
    );
    const malformed: Record<string, string[]>[] = [
      { 'doc ument': ['read'] },
      { document: ['*'] },
      { '*': ['read'] },
      { document: [] },
    ];
    for (const bad of malformed) {
      expect(isAuthError(start({ permissions: bad }), 'config_invalid'), JSON.stringify(bad)).toBe(true);
    }
  });

  it('refuses unknown permissions at write time with 422 unknown_permission: roles and policies', async () => {
    const { client, owner, tenantId, base } = await tenantWithMember({ authorization: { permissions } });
    const policy = await client.post(
      base,
      {
        effect: 'allow',
        actions: ['document.read', 'documnet.read', 'report.*', 'invoice.*'],
        resource: 'document',
      },
      owner.cookie,
    );
    expect([policy.status, policy.body.code]).toEqual([422, 'unknown_permission']);
    expect(policy.body.issues).toEqual([
      { path: 'actions.1', message: 'unknown resource "documnet"' },
      { path: 'actions.3', message: 'unknown resource "invoice"' },
    ]);
    const resource = await client.post(
      base,
      { effect: 'deny', actions: ['*'], resource: 'invoice' },
      owner.cookie,
    );
    expect([resource.status, resource.body.issues]).toEqual([
      422,
      [{ path: 'resource', message: 'unknown resource "invoice"' }],
    ]);

    const role = await client.post(
      `/tenants/${tenantId}/roles`,
      { key: 'editor', name: 'Editor', permissions: ['document.*', 'member.read', 'document.publish'] },
      owner.cookie,
    );
    expect([role.status, role.body.code, role.body.issues[0].path]).toEqual([
      422,
      'unknown_permission',
      'permissions.2',
    ]);

    // inside the catalog (wildcards of known resources, built-in permissions, `*`) all is well
    expect(
      (
        await client.post(
          base,
          { effect: 'allow', actions: ['document.*', 'report.schedule.weekly'], resource: 'document' },
          owner.cookie,
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await client.post(
          `/tenants/${tenantId}/roles`,
          { key: 'editor', name: 'Editor', permissions: ['document.*', 'member.read', '*'] },
          owner.cookie,
        )
      ).status,
    ).toBe(201);
    const denyAll = await client.post(base, { effect: 'deny', actions: ['*'], resource: '*' }, owner.cookie);
    expect(denyAll.status).toBe(201);
  });

  it('never lets a policy lock the admins out of policies: policy.manage falls back to roles', async () => {
    const { client, owner, tenantId, base } = await tenantWithMember();
    const denyAll = await client.post(base, { effect: 'deny', actions: ['*'], resource: '*' }, owner.cookie);
    expect(denyAll.status).toBe(201);
    // the tenant's other admin routes obey the deny, like the app's own actions
    const role = await client.post(
      `/tenants/${tenantId}/roles`,
      { key: 'editor', name: 'Editor', permissions: ['member.read'] },
      owner.cookie,
    );
    expect([role.status, role.body.code]).toEqual([403, 'forbidden']);
    // …but the owner can still see and remove the policy that did it
    expect((await client.get(base, owner.cookie)).body.items).toHaveLength(1);
    const removed = await client.call('DELETE', `${base}/${denyAll.body.id}`, { cookie: owner.cookie });
    expect(removed.status).toBe(204);
    const again = await client.post(
      `/tenants/${tenantId}/roles`,
      { key: 'editor', name: 'Editor', permissions: ['member.read'] },
      owner.cookie,
    );
    expect(again.status).toBe(201);
  });

  it('answers an authorize for an unknown action with unknown_permission, over HTTP (422) and on auth.api (throws)', async () => {
    const { auth, client, owner, tenantId } = await tenantWithMember({ authorization: { permissions } });
    const known = await client.post(
      `/tenants/${tenantId}/authorize`,
      { action: 'document.read' },
      owner.cookie,
    );
    expect(known.body.allowed).toBe(true);
    const unknown = await client.post(
      `/tenants/${tenantId}/authorize`,
      { action: 'document.publish' },
      owner.cookie,
    );
    expect([unknown.status, unknown.body.code, unknown.body.issues[0].path]).toEqual([
      422,
      'unknown_permission',
      'action',
    ]);
    const thrown = await auth.api
      .authorize({ userId: owner.body.user.id, tenantId, action: 'documnet.read' })
      .catch((e: unknown) => e);
    expect(isAuthError(thrown, 'unknown_permission')).toBe(true);
    const filter = await auth.api
      .authorizationFilter({
        userId: owner.body.user.id,
        tenantId,
        action: 'invoice.read',
        resourceType: 'invoice',
      })
      .catch((e: unknown) => e);
    expect(isAuthError(filter, 'unknown_permission')).toBe(true);
  });

  it('is served at GET /permissions with the built-in tenant permissions, and enforces nothing when not configured', async () => {
    const { auth, client, owner } = await tenantWithMember({ authorization: { permissions } });
    const res = await client.get('/permissions', owner.cookie);
    expect(res.status).toBe(200);
    expect(res.body.enforced).toBe(true);
    expect(res.body.resources).toEqual(
      expect.arrayContaining([
        { resource: 'document', actions: ['create', 'delete', 'read', 'update'] },
        { resource: 'report', actions: ['export', 'schedule.weekly'] },
        { resource: 'policy', actions: ['manage'] },
        expect.objectContaining({ resource: 'member', actions: expect.arrayContaining(['read', 'remove']) }),
      ]),
    );
    expect(auth.api.listPermissions()).toEqual(res.body);
    expect((await client.get('/permissions')).status).toBe(401);

    const open = await tenantWithMember();
    const listing = (await open.client.get('/permissions', open.owner.cookie)).body;
    expect(listing.enforced).toBe(false);
    expect(listing.resources.map((r: { resource: string }) => r.resource)).not.toContain('document');
    expect(
      (
        await open.client.post(
          open.base,
          { effect: 'deny', actions: ['anything.goes'], resource: '*' },
          open.owner.cookie,
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await open.auth.api.authorize({
          userId: open.owner.body.user.id,
          tenantId: open.tenantId,
          action: 'anything.goes',
        })
      ).allowed,
    ).toBe(false);
  });
});
