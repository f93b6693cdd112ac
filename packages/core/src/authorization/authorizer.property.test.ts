import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AuthorizerRole, createAuthorizer, type DecisionRequest } from './authorizer.js';
import type { Condition, PolicyDefinition } from './policy.js';
import { compileCondition, FALSE, TRUE, UNKNOWN } from './policy-compiler.js';
import { findConditionIssues } from './policy-schema.js';

// ---- a deliberately naive reference evaluator: interprets the JSON on every call -------------

type Tri = 'T' | 'F' | 'U';
type Bag = Record<string, unknown> | undefined;

function lookup(ref: string, roots: { subject: Bag; resource: Bag; context: Bag }): unknown {
  const [root, ...path] = ref.split('.');
  let value: unknown = roots[root as 'subject'];
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value === null ? undefined : value;
}

function millis(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

function refEquals(a: unknown, b: unknown): Tri {
  if (a instanceof Date || b instanceof Date) {
    const x = millis(a);
    const y = millis(b);
    return x === undefined || y === undefined ? 'U' : x === y ? 'T' : 'F';
  }
  if (typeof a === 'object' || typeof b === 'object') return 'U';
  return a === b ? 'T' : 'F';
}

function ipv4ToNumber(ip: string): number | undefined {
  const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

function refCidr(ip: unknown, block: unknown): Tri {
  // the generators only produce IPv4 (and IPv4-mapped) addresses and IPv4 blocks
  if (typeof ip !== 'string' || typeof block !== 'string') return 'U';
  const [network, bits] = block.split('/');
  const address = ipv4ToNumber(ip);
  const base = ipv4ToNumber(network ?? '');
  if (address === undefined || base === undefined || !/^\d+$/.test(bits ?? '') || Number(bits) > 32)
    return 'U';
  const size = 2 ** (32 - Number(bits));
  return Math.floor(address / size) === Math.floor(base / size) ? 'T' : 'F';
}

function reference(condition: unknown, roots: { subject: Bag; resource: Bag; context: Bag }): Tri {
  const node = condition as Record<string, unknown>;
  const [op] = Object.keys(node);
  if (op === 'and') {
    const values = (node.and as unknown[]).map((c) => reference(c, roots));
    return values.includes('F') ? 'F' : values.includes('U') ? 'U' : 'T';
  }
  if (op === 'or') {
    const values = (node.or as unknown[]).map((c) => reference(c, roots));
    return values.includes('T') ? 'T' : values.includes('U') ? 'U' : 'F';
  }
  if (op === 'not') {
    const value = reference(node.not, roots);
    return value === 'U' ? 'U' : value === 'T' ? 'F' : 'T';
  }
  const [l, r] = node[op!] as [unknown, unknown];
  const read = (o: unknown) =>
    o !== null && typeof o === 'object' && !Array.isArray(o) ? lookup((o as { ref: string }).ref, roots) : o;
  if ((op === 'eq' || op === 'ne') && (l === null || r === null)) {
    const missing = read(l === null ? r : l) === undefined;
    return (op === 'eq') === missing ? 'T' : 'F';
  }
  const a = read(l);
  const b = read(r);
  if (a === undefined || a === null || b === undefined || b === null) return 'U';
  switch (op) {
    case 'eq':
      return refEquals(a, b);
    case 'ne': {
      const e = refEquals(a, b);
      return e === 'U' ? 'U' : e === 'T' ? 'F' : 'T';
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      let diff: number;
      if (typeof a === 'number' && typeof b === 'number') diff = a - b;
      else if (a instanceof Date || b instanceof Date) {
        const x = millis(a);
        const y = millis(b);
        if (x === undefined || y === undefined) return 'U';
        diff = x - y;
      } else if (typeof a === 'string' && typeof b === 'string') diff = a === b ? 0 : a < b ? -1 : 1;
      else return 'U';
      const holds = op === 'lt' ? diff < 0 : op === 'lte' ? diff <= 0 : op === 'gt' ? diff > 0 : diff >= 0;
      return holds ? 'T' : 'F';
    }
    case 'in':
      if (!Array.isArray(b) || (typeof a === 'object' && !(a instanceof Date))) return 'U';
      return b.some((x) => refEquals(x, a) === 'T') ? 'T' : 'F';
    case 'contains':
      if (Array.isArray(a)) {
        if (typeof b === 'object' && !(b instanceof Date)) return 'U';
        return a.some((x) => refEquals(x, b) === 'T') ? 'T' : 'F';
      }
      if (typeof a === 'string' && typeof b === 'string') return a.indexOf(b) >= 0 ? 'T' : 'F';
      return 'U';
    case 'startsWith':
      return typeof a === 'string' && typeof b === 'string' ? (a.slice(0, b.length) === b ? 'T' : 'F') : 'U';
    case 'cidr':
      return refCidr(a, b);
  }
  throw new Error(`reference evaluator: unknown op ${op}`);
}

// ---- generators ------------------------------------------------------------------------------

const scalar = fc.oneof(
  fc.constantFrom('a', 'b', 'ab', 'ba', '', 'u1', 'u2'),
  fc.integer({ min: -2, max: 3 }),
  fc.boolean(),
);
const timeLiteral = fc.constantFrom('2025-01-01T00:00:00Z', '2025-06-01T12:00:00Z', '2026-01-01');
const ipLiteral = fc.constantFrom('10.0.0.1', '10.200.3.4', '192.168.1.9', '::ffff:10.0.0.7', '8.8.8.8');
const anyValue = fc.oneof(
  scalar,
  fc.constant(null),
  fc.array(scalar, { maxLength: 3 }),
  timeLiteral,
  timeLiteral.map((t) => new Date(t)),
  ipLiteral,
  fc.constant({ nested: 'object' }),
);
const attributeNames = ['id', 'ownerId', 'dept', 'level', 'tags', 'ip', 'now', 'title'] as const;
const bag = fc.dictionary(fc.constantFrom(...attributeNames), anyValue, { maxKeys: 6 });

const refs = fc.constantFrom(
  ...['subject', 'resource', 'context'].flatMap((root) => attributeNames.map((name) => `${root}.${name}`)),
  'subject.attributes.dept',
  'subject.attributes.level',
  'resource.missing.deeper',
);
const literal = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 3 }),
  timeLiteral,
  ipLiteral,
  fc.constant(null),
);
const cidrLiteral = fc.constantFrom('10.0.0.0/8', '10.0.0.0/24', '192.168.0.0/16', '0.0.0.0/0', '8.8.8.8/32');
const operand = fc.oneof(
  { weight: 3, arbitrary: refs.map((ref) => ({ ref })) },
  { weight: 2, arbitrary: literal },
);
const comparison = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'contains', 'startsWith'),
      operand,
      operand,
    )
    .map(([op, l, r]) => ({ [op]: [l, r] })),
  fc
    .tuple(
      refs,
      fc.oneof(
        cidrLiteral,
        refs.map((ref) => ({ ref })),
      ),
    )
    .map(([ref, block]) => ({
      cidr: [{ ref }, block],
    })),
);
const conditionArb: fc.Arbitrary<Condition> = fc
  .letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      comparison,
      fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
      fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
      tie('node').map((not) => ({ not })),
    ),
  }))
  .node.filter((c) => findConditionIssues(c).length === 0) as fc.Arbitrary<Condition>;

const TRUTH = { [TRUE]: 'T', [FALSE]: 'F', [UNKNOWN]: 'U' } as const;

describe('compiled conditions agree with a naive reference evaluator', () => {
  it('on random conditions and inputs (three-valued)', () => {
    fc.assert(
      fc.property(
        conditionArb,
        bag,
        fc.option(bag, { nil: undefined }),
        fc.option(bag, { nil: undefined }),
        (condition, subjectBag, resource, context) => {
          const subject = { ...subjectBag, attributes: { dept: subjectBag.dept, level: subjectBag.level } };
          const compiled = compileCondition(condition);
          expect(TRUTH[compiled(subject, resource, context)]).toBe(
            reference(condition, { subject, resource, context }),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });
});

// ---- whole decisions -------------------------------------------------------------------------

const actions = ['document.read', 'document.update', 'invoice.read', 'invoice.pay'];
const actionPatterns = fc.constantFrom(
  'document.read',
  'document.update',
  'document.*',
  'invoice.*',
  'invoice.pay',
  '*',
);
const roleKeys = ['owner', 'member', 'viewer', 'auditor'];

function rolesArb(tenantId: string): fc.Arbitrary<AuthorizerRole[]> {
  return fc
    .uniqueArray(fc.constantFrom(...roleKeys), { maxLength: 4 })
    .chain((keys) =>
      fc.tuple(
        ...keys.map((key) =>
          fc.uniqueArray(actionPatterns, { maxLength: 3 }).map((permissions) => ({ key, permissions })),
        ),
      ),
    )
    .map((list) =>
      list.map(({ key, permissions }) => ({ id: `${tenantId}:${key}`, tenantId, key, permissions })),
    );
}

function policiesArb(tenantId: string | null, prefix: string): fc.Arbitrary<PolicyDefinition[]> {
  return fc
    .array(
      fc.record({
        effect: fc.constantFrom('allow' as const, 'deny' as const),
        actions: fc.uniqueArray(actionPatterns, { minLength: 1, maxLength: 2 }),
        resource: fc.constantFrom('document', 'invoice', '*'),
        condition: fc.option(conditionArb, { nil: undefined }),
      }),
      { maxLength: 4 },
    )
    .map((list) => list.map((p, i) => ({ ...p, id: `${prefix}${i}`, tenantId })));
}

const subjectArb = fc.record({
  id: fc.constantFrom('u1', 'u2'),
  roles: fc.uniqueArray(fc.constantFrom(...roleKeys, 'ghost'), { maxLength: 2 }),
  attributes: bag,
  dept: fc.option(anyValue, { nil: undefined }),
  level: fc.option(anyValue, { nil: undefined }),
});
const resourceArb = fc
  .tuple(fc.constantFrom('document', 'invoice'), bag)
  .map(([type, attrs]) => ({ ...attrs, type }));

function referenceDecide(
  roles: AuthorizerRole[],
  policies: PolicyDefinition[],
  request: DecisionRequest,
): boolean {
  const covers = (granted: string, action: string) =>
    granted === '*' ||
    granted === action ||
    (granted.endsWith('.*') && action.startsWith(granted.slice(0, -1)));
  const type = request.resource?.type ?? request.action.split('.')[0];
  const roots = {
    subject: request.subject as Bag,
    resource: request.resource as Bag,
    context: request.context as Bag,
  };
  const applicable = policies.filter(
    (p) => p.actions.some((a) => covers(a, request.action)) && (p.resource === '*' || p.resource === type),
  );
  const truth = (p: PolicyDefinition) => (p.condition ? reference(p.condition, roots) : 'T');
  if (applicable.some((p) => p.effect === 'deny' && truth(p) !== 'F')) return false;
  const byRole = roles.some(
    (r) =>
      request.subject.roles.includes(r.key) && r.permissions.some((perm) => covers(perm, request.action)),
  );
  return byRole || applicable.some((p) => p.effect === 'allow' && truth(p) === 'T');
}

describe('decisions', () => {
  it('agree with the reference: deny wins (unknown denies), then roles, then allow policies', () => {
    fc.assert(
      fc.property(
        rolesArb('A'),
        policiesArb('A', 'p'),
        subjectArb,
        fc.constantFrom(...actions),
        fc.option(resourceArb, { nil: undefined }),
        fc.option(bag, { nil: undefined }),
        (roles, policies, subject, action, resource, context) => {
          const authorizer = createAuthorizer({ tenantId: 'A', roles, policies });
          const request = { subject, action, resource, context };
          const decision = authorizer.decide(request);
          expect(decision.allowed).toBe(referenceDecide(roles, policies, request));
          expect(authorizer.decide({ ...request, explain: true }).allowed).toBe(decision.allowed);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('the authorization filter keeps exactly the resources decide() allows', () => {
    fc.assert(
      fc.property(
        rolesArb('A'),
        policiesArb('A', 'p'),
        subjectArb,
        fc.constantFrom(...actions),
        fc.constantFrom('document', 'invoice'),
        fc.array(bag, { minLength: 1, maxLength: 6 }),
        fc.option(bag, { nil: undefined }),
        (roles, policies, subject, action, resourceType, bags, context) => {
          const authorizer = createAuthorizer({ tenantId: 'A', roles, policies });
          const resources = bags.map((b) => ({ ...b, type: resourceType }));
          const decisions = authorizer.decideMany(subject, action, resources, context);
          const filter = authorizer.authorizationFilter({ subject, action, resourceType, context });
          const keep =
            filter.kind === 'all'
              ? () => true
              : filter.kind === 'none'
                ? () => false
                : (r: Record<string, unknown>) =>
                    compileCondition(filter.condition as Condition)({}, r, undefined) === TRUE;
          expect(resources.map(keep)).toEqual(decisions.map((d) => d.allowed));
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('tenant isolation', () => {
  it("tenant B's roles and policies never change a decision in tenant A, and cannot be mixed in", () => {
    fc.assert(
      fc.property(
        rolesArb('A'),
        policiesArb('A', 'a'),
        policiesArb(null, 'g'),
        rolesArb('B'),
        policiesArb('B', 'b'),
        fc.array(
          fc.tuple(subjectArb, fc.constantFrom(...actions), fc.option(resourceArb, { nil: undefined })),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        (rolesA, policiesA, globals, rolesB, policiesB, requests) => {
          const before = createAuthorizer({
            tenantId: 'A',
            roles: rolesA,
            policies: [...policiesA, ...globals],
          });
          const answersBefore = requests.map(([subject, action, resource]) =>
            before.decide({ subject, action, resource }),
          );
          const b = createAuthorizer({ tenantId: 'B', roles: rolesB, policies: [...policiesB, ...globals] });
          for (const [subject, action, resource] of requests) b.decide({ subject, action, resource });
          const after = createAuthorizer({
            tenantId: 'A',
            roles: rolesA,
            policies: [...policiesA, ...globals],
          });
          for (const [i, [subject, action, resource]] of requests.entries()) {
            expect(before.decide({ subject, action, resource })).toEqual(answersBefore[i]);
            expect(after.decide({ subject, action, resource })).toEqual(answersBefore[i]);
          }
          if (rolesB.length > 0 || policiesB.length > 0) {
            expect(() =>
              createAuthorizer({
                tenantId: 'A',
                roles: [...rolesA, ...rolesB],
                policies: [...policiesA, ...policiesB],
              }),
            ).toThrow(/another tenant/);
          }
          for (const [subject, action] of requests) {
            expect(() => before.decide({ subject: { ...subject, tenantId: 'B' }, action })).toThrow();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
