import type { ActionRules, AuthorizationSubject, CompiledPolicy } from './decision.js';
import { permissionCovers } from './permissions.js';
import type { Condition, ConditionLiteral, ConditionOperator, Operand, ResourceCondition } from './policy.js';
import {
  type Attributes,
  compileCondition,
  FALSE,
  readPath,
  splitRef,
  TRUE,
  type Truth,
} from './policy-compiler.js';

/** The inverse question: which resources of `resourceType` may `subject` perform `action` on? */
export interface FilterRequest {
  subject: AuthorizationSubject;
  action: string;
  resourceType: string;
  context?: Readonly<Record<string, unknown>>;
}

/**
 * The answer: every resource, none, or those for which `condition` is TRUE. The condition only
 * references `resource.*` and uses `not` only directly around a comparison; evaluate it with SQL's
 * three-valued logic (or {@link compileCondition}) and keep rows where it is TRUE.
 */
export type AuthorizationFilter =
  | { kind: 'all' }
  | { kind: 'none' }
  | { kind: 'condition'; condition: ResourceCondition };

/** A residual formula in which only `resource.*` is unknown: a constant or a condition. */
type Formula = boolean | ResourceCondition;

/**
 * Each node is split in two positive formulas: T (the node is TRUE) and F (it is FALSE). A node
 * that is UNKNOWN is neither, which is how "missing subject attribute" disappears from the SQL
 * without changing any answer, and why `not` is pushed down to comparisons.
 */
interface Residual {
  t: Formula;
  f: Formula;
}

const KNOWN_TRUE: Residual = { t: true, f: false };
const KNOWN_FALSE: Residual = { t: false, f: true };
const KNOWN_UNKNOWN: Residual = { t: false, f: false };

function constant(truth: Truth): Residual {
  return truth === TRUE ? KNOWN_TRUE : truth === FALSE ? KNOWN_FALSE : KNOWN_UNKNOWN;
}

function and(formulas: Formula[]): Formula {
  const kept: ResourceCondition[] = [];
  for (const formula of formulas) {
    if (formula === false) return false;
    if (formula === true) continue;
    if ('and' in formula) kept.push(...formula.and);
    else kept.push(formula);
  }
  if (kept.length === 0) return true;
  return kept.length === 1 ? kept[0]! : { and: kept };
}

function or(formulas: Formula[]): Formula {
  const kept: ResourceCondition[] = [];
  for (const formula of formulas) {
    if (formula === true) return true;
    if (formula === false) continue;
    if ('or' in formula) kept.push(...formula.or);
    else kept.push(formula);
  }
  if (kept.length === 0) return false;
  return kept.length === 1 ? kept[0]! : { or: kept };
}

function isRef(operand: unknown): operand is { ref: string } {
  return typeof operand === 'object' && operand !== null && !Array.isArray(operand) && 'ref' in operand;
}

/** A reference the filter leaves for the database: `resource.*` except `resource.type`, which is known. */
function isOpenResourceRef(operand: Operand): boolean {
  return isRef(operand) && operand.ref.startsWith('resource.') && operand.ref !== 'resource.type';
}

interface Known {
  subject: Attributes;
  context: Attributes | undefined;
  resourceType: string;
}

function partial(condition: Condition, known: Known): Residual {
  if ('and' in condition) {
    const children = condition.and.map((child) => partial(child, known));
    return { t: and(children.map((c) => c.t)), f: or(children.map((c) => c.f)) };
  }
  if ('or' in condition) {
    const children = condition.or.map((child) => partial(child, known));
    return { t: or(children.map((c) => c.t)), f: and(children.map((c) => c.f)) };
  }
  if ('not' in condition) {
    const inner = partial(condition.not, known);
    return { t: inner.f, f: inner.t };
  }
  const op = Object.keys(condition)[0] as ConditionOperator;
  const operands = (condition as Record<ConditionOperator, [Operand, Operand]>)[op];
  const resourceBag = { type: known.resourceType };
  if (!operands.some(isOpenResourceRef)) {
    return constant(compileCondition(condition)(known.subject, resourceBag, known.context));
  }
  const substituted: (Operand | Date)[] = [];
  for (const operand of operands) {
    if (!isRef(operand) || isOpenResourceRef(operand)) {
      substituted.push(operand);
      continue;
    }
    const { root, path } = splitRef(operand.ref);
    const value = readPath(
      root === 'subject' ? known.subject : root === 'context' ? known.context : resourceBag,
      path,
    );
    // a missing known side makes the comparison UNKNOWN whatever the resource holds (presence
    // tests only take literal nulls, so this cannot be one)
    if (value === undefined) return KNOWN_UNKNOWN;
    substituted.push(value as ConditionLiteral | Date);
  }
  const atom = { [op]: substituted } as unknown as ResourceCondition;
  return { t: atom, f: { not: atom } };
}

function residualOf(policy: CompiledPolicy, known: Known): Residual {
  return policy.definition.condition === undefined ? KNOWN_TRUE : partial(policy.definition.condition, known);
}

/**
 * Partially evaluates the rules that apply to `request.action` on `request.resourceType`:
 * `subject.*` and `context.*` are substituted, leaving a condition over `resource.*`.
 * The result keeps exactly the resources for which `decide()` allows: (a granting role OR an
 * allow policy is TRUE) AND every deny policy is FALSE (UNKNOWN denies, as in `decide`).
 */
export function buildAuthorizationFilter(rules: ActionRules, request: FilterRequest): AuthorizationFilter {
  const known: Known = {
    subject: request.subject,
    context: request.context,
    resourceType: request.resourceType,
  };
  const applies = (policy: CompiledPolicy) =>
    policy.definition.resource === '*' || policy.definition.resource === request.resourceType;
  const roleGrants =
    request.subject.roles.some((key) => rules.grantingRoles.has(key)) ||
    (request.subject.grants ?? []).some((permission) => permissionCovers(permission, rules.action));
  const allowed = roleGrants ? true : or(rules.allow.filter(applies).map((p) => residualOf(p, known).t));
  const notDenied = and(rules.deny.filter(applies).map((p) => residualOf(p, known).f));
  const formula = and([allowed, notDenied]);
  if (formula === true) return { kind: 'all' };
  if (formula === false) return { kind: 'none' };
  return { kind: 'condition', condition: formula };
}
