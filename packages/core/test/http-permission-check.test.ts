import { describe, expect, it } from 'vitest';
import type { PolicyDefinition } from '../src/authorization/policy.js';
import { memoryStorage } from '../src/memory/index.js';
import { httpClient, PASSWORD, testAuth, uniqueEmail } from './support.js';

const slug = () => `gates-${Math.random().toString(36).slice(2, 10)}`;

/** Members may update their own documents; nobody touches documents from outside 127/8. */
const policies: Array<Omit<PolicyDefinition, 'tenantId'>> = [
  {
    id: 'own-documents',
    effect: 'allow',
    actions: ['document.update'],
    resource: 'document',
    condition: { eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] },
  },
  {
    id: 'office-network',
    effect: 'deny',
    actions: ['document.*'],
    resource: 'document',
    condition: { not: { cidr: [{ ref: 'context.ip' }, '127.0.0.0/8'] } },
  },
];

/**
 * An isolated tenant with its owner and a viewer, over HTTP. The storage's membership lookup is
 * counted (a spy on the real memory store: it still answers).
 */
async function gatedTenant(config = {}) {
  const storage = memoryStorage();
  const find = storage.memberships.find.bind(storage.memberships);
  const lookups = { count: 0 };
  storage.memberships.find = (tenantId, userId) => {
    lookups.count++;
    return find(tenantId, userId);
  };
  const { auth, client } = testAuth({ storage, authorization: { policies }, ...config });
  const owner = await client.signUp(uniqueEmail('owner'));
  const s = slug();
  const tenant = await client.post('/tenants', { slug: s, name: 'Docs', userPool: 'isolated' }, owner.cookie);
  const viewer = await client.post('/signup', {
    email: uniqueEmail('viewer'),
    password: PASSWORD,
    tenant: s,
  });
  const tenantId = tenant.body.id as string;
  const check = (checks: unknown, cookie: string | null, from = client) =>
    from.post(`/tenants/${tenantId}/permissions/check`, { checks }, cookie);
  return { auth, client, owner, viewer, tenantId, lookups, check };
}

describe('POST /tenants/:tenantId/permissions/check', () => {
  it('answers each check in order, as POST /authorize answers it, for the signed-in member', async () => {
    const { auth, client, viewer, tenantId, check } = await gatedTenant();
    const me = viewer.body.user.id;
    const checks = [
      { action: 'member.remove' },
      { action: 'tenant.read' },
      { action: 'document.update', resource: { type: 'document', ownerId: me } },
      { action: 'document.update', resource: { type: 'document', ownerId: 'someone-else' } },
      { action: 'member.remove' },
      { action: 'document.update' },
    ];

    for (const from of [client, httpClient(auth, '203.0.113.5')]) {
      const res = await check(checks, viewer.cookie, from);
      expect(res.status).toBe(200);
      const one = await Promise.all(
        checks.map(
          async (body) =>
            (await from.post(`/tenants/${tenantId}/authorize`, body, viewer.cookie)).body.allowed as boolean,
        ),
      );
      expect(res.body).toStrictEqual({ results: one.map((allowed) => ({ allowed })) });
    }
    // the decisions themselves: roles, a condition on the resource, and the deny on the address
    expect(
      (await check(checks, viewer.cookie)).body.results.map((r: { allowed: boolean }) => r.allowed),
    ).toEqual([false, true, true, false, false, false]);
    const outside = await check(checks, viewer.cookie, httpClient(auth, '203.0.113.5'));
    expect(outside.body.results[2]).toEqual({ allowed: false });
  });

  it('reads the membership once for a page of gates', async () => {
    const { viewer, lookups, check } = await gatedTenant();
    const checks = [
      ...['tenant.read', 'tenant.update', 'member.read', 'member.update', 'member.remove'].map((action) => ({
        action,
      })),
      ...Array.from({ length: 15 }, (_, i) => ({
        action: 'document.update',
        resource: { type: 'document', ownerId: i % 2 ? viewer.body.user.id : `other-${i}` },
      })),
    ];
    lookups.count = 0;

    const res = await check(checks, viewer.cookie);

    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(20);
    expect(lookups.count).toBe(1);
  });

  it('answers a non-member and an unknown tenant with the same 404 as /authorize', async () => {
    const { client, tenantId, check } = await gatedTenant();
    const stranger = await client.signUp(uniqueEmail('stranger'));
    const outsider = await check([{ action: 'tenant.read' }], stranger.cookie);
    const authorize = await client.post(
      `/tenants/${tenantId}/authorize`,
      { action: 'tenant.read' },
      stranger.cookie,
    );
    expect([outsider.status, outsider.body.code]).toEqual([404, 'not_found']);
    expect(outsider.body.detail).toBe(authorize.body.detail);
    const unknown = await client.post(
      '/tenants/0190a0c0-0000-7000-8000-000000000000/permissions/check',
      { checks: [{ action: 'tenant.read' }] },
      stranger.cookie,
    );
    expect([unknown.status, unknown.body.code]).toEqual([404, 'not_found']);
    expect((await check([{ action: 'tenant.read' }], null)).status).toBe(401);
  });

  it('validates each check as /authorize does, and 1 to 50 of them', async () => {
    const { viewer, check } = await gatedTenant();
    const bad: [string, unknown][] = [
      ['none', []],
      ['51', Array.from({ length: 51 }, () => ({ action: 'tenant.read' }))],
      ['a pattern', [{ action: 'tenant.read' }, { action: 'member.*' }]],
      ['no action', [{ resource: { type: 'document' } }]],
      ['a resource without a type', [{ action: 'document.update', resource: { ownerId: 'x' } }]],
      ['an unknown field', [{ action: 'tenant.read', explain: true }]],
      ['not an array', { action: 'tenant.read' }],
    ];
    for (const [label, checks] of bad) {
      const res = await check(checks, viewer.cookie);
      expect([res.status, res.body.code], label).toEqual([400, 'invalid_request']);
      expect(res.headers.get('content-type'), label).toMatch(/application\/problem\+json/);
    }
    expect(
      (
        await check(
          Array.from({ length: 50 }, () => ({ action: 'tenant.read' })),
          viewer.cookie,
        )
      ).status,
    ).toBe(200);
  });

  it('refuses an action outside the permission catalog with 422 unknown_permission, naming its checks', async () => {
    const { owner, check } = await gatedTenant({
      authorization: { policies, permissions: { document: ['read', 'update'] } },
    });
    const res = await check(
      [
        { action: 'document.read' },
        { action: 'documnet.read' },
        { action: 'tenant.read' },
        { action: 'documnet.read' },
      ],
      owner.cookie,
    );
    expect([res.status, res.body.code]).toEqual([422, 'unknown_permission']);
    expect(res.body.issues).toEqual([
      { path: 'checks.1.action', message: 'unknown resource "documnet"' },
      { path: 'checks.3.action', message: 'unknown resource "documnet"' },
    ]);
  });
});
