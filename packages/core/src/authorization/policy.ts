/**
 * The ABAC half of authorization: policies and their JSON conditions (DESIGN §3 Policy, §5
 * Condition). Types only; validation lives in `policy-schema.ts`, evaluation in
 * `policy-compiler.ts` and `authorizer.ts`.
 */

/** The operators a comparison node may use (DESIGN §5). */
export const CONDITION_OPERATORS = [
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'contains',
  'startsWith',
  'cidr',
] as const;

export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** The three roots a reference may start from. */
export const ATTRIBUTE_ROOTS = ['subject', 'resource', 'context'] as const;

export type AttributeRoot = (typeof ATTRIBUTE_ROOTS)[number];

/** A dotted path into the request: `subject.id`, `subject.attributes.department`, `resource.ownerId`, `context.ip`. */
export type AttributeRef = `${AttributeRoot}.${string}`;

/** A path into the resource only: what remains in a residual condition after partial evaluation. */
export type ResourceRef = `resource.${string}`;

/** A scalar JSON literal. */
export type ScalarLiteral = string | number | boolean;

/**
 * A JSON literal operand. `null` is only meaningful in `eq`/`ne`, where it tests presence
 * (`{ eq: [{ ref: 'resource.archivedAt' }, null] }` is true when the attribute is absent or null).
 * Arrays hold scalars and are the right-hand side of `in` / left-hand side of `contains`.
 */
export type ConditionLiteral = ScalarLiteral | null | ScalarLiteral[];

/** A reference operand: `{ ref: 'subject.id' }`. */
export interface RefOperand<R extends string = AttributeRef> {
  ref: R;
}

/** One side of a comparison: a literal or a reference. */
export type Operand<R extends string = AttributeRef, L = ConditionLiteral> = L | RefOperand<R>;

/** A comparison node, e.g. `{ eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] }`. */
export type ComparisonCondition<R extends string = AttributeRef, L = ConditionLiteral> = {
  [Op in ConditionOperator]: { [K in Op]: [Operand<R, L>, Operand<R, L>] };
}[ConditionOperator];

/**
 * A policy condition as JSON (DESIGN §5): `{ and: [...] }`, `{ or: [...] }`, `{ not: C }` or a
 * comparison `{ "<op>": [operand, operand] }`.
 *
 * @example
 * const ownDocument: Condition = { eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] };
 * const officeHours: Condition = {
 *   and: [{ gte: [{ ref: 'context.hour' }, 9] }, { lt: [{ ref: 'context.hour' }, 18] }],
 * };
 */
export type Condition<R extends string = AttributeRef, L = ConditionLiteral> =
  | { and: Condition<R, L>[] }
  | { or: Condition<R, L>[] }
  | { not: Condition<R, L> }
  | ComparisonCondition<R, L>;

/**
 * A condition over `resource.*` only: the residual of {@link Condition} once `subject.*` and
 * `context.*` have been substituted. Literals may be `Date`s taken from the subject or context.
 */
export type ResourceCondition = Condition<ResourceRef, ConditionLiteral | Date>;

/** Whether a matching policy grants or forbids. Deny wins over every allow. */
export type PolicyEffect = 'allow' | 'deny';

/**
 * An ABAC policy. `tenantId` is null for a global (code-defined) policy that applies in every
 * tenant.
 *
 * @example
 * const ownerMayEdit: PolicyDefinition = {
 *   id: 'own-documents',
 *   tenantId: null,
 *   effect: 'allow',
 *   actions: ['document.update', 'document.delete'],
 *   resource: 'document',
 *   condition: { eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] },
 *   description: 'Members may edit and delete their own documents',
 * };
 */
export interface PolicyDefinition {
  id: string;
  /** The owning tenant, or null for a global policy. */
  tenantId: string | null;
  effect: PolicyEffect;
  /** Actions the policy is about: `document.read`, `document.*` or `*`. */
  actions: string[];
  /** The resource type it applies to (`document`), or `*` for every type. */
  resource: string;
  /** When absent the policy matches every request for its actions and resource type. */
  condition?: Condition;
  description?: string;
}
