import type { Condition, ConditionOperator } from './policy.js';

// The attributes a condition can count on, in one place. A reference to anything else is legal
// (the app may pass it), but when nothing passes it the condition reads it as missing: an allow
// never matches and a deny always applies. `context.weekday` for `context.utcWeekday` locked a
// whole tenant out of an action that way, so a policy write answers such references as warnings.

/**
 * `context.*` facts the server sets on every decision (authorization-service.ts,
 * `serverContext`, sets exactly these); anything else under `context` comes from the caller.
 */
export const SERVER_CONTEXT_ATTRIBUTES = [
  'time',
  'utcHour',
  'utcWeekday',
  'ip',
  'mfa',
  'authAgeSeconds',
] as const;

/**
 * `subject.*` fields every subject carries: the member's user id, tenant, role keys, and the
 * membership's attributes (`subject.attributes.<name>`, free-form, so not checked further).
 */
export const SUBJECT_ATTRIBUTES = ['id', 'tenantId', 'roles', 'attributes'] as const;

/** One reference nothing known provides, and where it is in the policy. */
export interface PolicyWarning {
  /** Dotted path from the policy's root, e.g. `condition.and.1.eq.0.ref`. */
  path: string;
  message: string;
}

/**
 * The references of a policy's condition that no server fact, subject field or declared
 * resource attribute provides. `resourceAttributes` lists, per resource type, the attributes the
 * app passes; a type absent from it (or a policy on `*`) has its `resource.*` references
 * unchecked. `resource.type` is always known.
 *
 * @example
 * findReferenceWarnings({ resource: 'payment', condition: { eq: [{ ref: 'context.weekday' }, 6] } }, {})
 * // [{ path: 'condition.eq.0.ref', message: 'context.weekday is not set by the server (…); did you mean context.utcWeekday? …' }]
 */
export function findReferenceWarnings(
  policy: { resource: string; condition?: Condition | undefined },
  resourceAttributes: Readonly<Record<string, readonly string[]>>,
): PolicyWarning[] {
  const warnings: PolicyWarning[] = [];
  if (policy.condition === undefined) return warnings;
  const declared = policy.resource === '*' ? undefined : resourceAttributes[policy.resource];

  const check = (ref: string, path: string) => {
    const [root, name = ''] = ref.split('.');
    const problem =
      root === 'context'
        ? unknownName(
            ref,
            name,
            SERVER_CONTEXT_ATTRIBUTES,
            'context',
            'is not set by the server',
            () =>
              `; unless your app passes "${name}" in the context of every authorize call, it is missing there`,
          )
        : root === 'subject'
          ? unknownName(
              ref,
              name,
              SUBJECT_ATTRIBUTES,
              'subject',
              'is not a subject field',
              () => ' (member attributes are subject.attributes.<name>)',
            )
          : declared !== undefined
            ? unknownName(
                ref,
                name,
                ['type', ...declared],
                'resource',
                `is not an attribute declared for "${policy.resource}" in authorization.resourceAttributes`,
                () => '',
              )
            : undefined;
    if (problem !== undefined) {
      warnings.push({
        path,
        message: `${problem}; a condition reading a missing attribute never allows, and a deny reading one always applies`,
      });
    }
  };

  const visit = (node: Condition, path: string) => {
    if ('and' in node) {
      for (const [i, child] of node.and.entries()) visit(child, `${path}.and.${i}`);
    } else if ('or' in node) {
      for (const [i, child] of node.or.entries()) visit(child, `${path}.or.${i}`);
    } else if ('not' in node) visit(node.not, `${path}.not`);
    else {
      const op = Object.keys(node)[0] as ConditionOperator;
      const operands = (node as unknown as Record<ConditionOperator, unknown[]>)[op];
      operands.forEach((operand, i) => {
        if (typeof operand === 'object' && operand !== null && !Array.isArray(operand) && 'ref' in operand) {
          check(String((operand as { ref: unknown }).ref), `${path}.${op}.${i}.ref`);
        }
      });
    }
  };
  visit(policy.condition, 'condition');
  return warnings;
}

function unknownName(
  ref: string,
  name: string,
  known: readonly string[],
  root: string,
  what: string,
  hint: () => string,
): string | undefined {
  if (known.includes(name)) return undefined;
  const closest = closestName(name, known);
  const suggestion = closest === undefined ? '' : `; did you mean ${root}.${closest}?`;
  return `${ref} ${what} (known: ${known.map((k) => `${root}.${k}`).join(', ')})${suggestion}${hint()}`;
}

/** The known name a typo most likely meant: same letters in another case, a part of it, or ≤ 2 edits away. */
function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const partial = known.find(
    (k) => k.toLowerCase() === lower || (lower.length >= 3 && k.toLowerCase().includes(lower)),
  );
  if (partial !== undefined) return partial;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance))
      best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
