import { AuthError } from '../errors.js';
import {
  type AuthorizationFilter,
  buildAuthorizationFilter,
  type FilterRequest,
} from './authorization-filter.js';
import type {
  ActionRules,
  AuthorizationResource,
  AuthorizationSubject,
  AuthorizerRole,
  CompiledPolicy,
  CompiledRole,
  Decision,
  DecisionReason,
  DecisionRequest,
  ExplanationEntry,
} from './decision.js';
import { permissionCovers } from './permissions.js';
import type { PolicyDefinition } from './policy.js';
import {
  type Attributes,
  collectRefs,
  compileCondition,
  readPath,
  splitRef,
  TRUE,
  type Truth,
  UNKNOWN,
} from './policy-compiler.js';
import { findConditionIssues } from './policy-schema.js';

// The question and answer types live in decision.ts (shared with the filter); importers of this
// file keep finding them here.
export type {
  AuthorizationResource,
  AuthorizationSubject,
  AuthorizerRole,
  Decision,
  DecisionReason,
  DecisionRequest,
  ExplanationEntry,
} from './decision.js';

/** The roles and policies of ONE tenant (plus global policies), compiled once. */
export interface AuthorizerInput {
  /** The tenant every role and tenant-scoped policy must belong to. */
  tenantId: string;
  roles: readonly AuthorizerRole[];
  /** The tenant's policies and global ones (`tenantId: null`). */
  policies: readonly PolicyDefinition[];
}

/**
 * A compiled, immutable decision engine for one tenant. Build it when the tenant's roles or
 * policies change (cache it keyed by their versions); each decision then does no I/O and, without
 * `explain`, allocates nothing.
 */
export interface Authorizer {
  readonly tenantId: string;
  /**
   * Decides one request. Deny policies win over everything; then a role whose permission covers
   * the action; then an allow policy whose condition is TRUE; otherwise deny. Never throws for
   * missing attributes: they make the decision deny with reason `missing_attribute`.
   *
   * @example
   * authorizer.decide({
   *   subject: { id: 'u1', roles: ['member'] },
   *   action: 'document.update',
   *   resource: { type: 'document', ownerId: 'u1' },
   * }); // { allowed: true, reason: { kind: 'policy', id: 'own-documents' } }
   */
  decide(request: DecisionRequest): Decision;
  /**
   * One decision per resource, in order, for the same subject, action and context.
   *
   * @example
   * const visible = docs.filter((_, i) => decisions[i]!.allowed);
   */
  decideMany(
    subject: AuthorizationSubject,
    action: string,
    resources: readonly AuthorizationResource[],
    context?: Readonly<Record<string, unknown>>,
  ): Decision[];
  /**
   * The inverse question: which resources of a type may the subject act on? Returns `all`, `none`
   * or a residual condition over `resource.*` only, for `toKyselyWhere` / `toDrizzleWhere`.
   *
   * @example
   * const filter = authorizer.authorizationFilter({ subject, action: 'document.read', resourceType: 'document' });
   */
  authorizationFilter(request: FilterRequest): AuthorizationFilter;
}

const NO_RULE: Decision = Object.freeze({
  allowed: false,
  reason: Object.freeze({ kind: 'no_rule' as const }),
});
/** Distinct actions whose rules are remembered; beyond it (hostile input) rules are recomputed. */
const MAX_CACHED_ACTIONS = 4096;

function freezeDecision(allowed: boolean, reason: DecisionReason): Decision {
  return Object.freeze({ allowed, reason: Object.freeze(reason) });
}

function compilePolicy(policy: PolicyDefinition): CompiledPolicy {
  if (policy.condition !== undefined) {
    const issues = findConditionIssues(policy.condition);
    if (issues.length > 0) {
      throw new AuthError('invalid_request', {
        detail: `policy ${policy.id} has an invalid condition`,
        issues: issues.map((i) => ({ path: ['condition', ...i.path].join('.'), message: i.message })),
      });
    }
  }
  const { id } = policy;
  // the reason names the policy's own words, so a denied member (or the admin reading a log)
  // sees "Payments only from the office network", not a uuid
  const described = policy.description === undefined ? {} : { description: policy.description };
  return {
    definition: policy,
    test: policy.condition === undefined ? undefined : compileCondition(policy.condition),
    refs: policy.condition === undefined ? [] : collectRefs(policy.condition),
    matched:
      policy.effect === 'allow'
        ? freezeDecision(true, { kind: 'policy', id, ...described })
        : freezeDecision(false, { kind: 'deny_policy', id, ...described }),
    unknown: freezeDecision(false, { kind: 'missing_attribute', id, effect: policy.effect, ...described }),
  };
}

function typeMatches(policy: CompiledPolicy, type: string): boolean {
  return policy.definition.resource === '*' || policy.definition.resource === type;
}

function evaluate(
  policy: CompiledPolicy,
  subject: Attributes,
  resource: Attributes | undefined,
  context: Attributes | undefined,
): Truth {
  return policy.test === undefined ? TRUE : policy.test(subject, resource, context);
}

function missingRefs(
  policy: CompiledPolicy,
  subject: Attributes,
  resource: Attributes | undefined,
  context: Attributes | undefined,
): string[] {
  return policy.refs.filter((ref) => {
    const { root, path } = splitRef(ref);
    const bag = root === 'subject' ? subject : root === 'resource' ? resource : context;
    return readPath(bag, path) === undefined;
  });
}

/**
 * Compiles one tenant's roles and policies (plus global policies) into an {@link Authorizer}.
 *
 * Tenant isolation is structural: an authorizer is bound to `tenantId`, and building one from a
 * role or policy of another tenant throws `invalid_request`, so tenant A's rules can never be
 * evaluated for tenant B. A subject carrying a different `tenantId` is refused with
 * `tenant_access_denied`.
 *
 * Policy conditions are re-validated here (they may come from config or storage) and compiled
 * once; an invalid one throws `invalid_request` with the policy id in the detail.
 *
 * Missing attributes, decided deliberately: a condition that cannot be evaluated (UNKNOWN) never
 * grants — an allow policy does not match — and always blocks — a deny policy whose condition is
 * UNKNOWN applies, with reason `missing_attribute` (a definite deny is reported in preference).
 * Forgetting to pass `context.ip` must not slip past an IP-restricted deny.
 *
 * @example
 * const authorizer = createAuthorizer({
 *   tenantId: 't1',
 *   roles: [{ id: 'r1', tenantId: 't1', key: 'member', permissions: ['document.read', 'document.create'] }],
 *   policies: [{
 *     id: 'own-documents', tenantId: null, effect: 'allow', actions: ['document.update'], resource: 'document',
 *     condition: { eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] },
 *   }],
 * });
 * authorizer.decide({ subject: { id: 'u1', roles: ['member'] }, action: 'document.read' }).allowed; // true
 */
export function createAuthorizer(input: AuthorizerInput): Authorizer {
  assertOneTenant(input);
  return assembleAuthorizer(input, input.policies.map(compilePolicy));
}

/** What each authorizer compiled, so the next build for its tenant can reuse unchanged policies. */
const compiledBy = new WeakMap<Authorizer, ReadonlyMap<unknown, CompiledPolicy>>();

/**
 * Which compiled policy a definition may reuse: a stored policy by its id, version and update time
 * (a replacement moves them); a configured global policy by the object itself.
 */
function reuseKey(policy: PolicyDefinition): unknown {
  const { version, updatedAt } = policy as Partial<{ version: number; updatedAt: Date }>;
  return version === undefined ? policy : `${policy.id}\u0000${version}\u0000${updatedAt?.getTime()}`;
}

/**
 * {@link createAuthorizer} for the shared cache: the same authorizer, compiled in slices of at
 * most about `sliceMs` of work with a turn of the event loop between them, so compiling one
 * tenant's many policies never holds up another tenant's decisions for longer than a slice. A
 * `previous` authorizer of the same tenant lends its compiled policies: only what changed since
 * is compiled again.
 */
export async function buildAuthorizer(
  input: AuthorizerInput,
  { sliceMs = 2, previous }: { sliceMs?: number; previous?: Authorizer } = {},
): Promise<Authorizer> {
  assertOneTenant(input);
  const reusable = previous?.tenantId === input.tenantId ? compiledBy.get(previous) : undefined;
  const compiled = new Map<unknown, CompiledPolicy>();
  let sliceStart = performance.now();
  for (const policy of input.policies) {
    const key = reuseKey(policy);
    compiled.set(key, reusable?.get(key) ?? compilePolicy(policy));
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  const authorizer = assembleAuthorizer(input, [...compiled.values()]);
  compiledBy.set(authorizer, compiled);
  return authorizer;
}

function assertOneTenant(input: AuthorizerInput): void {
  const { tenantId } = input;
  for (const role of input.roles) {
    if (role.tenantId !== tenantId) {
      throw new AuthError('invalid_request', {
        detail: `role ${role.key} belongs to another tenant than ${tenantId}`,
      });
    }
  }
  for (const policy of input.policies) {
    if (policy.tenantId !== null && policy.tenantId !== tenantId) {
      throw new AuthError('invalid_request', {
        detail: `policy ${policy.id} belongs to another tenant than ${tenantId}`,
      });
    }
  }
}

function assembleAuthorizer(input: AuthorizerInput, policies: readonly CompiledPolicy[]): Authorizer {
  const { tenantId } = input;
  const roles: CompiledRole[] = input.roles.map((role) => ({
    role,
    granted: freezeDecision(true, { kind: 'role', id: role.id, key: role.key }),
  }));
  const cache = new Map<string, ActionRules>();

  const buildRules = (action: string): ActionRules => {
    const grantingRoles = new Map<string, CompiledRole>();
    for (const compiled of roles) {
      if (grantingRoles.has(compiled.role.key)) continue;
      if (compiled.role.permissions.some((p) => permissionCovers(p, action))) {
        grantingRoles.set(compiled.role.key, compiled);
      }
    }
    const applicable = policies.filter((p) => p.definition.actions.some((a) => permissionCovers(a, action)));
    const dot = action.indexOf('.');
    return {
      grantingRoles,
      allow: applicable.filter((p) => p.definition.effect === 'allow'),
      deny: applicable.filter((p) => p.definition.effect === 'deny'),
      impliedType: dot < 0 ? action : action.slice(0, dot),
      action,
    };
  };

  const rulesFor = (action: string): ActionRules => {
    let rules = cache.get(action);
    if (rules === undefined) {
      rules = buildRules(action);
      if (cache.size < MAX_CACHED_ACTIONS) cache.set(action, rules);
    }
    return rules;
  };

  const checkSubject = (subject: AuthorizationSubject): void => {
    if (subject.tenantId !== undefined && subject.tenantId !== tenantId) {
      throw new AuthError('tenant_access_denied', {
        detail: 'the subject belongs to another tenant than this authorizer',
      });
    }
  };

  const decideFast = (
    rules: ActionRules,
    subject: AuthorizationSubject,
    resource: AuthorizationResource | undefined,
    context: Attributes | undefined,
  ): Decision => {
    const type = resource === undefined ? rules.impliedType : resource.type;
    let unknownDeny: CompiledPolicy | undefined;
    for (let i = 0; i < rules.deny.length; i++) {
      const policy = rules.deny[i]!;
      if (!typeMatches(policy, type)) continue;
      const truth = evaluate(policy, subject, resource, context);
      if (truth === TRUE) return policy.matched;
      if (truth === UNKNOWN && unknownDeny === undefined) unknownDeny = policy;
    }
    if (unknownDeny !== undefined) return unknownDeny.unknown;
    const keys = subject.roles;
    for (let i = 0; i < keys.length; i++) {
      const granting = rules.grantingRoles.get(keys[i]!);
      if (granting !== undefined) return granting.granted;
    }
    const grants = subject.grants;
    if (grants !== undefined) {
      for (let i = 0; i < grants.length; i++) {
        if (permissionCovers(grants[i]!, rules.action)) {
          return { allowed: true, reason: { kind: 'grant', permission: grants[i]! } };
        }
      }
    }
    let unknownAllow: CompiledPolicy | undefined;
    for (let i = 0; i < rules.allow.length; i++) {
      const policy = rules.allow[i]!;
      if (!typeMatches(policy, type)) continue;
      const truth = evaluate(policy, subject, resource, context);
      if (truth === TRUE) return policy.matched;
      if (truth === UNKNOWN && unknownAllow === undefined) unknownAllow = policy;
    }
    return unknownAllow === undefined ? NO_RULE : unknownAllow.unknown;
  };

  const explainDecision = (
    rules: ActionRules,
    action: string,
    subject: AuthorizationSubject,
    resource: AuthorizationResource | undefined,
    context: Attributes | undefined,
  ): ExplanationEntry[] => {
    const type = resource === undefined ? rules.impliedType : resource.type;
    const entries: ExplanationEntry[] = [];
    const describePolicy = (policy: CompiledPolicy): ExplanationEntry => {
      const entry = explainPolicy(policy);
      return policy.definition.description === undefined
        ? entry
        : { ...entry, description: policy.definition.description };
    };
    const explainPolicy = (policy: CompiledPolicy): ExplanationEntry => {
      const rule = `policy:${policy.definition.id}` as const;
      const effect = policy.definition.effect;
      if (!typeMatches(policy, type)) {
        return { rule, effect, matched: false, why: `applies to ${policy.definition.resource}, not ${type}` };
      }
      const truth = evaluate(policy, subject, resource, context);
      if (truth === TRUE) {
        return { rule, effect, matched: true, why: policy.test ? 'condition is true' : 'no condition' };
      }
      if (truth === UNKNOWN) {
        const missing = missingRefs(policy, subject, resource, context);
        const what = missing.length > 0 ? `missing ${missing.join(', ')}` : 'values that cannot be compared';
        return effect === 'deny'
          ? {
              rule,
              effect,
              matched: true,
              why: `condition cannot be evaluated (${what}); a deny applies then`,
            }
          : { rule, effect, matched: false, why: `condition cannot be evaluated (${what})` };
      }
      return { rule, effect, matched: false, why: 'condition is false' };
    };
    for (const policy of rules.deny) entries.push(describePolicy(policy));
    for (const key of subject.roles) {
      const granting = rules.grantingRoles.get(key);
      if (granting) {
        const permission = granting.role.permissions.find((p) => permissionCovers(p, action))!;
        entries.push({
          rule: `role:${key}`,
          effect: 'allow',
          matched: true,
          why: permission === action ? `grants ${action}` : `grants ${permission}, which covers ${action}`,
        });
      } else {
        const known = roles.some((r) => r.role.key === key);
        entries.push({
          rule: `role:${key}`,
          effect: 'allow',
          matched: false,
          why: known ? `does not grant ${action}` : 'no such role in this tenant',
        });
      }
    }
    for (const permission of subject.grants ?? []) {
      const covers = permissionCovers(permission, action);
      entries.push({
        rule: `grant:${permission}`,
        effect: 'allow',
        matched: covers,
        why: covers ? `covers ${action}` : `does not cover ${action}`,
      });
    }
    for (const policy of rules.allow) entries.push(describePolicy(policy));
    return entries;
  };

  return {
    tenantId,
    decide(request) {
      checkSubject(request.subject);
      const rules = rulesFor(request.action);
      const decision = decideFast(rules, request.subject, request.resource, request.context);
      if (request.explain !== true) return decision;
      return {
        allowed: decision.allowed,
        reason: decision.reason,
        explanation: explainDecision(
          rules,
          request.action,
          request.subject,
          request.resource,
          request.context,
        ),
      };
    },
    decideMany(subject, action, resources, context) {
      checkSubject(subject);
      const rules = rulesFor(action);
      const decisions = new Array<Decision>(resources.length);
      for (let i = 0; i < resources.length; i++)
        decisions[i] = decideFast(rules, subject, resources[i], context);
      return decisions;
    },
    authorizationFilter(request) {
      checkSubject(request.subject);
      return buildAuthorizationFilter(rulesFor(request.action), request);
    },
  };
}
