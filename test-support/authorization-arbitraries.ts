import type { AuthorizerRole, Condition, PolicyDefinition } from '@portcullis/core/authorization';
import fc from 'fast-check';

// The model both adapters' filter tests share: documents, random translatable conditions and
// policies, subjects. Each adapter turns the filter into its own WHERE and checks the rows it
// returns against decide() on the same data.

export interface Doc {
  id: number;
  ownerId: string;
  dept: string | null;
  level: number | null;
  title: string;
}

// translatable conditions over typed attributes (text owner/dept/title, integer level)
export const ownerOperand = fc.oneof(fc.constant({ ref: 'subject.id' }), fc.constantFrom('u1', 'u2', 'u3'));
export const deptOperand = fc.oneof(
  fc.constant({ ref: 'subject.attributes.dept' }),
  fc.constantFrom('sales', 'legal'),
);
export const levelOperand = fc.oneof(
  fc.constant({ ref: 'subject.attributes.level' }),
  fc.integer({ min: 0, max: 3 }),
);
export const atom: fc.Arbitrary<Condition> = fc.oneof(
  fc
    .tuple(fc.constantFrom('eq', 'ne'), ownerOperand)
    .map(([op, v]) => ({ [op]: [{ ref: 'resource.ownerId' }, v] }) as Condition),
  fc
    .tuple(fc.constantFrom('eq', 'ne'), deptOperand)
    .map(([op, v]) => ({ [op]: [{ ref: 'resource.dept' }, v] }) as Condition),
  fc.constantFrom('eq', 'ne').map((op) => ({ [op]: [{ ref: 'resource.dept' }, null] }) as Condition),
  fc
    .subarray(['sales', 'legal', 'ops'])
    .map((list) => ({ in: [{ ref: 'resource.dept' }, list] }) as Condition),
  fc
    .tuple(fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte'), levelOperand, fc.boolean())
    .map(
      ([op, v, flip]) =>
        (flip
          ? { [op]: [v, { ref: 'resource.level' }] }
          : { [op]: [{ ref: 'resource.level' }, v] }) as Condition,
    ),
  fc
    .tuple(fc.constantFrom('startsWith', 'contains'), fc.constantFrom('', 'a', 'b', 'ab', 'ba'))
    .map(([op, v]) => ({ [op]: [{ ref: 'resource.title' }, v] }) as Condition),
  fc.constant({ eq: [{ ref: 'context.mfa' }, true] } as Condition),
  fc.constant({ lt: [{ ref: 'resource.level' }, { ref: 'resource.id' }] } as Condition),
);
export const condition: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true, maxDepth: 6 },
    atom,
    fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
    fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
    tie('c').map((not) => ({ not })),
  ),
})).c;
export const policies: fc.Arbitrary<PolicyDefinition[]> = fc
  .array(
    fc.record({
      effect: fc.constantFrom('allow' as const, 'deny' as const),
      actions: fc.constantFrom('document.read', 'document.*', '*', 'document.update').map((a) => [a]),
      resource: fc.constantFrom('document', '*', 'invoice'),
      condition: fc.option(condition, { nil: undefined }),
    }),
    { maxLength: 4 },
  )
  .map((list) => list.map((p, i) => ({ ...p, id: `p${i}`, tenantId: 't1' })));
export const roles: AuthorizerRole[] = [
  { id: 'r1', tenantId: 't1', key: 'reader', permissions: ['document.read'] },
  { id: 'r2', tenantId: 't1', key: 'nobody', permissions: ['invoice.read'] },
];
export const subject = fc.record({
  id: fc.constantFrom('u1', 'u2'),
  roles: fc.subarray(['reader', 'nobody']),
  attributes: fc.record(
    { dept: fc.constantFrom('sales', 'legal'), level: fc.integer({ min: 0, max: 3 }) },
    { requiredKeys: [] },
  ),
});
export const docs: fc.Arbitrary<Doc[]> = fc
  .array(
    fc.record({
      ownerId: fc.constantFrom('u1', 'u2', 'u3'),
      dept: fc.constantFrom('sales', 'legal', null),
      level: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
      title: fc.constantFrom('', 'a', 'ab', 'ba', 'b', 'bab'),
    }),
    { maxLength: 8 },
  )
  .map((list) => list.map((d, i) => ({ ...d, id: i + 1 })));
