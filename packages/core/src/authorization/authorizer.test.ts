import { describe, expect, it } from 'vitest';
import { isAuthError } from '../errors.js';
import { type AuthorizerRole, createAuthorizer } from './authorizer.js';
import type { PolicyDefinition } from './policy.js';

const T = 'tenant-a';
const role = (key: string, permissions: string[]): AuthorizerRole => ({
  id: `role-${key}`,
  tenantId: T,
  key,
  permissions,
});
const roles = [
  role('owner', ['*']),
  role('admin', ['document.*', 'member.read']),
  role('member', ['document.read', 'document.create']),
  role('viewer', ['document.read']),
];
const ownDocuments: PolicyDefinition = {
  id: 'own-documents',
  tenantId: null,
  effect: 'allow',
  actions: ['document.update', 'document.delete'],
  resource: 'document',
  condition: { eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] },
};
const officeNetworkOnly: PolicyDefinition = {
  id: 'office-network-only',
  tenantId: T,
  effect: 'deny',
  actions: ['document.delete'],
  resource: '*',
  condition: { not: { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] } },
};
const noNightEdits: PolicyDefinition = {
  id: 'no-night-edits',
  tenantId: T,
  effect: 'deny',
  actions: ['document.update'],
  resource: 'document',
  condition: { lt: [{ ref: 'context.now' }, { ref: 'resource.embargoUntil' }] },
};
const member = { id: 'u1', roles: ['member'] };
const doc = (ownerId: string, extra: Record<string, unknown> = {}) => ({
  type: 'document',
  ownerId,
  ...extra,
});

describe('RBAC only', () => {
  const authorizer = createAuthorizer({ tenantId: T, roles, policies: [] });

  it('allows an action a role grants, naming the role', () => {
    expect(authorizer.decide({ subject: member, action: 'document.read' })).toEqual({
      allowed: true,
      reason: { kind: 'role', id: 'role-member', key: 'member' },
    });
  });

  it('denies with no_rule when no role grants the action', () => {
    expect(authorizer.decide({ subject: member, action: 'document.delete' })).toEqual({
      allowed: false,
      reason: { kind: 'no_rule' },
    });
  });

  it('honours wildcards: document.* and *', () => {
    const admin = { id: 'u2', roles: ['admin'] };
    expect(authorizer.decide({ subject: admin, action: 'document.delete' }).allowed).toBe(true);
    expect(authorizer.decide({ subject: admin, action: 'invoice.read' }).allowed).toBe(false);
    expect(
      authorizer.decide({ subject: { id: 'u3', roles: ['owner'] }, action: 'anything.at_all' }).reason,
    ).toEqual({
      kind: 'role',
      id: 'role-owner',
      key: 'owner',
    });
    // `document.*` must not cover `documents.read`
    expect(authorizer.decide({ subject: admin, action: 'documents.read' }).allowed).toBe(false);
  });

  it('ignores role keys the tenant does not define', () => {
    expect(
      authorizer.decide({ subject: { id: 'u1', roles: ['superuser'] }, action: 'document.read' }).allowed,
    ).toBe(false);
  });

  it('decides many resources at once, in order', () => {
    const decisions = authorizer.decideMany(member, 'document.read', [doc('u1'), doc('u2')]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true]);
  });
});

describe('RBAC + ownership condition', () => {
  const authorizer = createAuthorizer({ tenantId: T, roles, policies: [ownDocuments] });

  it('lets a member update their own document through the policy', () => {
    expect(authorizer.decide({ subject: member, action: 'document.update', resource: doc('u1') })).toEqual({
      allowed: true,
      reason: { kind: 'policy', id: 'own-documents' },
    });
  });

  it("denies a member updating someone else's document", () => {
    expect(authorizer.decide({ subject: member, action: 'document.update', resource: doc('u2') })).toEqual({
      allowed: false,
      reason: { kind: 'no_rule' },
    });
  });

  it('lets an admin update any document through the role', () => {
    const admin = { id: 'u9', roles: ['admin'] };
    expect(
      authorizer.decide({ subject: admin, action: 'document.update', resource: doc('u2') }).reason,
    ).toEqual({
      kind: 'role',
      id: 'role-admin',
      key: 'admin',
    });
  });

  it('does not apply a policy to another resource type', () => {
    const invoice = { type: 'invoice', ownerId: 'u1' };
    expect(authorizer.decide({ subject: member, action: 'document.update', resource: invoice }).allowed).toBe(
      false,
    );
  });

  it('batch: allows exactly the documents the member owns', () => {
    const decisions = authorizer.decideMany(member, 'document.update', [doc('u1'), doc('u2'), doc('u1')]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, false, true]);
  });
});

describe('time- and IP-restricted deny', () => {
  const authorizer = createAuthorizer({
    tenantId: T,
    roles,
    policies: [ownDocuments, officeNetworkOnly, noNightEdits],
  });
  const admin = { id: 'u9', roles: ['admin'] };

  it('a deny overrides a role that grants the action', () => {
    expect(
      authorizer.decide({
        subject: admin,
        action: 'document.delete',
        resource: doc('u1'),
        context: { ip: '203.0.113.7' },
      }),
    ).toEqual({ allowed: false, reason: { kind: 'deny_policy', id: 'office-network-only' } });
  });

  it('the deny does not apply inside the allowed network (IPv4, IPv4-mapped IPv6)', () => {
    for (const ip of ['10.1.2.3', '::ffff:10.9.9.9']) {
      expect(
        authorizer.decide({ subject: admin, action: 'document.delete', resource: doc('u1'), context: { ip } })
          .allowed,
      ).toBe(true);
    }
  });

  it('compares times: Dates against ISO strings', () => {
    const embargoed = doc('u1', { embargoUntil: '2030-01-01T00:00:00Z' });
    const now = new Date('2029-12-31T23:00:00Z');
    expect(
      authorizer.decide({
        subject: member,
        action: 'document.update',
        resource: embargoed,
        context: { now },
      }),
    ).toEqual({ allowed: false, reason: { kind: 'deny_policy', id: 'no-night-edits' } });
    const later = { now: new Date('2030-01-02T00:00:00Z') };
    expect(
      authorizer.decide({ subject: member, action: 'document.update', resource: embargoed, context: later })
        .allowed,
    ).toBe(true);
  });
});

describe('missing attributes', () => {
  const authorizer = createAuthorizer({ tenantId: T, roles, policies: [ownDocuments, officeNetworkOnly] });
  const admin = { id: 'u9', roles: ['admin'] };

  it('a deny whose condition cannot be evaluated denies, with reason missing_attribute', () => {
    expect(authorizer.decide({ subject: admin, action: 'document.delete', resource: doc('u1') })).toEqual({
      allowed: false,
      reason: { kind: 'missing_attribute', id: 'office-network-only', effect: 'deny' },
    });
  });

  it('an allow whose condition cannot be evaluated does not grant, and says why', () => {
    expect(
      authorizer.decide({ subject: member, action: 'document.update', resource: { type: 'document' } }),
    ).toEqual({
      allowed: false,
      reason: { kind: 'missing_attribute', id: 'own-documents', effect: 'allow' },
    });
  });

  it('null counts as missing; never throws on odd input', () => {
    const odd = [null, {}, [], 5, 'x', { nested: { deep: 1 } }];
    for (const ownerId of odd) {
      expect(() =>
        authorizer.decide({
          subject: member,
          action: 'document.update',
          resource: doc('x', { ownerId }),
          context: { ip: 7 },
        }),
      ).not.toThrow();
    }
    expect(
      authorizer.decide({ subject: member, action: 'document.update', resource: doc('x', { ownerId: null }) })
        .allowed,
    ).toBe(false);
  });

  it('does not read through the prototype chain', () => {
    const sneaky = createAuthorizer({
      tenantId: T,
      roles: [],
      policies: [{ ...ownDocuments, condition: { ne: [{ ref: 'resource.toString' }, null] } }],
    });
    expect(sneaky.decide({ subject: member, action: 'document.update', resource: doc('u1') }).allowed).toBe(
      false,
    );
  });
});

describe('explain', () => {
  const authorizer = createAuthorizer({ tenantId: T, roles, policies: [ownDocuments, officeNetworkOnly] });

  it('lists every rule considered and why it matched or not', () => {
    const decision = authorizer.decide({
      subject: { id: 'u1', roles: ['viewer', 'member'] },
      action: 'document.delete',
      resource: doc('u1'),
      context: { ip: '10.0.0.1' },
      explain: true,
    });
    expect(decision.allowed).toBe(true);
    expect(decision.reason).toEqual({ kind: 'policy', id: 'own-documents' });
    expect(decision.explanation).toEqual([
      { rule: 'policy:office-network-only', effect: 'deny', matched: false, why: 'condition is false' },
      { rule: 'role:viewer', effect: 'allow', matched: false, why: 'does not grant document.delete' },
      { rule: 'role:member', effect: 'allow', matched: false, why: 'does not grant document.delete' },
      { rule: 'policy:own-documents', effect: 'allow', matched: true, why: 'condition is true' },
    ]);
  });

  it('names the missing attribute and the covering wildcard', () => {
    const decision = authorizer.decide({
      subject: { id: 'u2', roles: ['admin'] },
      action: 'document.delete',
      resource: doc('u1'),
      explain: true,
    });
    expect(decision.explanation).toEqual([
      {
        rule: 'policy:office-network-only',
        effect: 'deny',
        matched: true,
        why: 'condition cannot be evaluated (missing context.ip); a deny applies then',
      },
      {
        rule: 'role:admin',
        effect: 'allow',
        matched: true,
        why: 'grants document.*, which covers document.delete',
      },
      { rule: 'policy:own-documents', effect: 'allow', matched: false, why: 'condition is false' },
    ]);
  });

  it('without explain returns no explanation', () => {
    expect('explanation' in authorizer.decide({ subject: member, action: 'document.read' })).toBe(false);
  });
});

describe('tenant binding', () => {
  it('refuses to build from another tenant’s role or policy', () => {
    const foreignRole = { ...role('member', ['*']), tenantId: 'tenant-b' };
    expect(() => createAuthorizer({ tenantId: T, roles: [foreignRole], policies: [] })).toThrow(
      /another tenant/,
    );
    const foreignPolicy = { ...ownDocuments, tenantId: 'tenant-b' };
    try {
      createAuthorizer({ tenantId: T, roles, policies: [foreignPolicy] });
      expect.unreachable();
    } catch (error) {
      expect(isAuthError(error, 'invalid_request')).toBe(true);
    }
  });

  it('refuses a subject of another tenant', () => {
    const authorizer = createAuthorizer({ tenantId: T, roles, policies: [] });
    expect(() =>
      authorizer.decide({
        subject: { id: 'u1', roles: ['owner'], tenantId: 'tenant-b' },
        action: 'document.read',
      }),
    ).toThrow(expect.objectContaining({ code: 'tenant_access_denied' }));
  });

  it('refuses an invalid policy condition at build time', () => {
    const broken = { ...ownDocuments, condition: { regex: [1, 2] } } as unknown as PolicyDefinition;
    expect(() => createAuthorizer({ tenantId: T, roles, policies: [broken] })).toThrow(/own-documents/);
  });
});
