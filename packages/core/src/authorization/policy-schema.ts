import { isIP } from 'node:net';
import { z } from 'zod';
import {
  ATTRIBUTE_ROOTS,
  CONDITION_OPERATORS,
  type Condition,
  type ConditionOperator,
  type PolicyDefinition,
} from './policy.js';

/** Conditions deeper than this (the root counts as depth 1) are rejected. */
export const MAX_CONDITION_DEPTH = 8;
/** Conditions with more nodes than this (and/or/not/comparison nodes) are rejected. */
export const MAX_CONDITION_NODES = 64;
/** Array literals longer than this are rejected. */
export const MAX_ARRAY_LITERAL_LENGTH = 1000;
/** String literals longer than this are rejected. */
export const MAX_STRING_LITERAL_LENGTH = 1024;
/** References longer than this, or with more segments than {@link MAX_REF_SEGMENTS}, are rejected. */
export const MAX_REF_LENGTH = 200;
export const MAX_REF_SEGMENTS = 8;

const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
const SEGMENT = /^[A-Za-z0-9_$-]+$/;
const OPERATORS: ReadonlySet<string> = new Set(CONDITION_OPERATORS);
const ROOTS: ReadonlySet<string> = new Set(ATTRIBUTE_ROOTS);
const ALL_KEYS = ['and', 'or', 'not', ...CONDITION_OPERATORS].join(', ');

/** One problem found in a condition, with the path from the condition's root. */
export interface ConditionIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Why `ref` is not a valid reference, or undefined when it is. A reference is a root (`subject`,
 * `resource`, `context`) followed by one or more non-empty segments of letters, digits, `_`, `$`
 * or `-`; prototype-reaching segments (`__proto__`, `constructor`, `prototype`) are refused.
 */
export function findRefProblem(ref: string): string | undefined {
  if (ref.length > MAX_REF_LENGTH) return `reference longer than ${MAX_REF_LENGTH} characters`;
  const segments = ref.split('.');
  const root = segments[0] ?? '';
  if (!ROOTS.has(root)) return `reference must start with subject., resource. or context. (got "${root}")`;
  if (segments.length < 2) return `reference "${ref}" names no attribute`;
  if (segments.length > MAX_REF_SEGMENTS + 1) return `reference has more than ${MAX_REF_SEGMENTS} segments`;
  for (const segment of segments.slice(1)) {
    if (segment === '') return `reference "${ref}" has an empty segment`;
    if (FORBIDDEN_SEGMENTS.has(segment)) return `reference segment "${segment}" is not allowed`;
    if (!SEGMENT.test(segment))
      return `reference segment "${segment}" may only use letters, digits, _, $ and -`;
  }
  return undefined;
}

/** True for a valid IPv4 or IPv6 CIDR block such as `10.0.0.0/8` or `2001:db8::/32`. */
export function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0 || slash !== value.lastIndexOf('/')) return false;
  const family = isIP(value.slice(0, slash));
  const prefix = value.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

type OperandKind = 'ref' | 'null' | 'string' | 'number' | 'boolean' | 'array';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a condition tree and returns every problem found (empty when valid). Walks at most
 * {@link MAX_CONDITION_DEPTH} levels, so hostile nesting cannot exhaust the stack; `limits`
 * tightens the depth and node ceilings (a tenant's `authorization.limits`).
 *
 * @example
 * findConditionIssues({ regex: [{ ref: 'subject.id' }, 'x'] });
 * // [{ path: [], message: 'unknown operator "regex"; expected one of and, or, not, eq, …' }]
 */
export function findConditionIssues(
  condition: unknown,
  limits: { maxDepth?: number; maxNodes?: number } = {},
): ConditionIssue[] {
  // a tenant's configured limits may be tighter than the grammar's ceilings, never looser
  const maxDepth = Math.min(limits.maxDepth ?? MAX_CONDITION_DEPTH, MAX_CONDITION_DEPTH);
  const maxNodes = Math.min(limits.maxNodes ?? MAX_CONDITION_NODES, MAX_CONDITION_NODES);
  const issues: ConditionIssue[] = [];
  let nodes = 0;
  let tooManyReported = false;

  const checkOperand = (operand: unknown, path: (string | number)[]): OperandKind | undefined => {
    if (operand === null) return 'null';
    if (typeof operand === 'string') {
      if (operand.length > MAX_STRING_LITERAL_LENGTH) {
        issues.push({ path, message: `string literal longer than ${MAX_STRING_LITERAL_LENGTH} characters` });
        return undefined;
      }
      return 'string';
    }
    if (typeof operand === 'number') {
      if (!Number.isFinite(operand)) {
        issues.push({ path, message: 'number literal must be finite' });
        return undefined;
      }
      return 'number';
    }
    if (typeof operand === 'boolean') return 'boolean';
    if (Array.isArray(operand)) {
      if (operand.length > MAX_ARRAY_LITERAL_LENGTH) {
        issues.push({ path, message: `array literal longer than ${MAX_ARRAY_LITERAL_LENGTH} elements` });
        return undefined;
      }
      let ok = true;
      operand.forEach((element, index) => {
        const kind =
          typeof element === 'string' || typeof element === 'number' || typeof element === 'boolean';
        if (!kind) {
          issues.push({
            path: [...path, index],
            message: 'array elements must be strings, numbers or booleans',
          });
          ok = false;
        } else if (typeof element === 'string' && element.length > MAX_STRING_LITERAL_LENGTH) {
          issues.push({
            path: [...path, index],
            message: `string literal longer than ${MAX_STRING_LITERAL_LENGTH} characters`,
          });
          ok = false;
        } else if (typeof element === 'number' && !Number.isFinite(element)) {
          issues.push({ path: [...path, index], message: 'number literal must be finite' });
          ok = false;
        }
      });
      return ok ? 'array' : undefined;
    }
    if (isPlainObject(operand)) {
      const keys = Object.keys(operand);
      if (keys.length !== 1 || keys[0] !== 'ref') {
        issues.push({ path, message: 'an object operand must be exactly { ref: "<root>.<path>" }' });
        return undefined;
      }
      if (typeof operand.ref !== 'string') {
        issues.push({ path: [...path, 'ref'], message: 'ref must be a string' });
        return undefined;
      }
      const problem = findRefProblem(operand.ref);
      if (problem) {
        issues.push({ path: [...path, 'ref'], message: problem });
        return undefined;
      }
      return 'ref';
    }
    issues.push({ path, message: 'operand must be a JSON literal or { ref }' });
    return undefined;
  };

  const checkComparison = (op: ConditionOperator, args: unknown, path: (string | number)[]): void => {
    if (!Array.isArray(args) || args.length !== 2) {
      issues.push({ path, message: `"${op}" takes exactly two operands: [left, right]` });
      return;
    }
    const left = checkOperand(args[0], [...path, 0]);
    const right = checkOperand(args[1], [...path, 1]);
    if (left === undefined || right === undefined) return;
    const expect = (index: 0 | 1, kind: OperandKind, allowed: OperandKind[], what: string) => {
      if (!allowed.includes(kind))
        issues.push({ path: [...path, index], message: `"${op}" expects ${what}` });
    };
    switch (op) {
      case 'eq':
      case 'ne':
        if (left === 'array' || right === 'array') {
          issues.push({ path, message: `"${op}" compares scalars; use "in" or "contains" for arrays` });
        }
        if (left === 'null' && right === 'null') issues.push({ path, message: `"${op}" of null and null` });
        return;
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        expect(0, left, ['ref', 'number', 'string'], 'a number, a string (ISO date) or a ref on the left');
        expect(1, right, ['ref', 'number', 'string'], 'a number, a string (ISO date) or a ref on the right');
        return;
      case 'in':
        expect(0, left, ['ref', 'string', 'number', 'boolean'], 'a scalar or a ref on the left');
        expect(1, right, ['ref', 'array'], 'an array or a ref on the right');
        return;
      case 'contains':
        expect(0, left, ['ref', 'array', 'string'], 'an array, a string or a ref on the left');
        expect(1, right, ['ref', 'string', 'number', 'boolean'], 'a scalar or a ref on the right');
        return;
      case 'startsWith':
        expect(0, left, ['ref', 'string'], 'a string or a ref on the left');
        expect(1, right, ['ref', 'string'], 'a string or a ref on the right');
        return;
      case 'cidr':
        expect(0, left, ['ref', 'string'], 'an IP address or a ref on the left');
        expect(1, right, ['ref', 'string'], 'a CIDR block or a ref on the right');
        if (left === 'string' && isIP(args[0] as string) === 0) {
          issues.push({ path: [...path, 0], message: `"${args[0]}" is not an IPv4 or IPv6 address` });
        }
        if (right === 'string' && !isCidr(args[1] as string)) {
          issues.push({
            path: [...path, 1],
            message: `"${args[1]}" is not a CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)`,
          });
        }
        return;
    }
  };

  const visit = (node: unknown, path: (string | number)[], depth: number): void => {
    if (depth > maxDepth) {
      issues.push({ path, message: `condition nested deeper than ${maxDepth} levels` });
      return;
    }
    if (++nodes > maxNodes) {
      if (!tooManyReported) issues.push({ path, message: `condition has more than ${maxNodes} nodes` });
      tooManyReported = true;
      return;
    }
    if (!isPlainObject(node)) {
      issues.push({ path, message: `a condition is an object with one key: ${ALL_KEYS}` });
      return;
    }
    const keys = Object.keys(node);
    if (keys.length !== 1) {
      issues.push({
        path,
        message: `a condition has exactly one key (got ${keys.length === 0 ? 'none' : keys.join(', ')})`,
      });
      return;
    }
    const key = keys[0]!;
    const value = node[key];
    const childPath = [...path, key];
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value) || value.length === 0) {
        issues.push({ path: childPath, message: `"${key}" takes a non-empty array of conditions` });
        return;
      }
      for (let i = 0; i < value.length && !tooManyReported; i++)
        visit(value[i], [...childPath, i], depth + 1);
      return;
    }
    if (key === 'not') {
      visit(value, childPath, depth + 1);
      return;
    }
    if (!OPERATORS.has(key)) {
      issues.push({ path, message: `unknown operator "${key}"; expected one of ${ALL_KEYS}` });
      return;
    }
    checkComparison(key as ConditionOperator, value, childPath);
  };

  visit(condition, [], 1);
  return issues;
}

/**
 * Zod schema of a {@link Condition}: structure, operators, references, operand kinds per
 * operator, CIDR literals, and size limits (depth {@link MAX_CONDITION_DEPTH}, nodes
 * {@link MAX_CONDITION_NODES}, arrays {@link MAX_ARRAY_LITERAL_LENGTH}). Each problem becomes an
 * issue with its path.
 *
 * @example
 * conditionSchema.parse({ eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] });
 */
export const conditionSchema = z
  .custom<Condition>()
  .superRefine((value, ctx) => {
    for (const issue of findConditionIssues(value)) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
  })
  .meta({
    description:
      'A JSON condition: { "and": [C…] }, { "or": [C…] }, { "not": C } or { "<op>": [operand, operand] } ' +
      'with op one of eq, ne, lt, lte, gt, gte, in, contains, startsWith, cidr; an operand is a JSON ' +
      'literal or { "ref": "subject.…" | "resource.…" | "context.…" }',
  });

// The one grammar of permission names: roles, policies, `authorize` and the permission catalog
// in config all use these, so a name accepted in one place is accepted in every other.
const NAME = '[A-Za-z0-9_-]+';
/** A resource name: `document`, `api_key`. */
export const RESOURCE_NAME = new RegExp(`^${NAME}$`);
/** An action name after its resource: `read`, or dotted such as `comment.create`. */
export const ACTION_NAME = new RegExp(`^${NAME}(\\.${NAME})*$`);
const ACTION = new RegExp(`^(\\*|${NAME}\\.(\\*|${NAME}(\\.${NAME})*))$`);
const RESOURCE_TYPE = new RegExp(`^(\\*|${NAME})$`);

/**
 * An action pattern, which is also what a role permission is: `document.read`, `document.*` or
 * `*`.
 */
export const actionPatternSchema = z
  .string()
  .max(200)
  .regex(ACTION, 'an action is "<resource>.<action>", "<resource>.*" or "*"');

/**
 * The body of `POST /tenants/:tenantId/policies` (DESIGN §5): everything but the ids.
 *
 * @example
 * policyInputSchema.parse({ effect: 'deny', actions: ['*'], resource: '*',
 *   condition: { not: { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] } } });
 */
export const policyInputSchema = z
  .object({
    effect: z.enum(['allow', 'deny']),
    actions: z.array(actionPatternSchema).min(1).max(100),
    resource: z.string().max(100).regex(RESOURCE_TYPE, 'a resource type is an identifier or "*"'),
    condition: conditionSchema.optional(),
    description: z.string().max(1000).optional(),
  })
  .strict();

export type PolicyInput = z.output<typeof policyInputSchema>;

/**
 * A complete {@link PolicyDefinition}, as stored or declared in config.
 *
 * @example
 * const policies = z.array(policyDefinitionSchema).parse(config.authorization.policies);
 */
export const policyDefinitionSchema: z.ZodType<PolicyDefinition> = policyInputSchema.extend({
  id: z.string().min(1).max(200),
  tenantId: z.string().min(1).nullable(),
});
