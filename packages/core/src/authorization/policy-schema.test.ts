import { describe, expect, it } from 'vitest';
import { conditionSchema, policyDefinitionSchema, policyInputSchema } from './policy-schema.js';

function issuesOf(condition: unknown) {
  const result = conditionSchema.safeParse(condition);
  return result.success
    ? []
    : result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

function nested(depth: number): unknown {
  let condition: unknown = { eq: [{ ref: 'subject.id' }, 'u1'] };
  for (let i = 1; i < depth; i++) condition = { not: condition };
  return condition;
}

describe('conditionSchema', () => {
  it('accepts the DESIGN §5 example and every operator', () => {
    expect(issuesOf({ eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] })).toEqual([]);
    expect(
      issuesOf({
        and: [
          { ne: [{ ref: 'resource.status' }, 'archived'] },
          {
            or: [
              { lt: [{ ref: 'context.hour' }, 18] },
              { gte: [{ ref: 'context.now' }, '2025-01-01T00:00:00Z'] },
            ],
          },
          { not: { in: [{ ref: 'subject.attributes.department' }, ['sales', 'legal']] } },
          { contains: [{ ref: 'resource.tags' }, 'public'] },
          { startsWith: [{ ref: 'resource.path' }, '/shared/'] },
          { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] },
          { cidr: [{ ref: 'context.ip' }, '2001:db8::/32'] },
          { eq: [{ ref: 'resource.deletedAt' }, null] },
          { lte: [{ ref: 'context.authAgeSeconds' }, 300] },
          { gt: [{ ref: 'resource.size' }, 0] },
        ],
      }),
    ).toEqual([]);
  });

  it('rejects an unknown operator with its path', () => {
    expect(issuesOf({ and: [{ regex: [{ ref: 'subject.id' }, '.*'] }] })).toEqual([
      { path: 'and.0', message: expect.stringContaining('unknown operator "regex"') },
    ]);
  });

  it('rejects malformed references: unknown root, empty segment, prototype segments', () => {
    expect(issuesOf({ eq: [{ ref: 'user.id' }, 1] })[0]).toMatchObject({ path: 'eq.0.ref' });
    expect(issuesOf({ eq: [{ ref: 'subject..id' }, 1] })[0]?.message).toContain('empty segment');
    expect(issuesOf({ eq: [{ ref: 'subject' }, 1] })[0]?.message).toContain('names no attribute');
    for (const bad of ['__proto__', 'constructor', 'prototype']) {
      expect(issuesOf({ eq: [{ ref: `resource.${bad}.x` }, 1] })[0]?.message).toContain(
        `"${bad}" is not allowed`,
      );
    }
    expect(issuesOf({ eq: [{ ref: 'subject.id', extra: 1 }, 1] })[0]?.path).toBe('eq.0');
  });

  it('rejects conditions nested deeper than 8 levels', () => {
    expect(issuesOf(nested(8))).toEqual([]);
    expect(issuesOf(nested(9))[0]?.message).toContain('deeper than 8');
    // hostile nesting is cut off, not walked
    expect(issuesOf(nested(100_000)).length).toBe(1);
  });

  it('rejects conditions with more than 64 nodes', () => {
    const leaf = { eq: [{ ref: 'subject.id' }, 'u'] };
    expect(issuesOf({ or: Array.from({ length: 63 }, () => leaf) })).toEqual([]);
    expect(issuesOf({ or: Array.from({ length: 64 }, () => leaf) })[0]?.message).toContain(
      'more than 64 nodes',
    );
  });

  it('rejects oversized literals and arrays', () => {
    const big = Array.from({ length: 1001 }, (_, i) => i);
    expect(issuesOf({ in: [{ ref: 'resource.id' }, big] })[0]).toMatchObject({
      path: 'in.1',
      message: expect.stringContaining('1000'),
    });
    expect(issuesOf({ eq: [{ ref: 'resource.id' }, 'x'.repeat(2000)] })[0]?.path).toBe('eq.1');
    expect(issuesOf({ in: [{ ref: 'resource.id' }, [{ a: 1 }]] })[0]?.path).toBe('in.1.0');
  });

  it('rejects invalid CIDR literals and IPs', () => {
    expect(issuesOf({ cidr: [{ ref: 'context.ip' }, '10.0.0.0/33'] })[0]?.path).toBe('cidr.1');
    expect(issuesOf({ cidr: [{ ref: 'context.ip' }, '10.0.0/8'] })[0]?.message).toContain('not a CIDR block');
    expect(issuesOf({ cidr: [{ ref: 'context.ip' }, 'fe80::/129'] })).toHaveLength(1);
    expect(issuesOf({ cidr: ['999.1.1.1', '10.0.0.0/8'] })[0]?.path).toBe('cidr.0');
  });

  it('rejects wrong operand kinds and arities', () => {
    expect(issuesOf({ eq: [{ ref: 'subject.id' }] })[0]?.message).toContain('exactly two operands');
    expect(issuesOf({ in: [{ ref: 'subject.id' }, 'sales'] })[0]?.path).toBe('in.1');
    expect(issuesOf({ lt: [{ ref: 'subject.id' }, true] })[0]?.path).toBe('lt.1');
    expect(issuesOf({ and: [] })[0]?.message).toContain('non-empty array');
    expect(issuesOf({ eq: [1, 2], ne: [1, 2] })[0]?.message).toContain('exactly one key');
    expect(issuesOf('true')[0]?.path).toBe('');
  });
});

describe('policyInputSchema', () => {
  it('accepts a policy body and rejects bad actions and resource types', () => {
    expect(
      policyInputSchema.safeParse({
        effect: 'allow',
        actions: ['document.*', '*', 'document.read'],
        resource: 'document',
      }).success,
    ).toBe(true);
    const bad = policyInputSchema.safeParse({
      effect: 'permit',
      actions: ['document'],
      resource: 'a b',
      extra: 1,
    });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['effect', 'actions.0', 'resource']));
  });

  it('reports condition issues under condition.*', () => {
    const result = policyDefinitionSchema.safeParse({
      id: 'p1',
      tenantId: null,
      effect: 'deny',
      actions: ['*'],
      resource: '*',
      condition: { or: [{ cidr: [{ ref: 'context.ip' }, 'nope'] }] },
    });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['condition.or.0.cidr.1']);
  });
});
