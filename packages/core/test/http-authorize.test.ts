import { describe, expect, it } from 'vitest';
import type { PolicyDefinition } from '../src/authorization/policy.js';
import { isAuthError } from '../src/errors.js';
import { memoryStorage } from '../src/memory/index.js';
import { fakeClock, httpClient, PASSWORD, testAuth, uniqueEmail } from './support.js';

const slug = () => `authz-${Math.random().toString(36).slice(2, 10)}`;

/** Members may update their own documents; nobody touches documents from outside 127/8. */
const policies: Array<Omit<PolicyDefinition, 'tenantId'>> = [
  {
    id: 'own-documents',
    effect: 'allow',
    actions: ['document.update'],
    resource: 'document',
    condition: { eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] },
    description: 'Members may edit their own documents',
  },
  {
    id: 'office-network',
    effect: 'deny',
    actions: ['document.*'],
    resource: 'document',
    condition: { not: { cidr: [{ ref: 'context.ip' }, '127.0.0.0/8'] } },
    description: 'Documents only from the office network',
  },
];

async function isolatedTenant(overrides = {}) {
  const storage = memoryStorage();
  const { auth, client } = testAuth({ storage, authorization: { policies }, ...overrides });
  const owner = await client.signUp(uniqueEmail('owner'));
  const s = slug();
  const tenant = await client.post('/tenants', { slug: s, name: 'Docs', userPool: 'isolated' }, owner.cookie);
  const member = await client.post('/signup', {
    email: uniqueEmail('member'),
    password: PASSWORD,
    tenant: s,
  });
  return { auth, client, storage, owner, member, tenantId: tenant.body.id as string };
}

describe('POST /tenants/:tenantId/authorize', () => {
  it('grants through a role and names it', async () => {
    const { client, owner, tenantId } = await isolatedTenant();
    const res = await client.post(
      `/tenants/${tenantId}/authorize`,
      { action: 'member.remove' },
      owner.cookie,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      allowed: true,
      reason: expect.objectContaining({ kind: 'role', key: 'owner' }),
    });
  });

  it('applies an ownership condition and explains the decision, with its policies, to one who may read policies', async () => {
    const { auth, client, owner, tenantId } = await isolatedTenant();
    const me = owner.body.user.id;
    const asked = (address: string, body: Record<string, unknown>) =>
      httpClient(auth, address).post(`/tenants/${tenantId}/authorize`, body, owner.cookie);
    const outside = await asked('203.0.113.5', {
      action: 'document.update',
      resource: { type: 'document', ownerId: me },
      explain: true,
    });
    expect(outside.body).toMatchObject({
      allowed: false,
      reason: {
        kind: 'deny_policy',
        id: 'office-network',
        description: 'Documents only from the office network',
      },
    });
    expect(outside.body.explanation).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'policy:office-network', matched: true }),
        expect.objectContaining({
          rule: 'policy:own-documents',
          matched: true,
          description: 'Members may edit their own documents',
        }),
        expect.objectContaining({ rule: 'role:owner', matched: true }),
      ]),
    );
    expect(
      await client.post(`/tenants/${tenantId}/authorize`, { action: 'document.update' }, owner.cookie),
    ).toMatchObject({ body: { allowed: true, reason: { kind: 'role', key: 'owner' } } });
  });

  it('tells a member who cannot read policies the decision and a generic reason, never policy ids or conditions (explain leaked them)', async () => {
    const { client, member, tenantId } = await isolatedTenant();
    const me = member.body.user.id;
    const own = await client.post(
      `/tenants/${tenantId}/authorize`,
      { action: 'document.update', resource: { type: 'document', ownerId: me } },
      member.cookie,
    );
    expect(own.body).toEqual({ allowed: true, reason: { kind: 'undisclosed_policy', effect: 'allow' } });
    const theirs = await client.post(
      `/tenants/${tenantId}/authorize`,
      { action: 'document.update', resource: { type: 'document', ownerId: 'someone-else' }, explain: true },
      member.cookie,
    );
    expect(theirs.body).toEqual({
      allowed: false,
      reason: { kind: 'no_rule' },
      explanation: [
        { rule: 'role:viewer', effect: 'allow', matched: false, why: 'does not grant document.update' },
      ],
    });
    const text = JSON.stringify([own.body, theirs.body]);
    for (const secret of ['own-documents', 'office-network', '127.0.0.0', 'ownerId', 'Members may'])
      expect(text).not.toContain(secret);
  });

  it("refuses through requirePermission (the guards' 403) without naming the policy to a member who cannot read policies", async () => {
    const { auth, owner, member, tenantId } = await isolatedTenant();
    const outsideOffice = (userId: string) =>
      auth.api
        .requirePermission({
          userId,
          tenantId,
          action: 'document.update',
          resource: { type: 'document', ownerId: userId },
          ip: '203.0.113.5',
        })
        .then(
          () => null,
          (error: unknown) => (isAuthError(error, 'forbidden') ? error.reason : error),
        );
    expect(await outsideOffice(member.body.user.id)).toEqual({ kind: 'undisclosed_policy', effect: 'deny' });
    // the owner may read the policies: the refusal names the one that decided
    expect(await outsideOffice(owner.body.user.id)).toMatchObject({
      kind: 'deny_policy',
      id: 'office-network',
    });
  });

  it('shows the full explanation to a member whose role grants policy.manage even when a policy denies it', async () => {
    const { auth, client, owner, member, tenantId } = await isolatedTenant({
      authorization: {
        policies: [
          ...policies,
          { id: 'no-policy-admin', effect: 'deny', actions: ['policy.manage'], resource: 'policy' },
        ],
      },
    });
    await auth.api.createRole(tenantId, owner.body.user.id, {
      key: 'auditor',
      name: 'Auditor',
      permissions: ['tenant.read', 'policy.manage'],
    });
    await auth.api.updateMember(tenantId, owner.body.user.id, member.body.user.id, { roles: ['auditor'] });
    const res = await client.post(
      `/tenants/${tenantId}/authorize`,
      {
        action: 'document.update',
        resource: { type: 'document', ownerId: member.body.user.id },
        explain: true,
      },
      member.cookie,
    );
    expect(res.body.reason).toMatchObject({ kind: 'policy', id: 'own-documents' });
    expect(res.body.explanation.map((e: { rule: string }) => e.rule)).toContain('policy:office-network');
  });

  it('lets a deny on the client address win, and ignores context the caller claims for itself', async () => {
    const { auth, member, tenantId } = await isolatedTenant();
    const outside = httpClient(auth, '203.0.113.5');
    const res = await outside.post(
      `/tenants/${tenantId}/authorize`,
      {
        action: 'document.update',
        resource: { type: 'document', ownerId: member.body.user.id },
        context: { ip: '127.0.0.1', mfa: true },
      },
      member.cookie,
    );
    expect(res.body).toEqual({ allowed: false, reason: { kind: 'undisclosed_policy', effect: 'deny' } });
  });

  it('answers 404 to non-members and 400 to an action pattern', async () => {
    const { client, owner, tenantId } = await isolatedTenant();
    const stranger = await client.signUp(uniqueEmail('stranger'));
    expect(
      (await client.post(`/tenants/${tenantId}/authorize`, { action: 'member.read' }, stranger.cookie))
        .status,
    ).toBe(404);
    const pattern = await client.post(`/tenants/${tenantId}/authorize`, { action: 'member.*' }, owner.cookie);
    expect(pattern.status).toBe(400);
    expect(pattern.body.code).toBe('invalid_request');
  });
});

describe('auth.api authorization', () => {
  it('turns the same rules into a filter for listing', async () => {
    const { auth, member, tenantId } = await isolatedTenant();
    const filter = await auth.api.authorizationFilter({
      userId: member.body.user.id,
      tenantId,
      action: 'document.update',
      resourceType: 'document',
      ip: '127.0.0.1',
    });
    expect(filter).toEqual({
      kind: 'condition',
      condition: { eq: [{ ref: 'resource.ownerId' }, member.body.user.id] },
    });
    expect(
      await auth.api.authorizationFilter({
        userId: 'nobody',
        tenantId,
        action: 'document.update',
        resourceType: 'document',
      }),
    ).toEqual({ kind: 'none' });
  });

  it("picks up a policy written behind Portcullis's back once the cache revalidates and the version moved", async () => {
    const clock = fakeClock();
    const { auth, storage, member, tenantId } = await isolatedTenant({
      authorization: { policies: [], revalidateAfterMs: 500 },
      clock,
    });
    const ask = () => auth.api.authorize({ userId: member.body.user.id, tenantId, action: 'report.export' });
    expect((await ask()).allowed).toBe(false);
    const now = clock.now();
    await storage.policies.create({
      id: 'exports',
      tenantId,
      effect: 'allow',
      actions: ['report.export'],
      resource: 'report',
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    // the raw adapter, not auth's storage: no invalidation reaches the cache
    expect((await ask()).allowed).toBe(false);
    clock.advance(1);
    // revalidated: the version did not move, so the cached authorizer stays
    expect((await ask()).allowed).toBe(false);
    await storage.authorizationVersions.bumpPoliciesVersion(tenantId);
    expect((await ask()).allowed).toBe(false);
    clock.advance(1);
    expect(await ask()).toMatchObject({ allowed: true, reason: { kind: 'policy', id: 'exports' } });
  });

  it('refuses invalid code-defined policies at start', () => {
    try {
      testAuth({
        authorization: {
          policies: [
            {
              id: 'bad',
              effect: 'allow',
              actions: ['x.y'],
              resource: 'x',
              condition: { zz: [1, 2] },
            } as never,
          ],
        },
      });
      throw new Error('accepted');
    } catch (error) {
      expect(isAuthError(error, 'config_invalid')).toBe(true);
    }
  });
});
