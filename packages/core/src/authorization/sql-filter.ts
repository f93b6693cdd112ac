import { AuthError } from '../errors.js';
import type { AuthorizationFilter } from './authorization-filter.js';
import type { ConditionOperator, ResourceCondition } from './policy.js';

/** A value bound as a query parameter. */
export type SqlFilterValue = string | number | boolean | Date;

/**
 * An authorization filter lowered to the few predicates every SQL database has, with the
 * resource attributes as `attribute` names (the keys of the caller's column map). Query-builder
 * adapters (`toKyselyWhere`, `toDrizzleWhere`) translate each node one-to-one.
 * Every node keeps SQL's three-valued meaning identical to the engine's: NULL is missing.
 */
export type SqlFilterNode =
  | { kind: 'true' }
  | { kind: 'false' }
  | { kind: 'and'; nodes: SqlFilterNode[] }
  | { kind: 'or'; nodes: SqlFilterNode[] }
  | { kind: 'not'; node: SqlFilterNode }
  /** `column IS NULL` / `IS NOT NULL`: never NULL itself. */
  | { kind: 'isNull' | 'isNotNull'; attribute: string }
  | { kind: 'compare'; attribute: string; op: SqlComparison; value: SqlFilterValue }
  | { kind: 'compareAttributes'; left: string; op: SqlComparison; right: string }
  /** `column IN (values)`, values non-empty. */
  | { kind: 'in'; attribute: string; values: SqlFilterValue[] }
  /** `column <> column`: FALSE, or NULL when the column is NULL (what `IN ()` would mean). */
  | { kind: 'never'; attribute: string }
  /** `column = column`: TRUE, or NULL when the column is NULL. */
  | { kind: 'present'; attribute: string }
  /** `replace(column, substring, '') <> column`, substring non-empty. */
  | { kind: 'containsText'; attribute: string; substring: string }
  /** `substr(column, 1, length) = prefix`, length in code points, prefix non-empty. */
  | { kind: 'startsWithText'; attribute: string; prefix: string; length: number };

export type SqlComparison = '=' | '<>' | '<' | '<=' | '>' | '>=';

const COMPARISONS: Partial<Record<ConditionOperator, SqlComparison>> = {
  eq: '=',
  ne: '<>',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
};
const MIRRORED: Record<SqlComparison, SqlComparison> = {
  '=': '=',
  '<>': '<>',
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
};

function isRef(operand: unknown): operand is { ref: string } {
  return typeof operand === 'object' && operand !== null && !Array.isArray(operand) && 'ref' in operand;
}

function isScalar(value: unknown): value is SqlFilterValue {
  return (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value instanceof Date
  );
}

/**
 * Lowers an {@link AuthorizationFilter} to {@link SqlFilterNode}s over the mapped attributes.
 * Conditions without an SQL form — `cidr` on a column, `contains` on an array attribute or a
 * column as the needle, `in` against a column, references to unmapped attributes, literals of
 * the wrong kind — are all collected and thrown as one `invalid_request` whose `issues` name
 * each, so nothing is ever silently dropped.
 *
 * Columns must hold what the app passes as the attribute (scalars: text, numbers, timestamps);
 * `contains` on a column is a substring test. String ordering follows the column's collation,
 * which should be binary (code-point) order to match `decide()` exactly.
 *
 * @example
 * const node = lowerAuthorizationFilter(filter, ['ownerId', 'status']);
 */
export function lowerAuthorizationFilter(
  filter: AuthorizationFilter,
  attributes: Iterable<string>,
): SqlFilterNode {
  if (filter.kind === 'all') return { kind: 'true' };
  if (filter.kind === 'none') return { kind: 'false' };
  const mapped = new Set(attributes);
  const unsupported: { path: string; message: string }[] = [];

  const attributeOf = (ref: string, path: string): string | undefined => {
    const attribute = ref.slice('resource.'.length);
    if (mapped.has(attribute)) return attribute;
    unsupported.push({ path, message: `resource attribute "${attribute}" has no column mapped` });
    return undefined;
  };

  const lower = (condition: ResourceCondition, path: string): SqlFilterNode => {
    if ('and' in condition)
      return { kind: 'and', nodes: condition.and.map((c, i) => lower(c, `${path}.and.${i}`)) };
    if ('or' in condition)
      return { kind: 'or', nodes: condition.or.map((c, i) => lower(c, `${path}.or.${i}`)) };
    if ('not' in condition) return { kind: 'not', node: lower(condition.not, `${path}.not`) };
    const op = Object.keys(condition)[0] as ConditionOperator;
    const here = `${path}.${op}`;
    const [rawLeft, rawRight] = (condition as Record<ConditionOperator, [unknown, unknown]>)[op];
    const fail = (message: string): SqlFilterNode => {
      unsupported.push({ path: here, message });
      return { kind: 'false' };
    };
    // put the column on the left where the operator allows it
    let left = rawLeft;
    let right = rawRight;
    let comparison = COMPARISONS[op];
    let effectiveOp = op;
    if (!isRef(left) && isRef(right)) {
      if (comparison) {
        [left, right] = [right, left];
        comparison = MIRRORED[comparison];
      } else if (op === 'contains' && Array.isArray(left)) {
        [left, right] = [right, left];
        effectiveOp = 'in';
      } else {
        return fail(`"${op}" with a column on the right has no SQL form`);
      }
    }
    if (!isRef(left)) return fail('comparison without a resource attribute');
    const attribute = attributeOf(left.ref, `${here}.0`);
    if (attribute === undefined) return { kind: 'false' };
    if (isRef(right)) {
      const other = attributeOf(right.ref, `${here}.1`);
      if (other === undefined) return { kind: 'false' };
      if (!comparison) return fail(`"${op}" between two columns has no SQL form`);
      return { kind: 'compareAttributes', left: attribute, op: comparison, right: other };
    }
    if (comparison) {
      if (right === null && (op === 'eq' || op === 'ne'))
        return { kind: op === 'eq' ? 'isNull' : 'isNotNull', attribute };
      if (!isScalar(right)) return fail(`"${op}" needs a scalar value, got ${JSON.stringify(right)}`);
      return { kind: 'compare', attribute, op: comparison, value: right };
    }
    switch (effectiveOp) {
      case 'in':
        if (!Array.isArray(right) || !right.every(isScalar)) return fail('"in" needs an array of scalars');
        return right.length === 0 ? { kind: 'never', attribute } : { kind: 'in', attribute, values: right };
      case 'contains':
        if (typeof right !== 'string')
          return fail('"contains" on a column is a substring test and needs a string');
        return right === ''
          ? { kind: 'present', attribute }
          : { kind: 'containsText', attribute, substring: right };
      case 'startsWith':
        if (typeof right !== 'string') return fail('"startsWith" needs a string');
        return right === ''
          ? { kind: 'present', attribute }
          : { kind: 'startsWithText', attribute, prefix: right, length: [...right].length };
      default:
        return fail(`"${op}" on a column has no SQL form`);
    }
  };

  const node = lower(filter.condition, 'condition');
  if (unsupported.length > 0) {
    throw new AuthError('invalid_request', {
      detail: `the authorization filter cannot be expressed in SQL: ${unsupported.map((u) => `${u.path}: ${u.message}`).join('; ')}`,
      issues: unsupported,
    });
  }
  return node;
}
