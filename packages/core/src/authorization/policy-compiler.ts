import { BlockList, isIP } from 'node:net';
import type { Condition, ConditionOperator, Operand } from './policy.js';

/** Three-valued truth: a comparison that reads a missing attribute is UNKNOWN, not false. */
export const FALSE = 0;
export const TRUE = 1;
export const UNKNOWN = 2;
export type Truth = typeof FALSE | typeof TRUE | typeof UNKNOWN;

/** Attribute bags a compiled condition reads; `resource` and `context` may be absent. */
export type Attributes = Readonly<Record<string, unknown>>;

/**
 * A compiled condition. Takes the three roots as separate arguments so a decision allocates
 * nothing; never throws.
 */
export type CompiledCondition = (
  subject: Attributes,
  resource: Attributes | undefined,
  context: Attributes | undefined,
) => Truth;

/** Reads one operand; `undefined` means missing (absent, null, or reached through a non-object). */
type OperandReader = (
  subject: Attributes,
  resource: Attributes | undefined,
  context: Attributes | undefined,
) => unknown;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Walks `path` from `root` through own properties only (never the prototype chain). Null counts
 * as missing, so `{ eq: [ref, x] }` on a null attribute is UNKNOWN, exactly as SQL treats NULL.
 */
export function readPath(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (let i = 0; i < path.length; i++) {
    if (typeof current !== 'object' || current === null) return undefined;
    const segment = path[i]!;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current === null ? undefined : current;
}

/** Splits a reference into its root index (0 subject, 1 resource, 2 context) and path. */
export function splitRef(ref: string): { root: 'subject' | 'resource' | 'context'; path: string[] } {
  const [root, ...path] = ref.split('.');
  return { root: root as 'subject' | 'resource' | 'context', path };
}

function isRef(operand: unknown): operand is { ref: string } {
  return typeof operand === 'object' && operand !== null && !Array.isArray(operand) && 'ref' in operand;
}

function compileOperand(operand: Operand): OperandReader {
  if (!isRef(operand)) {
    const value = operand === null ? undefined : operand;
    return () => value;
  }
  const { root, path } = splitRef(operand.ref);
  // specialised per root and for the common one-segment path: no loop, no allocation
  if (path.length === 1) {
    const key = path[0]!;
    const one = (bag: Attributes | undefined): unknown => {
      if (bag === undefined || !Object.hasOwn(bag, key)) return undefined;
      const value = bag[key];
      return value === null ? undefined : value;
    };
    if (root === 'subject') return (s) => one(s);
    if (root === 'resource') return (_s, r) => one(r);
    return (_s, _r, c) => one(c);
  }
  if (root === 'subject') return (s) => readPath(s, path);
  if (root === 'resource') return (_s, r) => readPath(r, path);
  return (_s, _r, c) => readPath(c, path);
}

/** Milliseconds since the epoch of a Date or ISO-8601 string; NaN for anything else. */
function toTime(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' && ISO_DATE.test(value)) return Date.parse(value);
  return Number.NaN;
}

/**
 * Orders two present values: numbers with numbers, strings with strings (UTF-16 code units), and
 * Dates with Dates or ISO strings. Anything else (a number and a string, booleans, objects) is
 * incomparable and yields NaN, which the comparison turns into UNKNOWN — never a coercion.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a instanceof Date || b instanceof Date) return toTime(a) - toTime(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return Number.NaN;
}

/**
 * Equality of two present values: strict for scalars (`1` never equals `'1'`), by instant for a
 * Date against a Date or ISO string. Objects and arrays cannot be compared: UNKNOWN.
 */
export function equalValues(a: unknown, b: unknown): Truth {
  if (a instanceof Date || b instanceof Date) {
    const difference = toTime(a) - toTime(b);
    return Number.isNaN(difference) ? UNKNOWN : difference === 0 ? TRUE : FALSE;
  }
  if (typeof a === 'object' || typeof b === 'object') return UNKNOWN;
  return a === b ? TRUE : FALSE;
}

function includesValue(array: readonly unknown[], value: unknown): Truth {
  if (typeof value === 'object') {
    if (!(value instanceof Date)) return UNKNOWN;
    for (let i = 0; i < array.length; i++) if (equalValues(array[i], value) === TRUE) return TRUE;
    return FALSE;
  }
  for (let i = 0; i < array.length; i++) if (array[i] === value) return TRUE;
  return FALSE;
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is checked as the IPv4 address it carries. */
function ipFamily(address: string): { address: string; type: 'ipv4' | 'ipv6' } | undefined {
  const family = isIP(address);
  if (family === 4) return { address, type: 'ipv4' };
  if (family !== 6) return undefined;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped && isIP(mapped[1]!) === 4) return { address: mapped[1]!, type: 'ipv4' };
  return { address, type: 'ipv6' };
}

/** A BlockList for one CIDR block, or undefined when `cidr` is not one. */
export function parseCidr(cidr: string): BlockList | undefined {
  const slash = cidr.indexOf('/');
  if (slash < 0) return undefined;
  const network = ipFamily(cidr.slice(0, slash));
  const prefixText = cidr.slice(slash + 1);
  if (!network || !/^\d{1,3}$/.test(prefixText)) return undefined;
  let prefix = Number(prefixText);
  if (network.type === 'ipv4' && network.address !== cidr.slice(0, slash)) prefix -= 96; // ::ffff:a.b.c.d/120
  if (prefix < 0 || prefix > (network.type === 'ipv4' ? 32 : 128)) return undefined;
  const list = new BlockList();
  list.addSubnet(network.address, prefix, network.type);
  return list;
}

function inCidr(ip: unknown, list: BlockList | undefined): Truth {
  if (list === undefined || typeof ip !== 'string') return UNKNOWN;
  const parsed = ipFamily(ip);
  if (!parsed) return UNKNOWN;
  return list.check(parsed.address, parsed.type) ? TRUE : FALSE;
}

const ORDERINGS = {
  lt: (c: number) => c < 0,
  lte: (c: number) => c <= 0,
  gt: (c: number) => c > 0,
  gte: (c: number) => c >= 0,
} as const;

/** Applies an operator to two present (non-missing) values. Shared by the compiler and the filter. */
export function applyOperator(op: ConditionOperator, a: unknown, b: unknown): Truth {
  switch (op) {
    case 'eq':
      return equalValues(a, b);
    case 'ne': {
      const equal = equalValues(a, b);
      return equal === UNKNOWN ? UNKNOWN : equal === TRUE ? FALSE : TRUE;
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const c = compareValues(a, b);
      return Number.isNaN(c) ? UNKNOWN : ORDERINGS[op](c) ? TRUE : FALSE;
    }
    case 'in':
      return Array.isArray(b) ? includesValue(b, a) : UNKNOWN;
    case 'contains':
      if (Array.isArray(a)) return includesValue(a, b);
      if (typeof a === 'string' && typeof b === 'string') return a.includes(b) ? TRUE : FALSE;
      return UNKNOWN;
    case 'startsWith':
      return typeof a === 'string' && typeof b === 'string' ? (a.startsWith(b) ? TRUE : FALSE) : UNKNOWN;
    case 'cidr':
      return typeof b === 'string' ? inCidr(a, parseCidr(b)) : UNKNOWN;
  }
}

function compileComparison(op: ConditionOperator, left: Operand, right: Operand): CompiledCondition {
  const readLeft = compileOperand(left);
  const readRight = compileOperand(right);
  // `eq`/`ne` against a literal null test presence: two-valued, like SQL's IS [NOT] NULL
  if ((op === 'eq' || op === 'ne') && (left === null || right === null)) {
    const read = left === null ? readRight : readLeft;
    const whenMissing = op === 'eq' ? TRUE : FALSE;
    const whenPresent = op === 'eq' ? FALSE : TRUE;
    return (s, r, c) => (read(s, r, c) === undefined ? whenMissing : whenPresent);
  }
  // a literal CIDR block is parsed once, at compile time
  if (op === 'cidr' && typeof right === 'string') {
    const list = parseCidr(right);
    return (s, r, c) => {
      const ip = readLeft(s, r, c);
      return ip === undefined ? UNKNOWN : inCidr(ip, list);
    };
  }
  return (s, r, c) => {
    const a = readLeft(s, r, c);
    if (a === undefined) return UNKNOWN;
    const b = readRight(s, r, c);
    if (b === undefined) return UNKNOWN;
    return applyOperator(op, a, b);
  };
}

function compileAnd(children: CompiledCondition[]): CompiledCondition {
  if (children.length === 1) return children[0]!;
  if (children.length === 2) {
    const [first, second] = children as [CompiledCondition, CompiledCondition];
    return (s, r, c) => {
      const a = first(s, r, c);
      if (a === FALSE) return FALSE;
      const b = second(s, r, c);
      return b === FALSE ? FALSE : a === UNKNOWN || b === UNKNOWN ? UNKNOWN : TRUE;
    };
  }
  return (s, r, c) => {
    let result: Truth = TRUE;
    for (let i = 0; i < children.length; i++) {
      const value = children[i]!(s, r, c);
      if (value === FALSE) return FALSE;
      if (value === UNKNOWN) result = UNKNOWN;
    }
    return result;
  };
}

function compileOr(children: CompiledCondition[]): CompiledCondition {
  if (children.length === 1) return children[0]!;
  return (s, r, c) => {
    let result: Truth = FALSE;
    for (let i = 0; i < children.length; i++) {
      const value = children[i]!(s, r, c);
      if (value === TRUE) return TRUE;
      if (value === UNKNOWN) result = UNKNOWN;
    }
    return result;
  };
}

/**
 * Compiles a validated condition once into a closure. Evaluation is Kleene three-valued logic:
 * a comparison that reads a missing attribute (absent or null), or compares values of kinds that
 * cannot be compared (a number with a string, an object), is UNKNOWN; `and` is FALSE if any child
 * is FALSE, `or` is TRUE if any child is TRUE, `not UNKNOWN` is UNKNOWN. This is SQL's logic too,
 * which is what lets a policy become a `WHERE` clause with the same answers.
 *
 * The condition must have passed {@link conditionSchema}; the closure never throws.
 *
 * @example
 * const isOwner = compileCondition({ eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] });
 * isOwner({ id: 'u1' }, { ownerId: 'u1' }, undefined); // TRUE
 * isOwner({ id: 'u1' }, {}, undefined); // UNKNOWN: the resource has no ownerId
 */
export function compileCondition(condition: Condition): CompiledCondition {
  if ('and' in condition) return compileAnd(condition.and.map(compileCondition));
  if ('or' in condition) return compileOr(condition.or.map(compileCondition));
  if ('not' in condition) {
    const inner = compileCondition(condition.not);
    return (s, r, c) => {
      const value = inner(s, r, c);
      return value === UNKNOWN ? UNKNOWN : value === TRUE ? FALSE : TRUE;
    };
  }
  const op = Object.keys(condition)[0] as ConditionOperator;
  const [left, right] = (condition as Record<ConditionOperator, [Operand, Operand]>)[op];
  return compileComparison(op, left, right);
}

/** Every reference a condition reads, in order of appearance (used to explain UNKNOWN). */
export function collectRefs(condition: Condition, into: string[] = []): string[] {
  if ('and' in condition) for (const child of condition.and) collectRefs(child, into);
  else if ('or' in condition) for (const child of condition.or) collectRefs(child, into);
  else if ('not' in condition) collectRefs(condition.not, into);
  else {
    const op = Object.keys(condition)[0] as ConditionOperator;
    for (const operand of (condition as Record<ConditionOperator, [Operand, Operand]>)[op]) {
      if (isRef(operand) && !into.includes(operand.ref)) into.push(operand.ref);
    }
  }
  return into;
}
