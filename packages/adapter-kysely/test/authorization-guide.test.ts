import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKyselyFromUrl, kyselyStorage, migrate, toKyselyWhere } from '@portcullis/adapter-kysely';
import { type Auth, createAuth, silentLogger, uuidv7 } from '@portcullis/core';
import type { PolicyDefinition } from '@portcullis/core/authorization';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The worked examples of docs/authorization.md, run as written against SQLite through the Kysely
 * adapter. If a change here is needed, the guide needs the same change.
 */

const ownDocuments: Omit<PolicyDefinition, 'tenantId'> = {
  id: 'own-documents',
  effect: 'allow',
  actions: ['document.update', 'document.delete'],
  resource: 'document',
  condition: { eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] },
  description: 'Members may edit and delete their own documents',
};

const paymentsOfficeOnly: Omit<PolicyDefinition, 'tenantId'> = {
  id: 'payments-office-only',
  effect: 'deny',
  actions: ['payment.approve'],
  resource: 'payment',
  condition: {
    or: [
      { lt: [{ ref: 'context.utcHour' }, 8] },
      { gte: [{ ref: 'context.utcHour' }, 18] },
      { not: { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] } },
    ],
  },
};

const privateDocuments: Omit<PolicyDefinition, 'tenantId'> = {
  id: 'private-documents',
  effect: 'deny',
  actions: ['document.read'],
  resource: 'document',
  condition: {
    and: [
      { eq: [{ ref: 'resource.visibility' }, 'private'] },
      { ne: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] },
    ],
  },
};

let now = Date.UTC(2026, 10, 23, 10, 0, 0);
const clock = { now: () => new Date(now) };
const at = (utcHour: number) => {
  now = Date.UTC(2026, 10, 23, utcHour, 0, 0);
};

let dir: string;
// biome-ignore lint/suspicious/noExplicitAny: the app's own table, named at run time
let db: Kysely<any>;
let close: () => Promise<void>;
let auth: Auth;
let tenantId: string;
const ids = { owner: '', editor: '', viewer: '', otherViewer: '', outsider: '' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-guide-'));
  ({ db, close } = await createKyselyFromUrl(`sqlite:${join(dir, 'guide.sqlite')}`));
  await migrate(db, { direction: 'up' });
  auth = createAuth({
    storage: kyselyStorage(db),
    secret: 'guide-secret-0123456789-abcdefghijklmnop',
    baseURL: 'http://localhost:3000',
    logger: silentLogger,
    clock,
    outbox: { autoStart: false },
    authorization: {
      permissions: { document: ['read', 'create', 'update', 'delete'], payment: ['approve'] },
      policies: [ownDocuments, paymentsOfficeOnly, privateDocuments],
    },
    tenants: {
      defaultRoles: [
        { key: 'owner', name: 'Owner', permissions: ['*'] },
        { key: 'editor', name: 'Editor', permissions: ['tenant.read', 'member.read', 'document.*'] },
        { key: 'viewer', name: 'Viewer', permissions: ['tenant.read', 'document.read'] },
      ],
    },
  });
  for (const name of Object.keys(ids) as (keyof typeof ids)[]) {
    ids[name] = (await auth.api.createUser({ email: `${name}.${uuidv7().slice(-8)}@example.com` })).id;
  }
  tenantId = (await auth.api.createTenant(ids.owner, { slug: `guide-${uuidv7().slice(-8)}`, name: 'Guide' }))
    .id;
  // members join by invitation, as in an app
  const joinAs = async (userId: string, role: string) => {
    const { token } = await auth.api.createInvitation(tenantId, ids.owner, { roles: [role] });
    await auth.api.acceptInvitation(userId, token);
  };
  await joinAs(ids.editor, 'editor');
  await joinAs(ids.viewer, 'viewer');
  await joinAs(ids.otherViewer, 'viewer');
  await db.schema
    .createTable('documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .execute();
});

afterAll(async () => {
  await auth.close();
  await close();
  rmSync(dir, { recursive: true, force: true });
});

describe('docs/authorization.md, worked examples', () => {
  it('1. RBAC only: the role decides, and names itself', async () => {
    const ask = (userId: string) => auth.api.authorize({ userId, tenantId, action: 'document.create' });
    expect(await ask(ids.editor)).toMatchObject({ allowed: true, reason: { kind: 'role', key: 'editor' } });
    expect(await ask(ids.viewer)).toEqual({ allowed: false, reason: { kind: 'no_rule' } });
    expect(await ask(ids.outsider)).toEqual({ allowed: false, reason: { kind: 'not_member' } });
  });

  it('2. RBAC plus ownership: a viewer edits only what they own', async () => {
    const ask = (userId: string, resource?: { type: string; ownerId?: string }) =>
      auth.api.authorize({ userId, tenantId, action: 'document.update', ...(resource ? { resource } : {}) });
    const doc = { type: 'document', ownerId: ids.viewer };
    expect(await ask(ids.viewer, doc)).toMatchObject({
      allowed: true,
      reason: {
        kind: 'policy',
        id: 'own-documents',
        description: 'Members may edit and delete their own documents',
      },
    });
    expect(await ask(ids.otherViewer, doc)).toMatchObject({ allowed: false, reason: { kind: 'no_rule' } });
    expect(await ask(ids.viewer, { type: 'document' })).toEqual({
      allowed: false,
      reason: {
        kind: 'missing_attribute',
        id: 'own-documents',
        effect: 'allow',
        description: 'Members may edit and delete their own documents',
      },
    });
    expect((await ask(ids.editor, doc)).allowed).toBe(true);
  });

  it("3. a time- and network-restricted deny overrides even the owner's *", async () => {
    const ask = (ip: string | null) =>
      auth.api.authorize({ userId: ids.owner, tenantId, action: 'payment.approve', ip });
    at(10);
    expect(await ask('10.1.2.3')).toMatchObject({ allowed: true, reason: { kind: 'role', key: 'owner' } });
    expect(await ask('203.0.113.9')).toMatchObject({
      allowed: false,
      reason: { kind: 'deny_policy', id: 'payments-office-only' },
    });
    at(20);
    expect(await ask('10.1.2.3')).toMatchObject({ allowed: false, reason: { kind: 'deny_policy' } });
    at(10);
    expect(await ask(null)).toMatchObject({
      allowed: false,
      reason: { kind: 'missing_attribute', effect: 'deny' },
    });
    const explained = await auth.api.authorize({
      userId: ids.owner,
      tenantId,
      action: 'payment.approve',
      ip: '203.0.113.9',
      explain: true,
    });
    expect('explanation' in explained && explained.explanation).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'role:owner', effect: 'allow', matched: true }),
        expect.objectContaining({ rule: 'policy:payments-office-only', effect: 'deny', matched: true }),
      ]),
    );
  });

  it('4. list filtering: one query returns exactly what authorize allows row by row', async () => {
    const documents = [];
    for (const ownerId of [ids.editor, ids.viewer, ids.otherViewer]) {
      for (const visibility of ['private', 'tenant']) {
        documents.push({ id: uuidv7(), tenant_id: tenantId, owner_id: ownerId, visibility });
      }
    }
    documents.push({ id: uuidv7(), tenant_id: 'another-tenant', owner_id: ids.viewer, visibility: 'tenant' });
    await db.insertInto('documents').values(documents).execute();

    for (const userId of [ids.editor, ids.viewer, ids.otherViewer, ids.outsider]) {
      const filter = await auth.api.authorizationFilter({
        userId,
        tenantId,
        action: 'document.read',
        resourceType: 'document',
      });
      const rows = await db
        .selectFrom('documents')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where((eb) => toKyselyWhere(eb, filter, { ownerId: 'owner_id', visibility: 'visibility' }))
        .execute();
      const expected = [];
      for (const d of documents.filter((d) => d.tenant_id === tenantId)) {
        const decision = await auth.api.authorize({
          userId,
          tenantId,
          action: 'document.read',
          resource: { type: 'document', ownerId: d.owner_id, visibility: d.visibility },
        });
        if (decision.allowed) expected.push(d.id);
      }
      expect(rows.map((r) => r.id).sort()).toEqual(expected.sort());
    }
    // the viewer sees every shared document and only their own private one
    const viewerFilter = await auth.api.authorizationFilter({
      userId: ids.viewer,
      tenantId,
      action: 'document.read',
      resourceType: 'document',
    });
    const seen = await db
      .selectFrom('documents')
      .select(['owner_id', 'visibility'])
      .where('tenant_id', '=', tenantId)
      .where((eb) => toKyselyWhere(eb, viewerFilter, { ownerId: 'owner_id', visibility: 'visibility' }))
      .execute();
    expect(seen).toHaveLength(4);
    expect(seen.filter((r) => r.visibility === 'private').map((r) => r.owner_id)).toEqual([ids.viewer]);
  });
});
