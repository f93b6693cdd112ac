import { recordChange } from '../audit/index.js';
import type { CallContext } from '../call-context.js';
import { uuidv7 } from '../crypto/uuid.js';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import { parseInput } from '../validation.js';
import type { ResolvedAuthorizationOptions } from './authorization-options.js';
import { assertCanGrant } from './grant-rule.js';
import { assertKnownPermissions } from './permission-catalog.js';
import { findReferenceWarnings, type PolicyWarning } from './policy-references.js';
import { findConditionIssues, type PolicyInput, policyInputSchema } from './policy-schema.js';
import type { StoredPolicy } from './policy-store.js';
import type { TenantPermissionCheck } from './tenant-permission-check.js';

/**
 * A policy as a write answers it: stored, plus `warnings` for references in its condition that
 * nothing known provides (`context.weekday` for `context.utcWeekday`, say), which would make it
 * read a missing attribute on every request. The policy is written all the same: the app may pass
 * the attribute itself.
 */
export type WrittenPolicy = StoredPolicy & { warnings: PolicyWarning[] };

/**
 * The policy operations of `auth.api`: the tenant's ABAC policies as an admin edits them (DESIGN
 * §3 Policy). Every operation needs `policy.manage` in the tenant; a non-member gets
 * `not_found`, whatever the ids.
 *
 * Policies are data, not code: a condition is JSON validated against a closed grammar
 * (`policy-schema.ts`) and interpreted by the compiler; nothing stored is ever evaluated as
 * JavaScript, and references cannot reach prototypes.
 *
 * Policies cannot form cycles: the condition grammar has no way to refer to another policy (or
 * role). A reference names an attribute of the request only (`subject.*`, `resource.*`,
 * `context.*`), so each policy is evaluated on its own and a "policy that includes a policy" is
 * rejected as an unknown reference root at write time.
 */
export interface PoliciesApi {
  /**
   * The tenant's stored ABAC policies, oldest first; the caller needs `policy.manage` there
   * (`not_found` for non-members, `forbidden` without it), not `member.read`: conditions reveal
   * how access is guarded (network ranges, attribute rules). Code-defined policies are not listed.
   *
   * @example
   * const policies = await auth.api.listPolicies(tenantId, adminUserId)
   */
  listPolicies(tenantId: string, userId: string, context?: CallContext): Promise<StoredPolicy[]>;
  /**
   * Stores a tenant policy (needs `policy.manage`, version 1) in one transaction with its audit
   * entry, its `policy.created` outbox event and a bump of the tenant's authorization version, so
   * the next `authorize` sees it. Errors: `invalid_policy` (issues name each problem and its
   * path: unknown operators, bad references, too deep or too large), `unknown_permission`
   * (actions or a resource outside the permission catalog), `forbidden` (an allow policy for
   * actions the caller does not hold; deny policies are always allowed), `policy_limit_reached`
   * (the tenant's policies would exceed `authorization.limits`: their number or their size
   * together). The answer carries `warnings` (see {@link WrittenPolicy}).
   *
   * @example
   * await auth.api.createPolicy(tenantId, adminUserId, {
   *   effect: 'deny',
   *   actions: ['document.*'],
   *   resource: 'document',
   *   condition: { not: { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] } },
   *   description: 'Documents only from the office network',
   * })
   */
  createPolicy(
    tenantId: string,
    userId: string,
    input: PolicyInput,
    context?: CallContext,
  ): Promise<WrittenPolicy>;
  /**
   * Replaces every field of a policy (a condition or description left out is removed), with the
   * rules of {@link createPolicy}; bumps the policy's version and the tenant's authorization
   * version, and emits `policy.updated`. `not_found` for another tenant's policy id.
   *
   * @example
   * await auth.api.replacePolicy(tenantId, adminUserId, policy.id, { ...policy, effect: 'deny' })
   */
  replacePolicy(
    tenantId: string,
    userId: string,
    policyId: string,
    input: PolicyInput,
    context?: CallContext,
  ): Promise<WrittenPolicy>;
  /**
   * Deletes a tenant policy (needs `policy.manage`), emitting `policy.deleted`; `not_found` when
   * the tenant has no such policy.
   *
   * @example
   * await auth.api.deletePolicy(tenantId, adminUserId, policyId)
   */
  deletePolicy(tenantId: string, userId: string, policyId: string, context?: CallContext): Promise<void>;
}

/** The policies part of the authorization domain: its `auth.api` operations. */
export interface PolicyService {
  api: PoliciesApi;
}

/** What the policy service uses. */
export interface PolicyServiceDeps {
  storage: Storage;
  clock: Clock;
  tenants: TenantPermissionCheck;
}

export function createPolicyService(
  { storage, clock, tenants }: PolicyServiceDeps,
  {
    permissions: catalog,
    limits,
    resourceAttributes,
  }: Pick<ResolvedAuthorizationOptions, 'permissions' | 'limits' | 'resourceAttributes'>,
): PolicyService {
  /** What a policy weighs against the limits: its fields as JSON, in bytes. */
  const sizeOf = (policy: PolicyInput) => Buffer.byteLength(JSON.stringify(fields(policy)));

  /** The limits one policy must keep on its own: size, and its condition's nodes and depth. */
  function assertWithinPolicyLimits(input: PolicyInput) {
    const bytes = sizeOf(input);
    if (bytes > limits.maxPolicyBytes) {
      throw new AuthError('invalid_policy', {
        detail: `the policy is ${bytes} bytes as JSON; the limit is ${limits.maxPolicyBytes}`,
        issues: [{ path: '', message: `larger than ${limits.maxPolicyBytes} bytes` }],
      });
    }
    if (input.condition === undefined) return;
    const issues = findConditionIssues(input.condition, {
      maxDepth: limits.maxConditionDepth,
      maxNodes: limits.maxConditionNodes,
    });
    if (issues.length > 0) {
      throw new AuthError('invalid_policy', {
        detail: issues.map((i) => i.message).join('; '),
        issues: issues.map((i) => ({ path: ['condition', ...i.path].join('.'), message: i.message })),
      });
    }
  }

  /** The limits of the tenant's policies together, `others` being all but the one written. */
  function assertWithinTenantLimits(
    others: readonly StoredPolicy[],
    input: PolicyInput,
    previous?: StoredPolicy,
  ) {
    // a tenant already over lowered limits may still replace a policy with one no larger: that
    // only moves it toward them
    if (previous !== undefined && sizeOf(input) <= sizeOf(previous)) return;
    if (previous === undefined && others.length + 1 > limits.maxPoliciesPerTenant) {
      throw new AuthError('policy_limit_reached', {
        detail: `a tenant holds at most ${limits.maxPoliciesPerTenant} policies`,
      });
    }
    const bytes = others.reduce((sum, policy) => sum + sizeOf(policy), sizeOf(input));
    if (bytes > limits.maxPolicyBytesPerTenant) {
      throw new AuthError('policy_limit_reached', {
        detail: `a tenant's policies take at most ${limits.maxPolicyBytesPerTenant} bytes together; with this one they would take ${bytes}`,
      });
    }
  }

  /** Parses and checks a policy the caller wants to write; returns the valid input. */
  async function admitWrite(
    tenantId: string,
    userId: string,
    rawInput: unknown,
    context: CallContext,
  ): Promise<PolicyInput> {
    const input = parseInput(policyInputSchema, rawInput, 'invalid_policy');
    assertWithinPolicyLimits(input);
    const { membership } = await tenants.requirePermission(tenantId, userId, 'policy.manage', context);
    assertKnownPermissions(catalog, 'actions', input.actions);
    const resourceProblem = catalog.findResourceProblem(input.resource);
    if (resourceProblem) {
      throw new AuthError('unknown_permission', {
        detail: `resource: ${resourceProblem}`,
        issues: [{ path: 'resource', message: resourceProblem }],
      });
    }
    // a deny only takes away, so anyone trusted with policy.manage may write one
    if (input.effect === 'allow') {
      assertCanGrant(await storage.roles.listByTenant(tenantId), membership.roles, input.actions);
    }
    return input;
  }

  const fields = (input: PolicyInput) => ({
    effect: input.effect,
    actions: input.actions,
    resource: input.resource,
    ...(input.condition !== undefined ? { condition: input.condition } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
  });

  /** What the audit log and the outbox say about a policy: all of it, so a change can be reviewed. */
  const described = (policy: StoredPolicy) => ({ ...fields(policy), version: policy.version });

  /**
   * Bumps the tenant's policies version first: the bump is an upsert on the tenant's row, whose
   * lock is held to commit, so concurrent writers of one tenant's policies queue behind it and
   * what this transaction reads next (the count against the cap) is not stale.
   */
  const bumpVersion = (tx: StorageStores, tenantId: string) =>
    tx.authorizationVersions.bumpPoliciesVersion(tenantId);

  const api: PoliciesApi = {
    async listPolicies(tenantId, userId, context = {}) {
      await tenants.requirePermission(tenantId, userId, 'policy.manage', context);
      return storage.policies.listByTenant(tenantId);
    },

    async createPolicy(tenantId, userId, rawInput, context = {}) {
      const input = await admitWrite(tenantId, userId, rawInput, context);
      const now = clock.now();
      const policy: StoredPolicy = {
        id: uuidv7(now.getTime()),
        tenantId,
        ...fields(input),
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      await storage.transaction(async (tx) => {
        await bumpVersion(tx, tenantId);
        assertWithinTenantLimits(await tx.policies.listByTenant(tenantId), input);
        await tx.policies.create(policy);
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'policy.created',
          target: { type: 'policy', id: policy.id },
          data: described(policy),
        });
      });
      return { ...policy, warnings: findReferenceWarnings(input, resourceAttributes) };
    },

    async replacePolicy(tenantId, userId, policyId, rawInput, context = {}) {
      const input = await admitWrite(tenantId, userId, rawInput, context);
      const policy = await storage.transaction(async (tx) => {
        // bumped first, as in createPolicy: the limits below read a list no concurrent writer changes
        await bumpVersion(tx, tenantId);
        const all = await tx.policies.listByTenant(tenantId);
        const others = all.filter((p) => p.id !== policyId);
        const previous = all.find((p) => p.id === policyId);
        const replaced = await tx.policies.replace(tenantId, policyId, {
          ...fields(input),
          updatedAt: clock.now(),
        });
        if (!replaced || !previous) throw new AuthError('not_found', { detail: 'no such policy' });
        assertWithinTenantLimits(others, input, previous);
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'policy.updated',
          target: { type: 'policy', id: policyId },
          data: described(replaced),
        });
        return replaced;
      });
      return { ...policy, warnings: findReferenceWarnings(input, resourceAttributes) };
    },

    async deletePolicy(tenantId, userId, policyId, context = {}) {
      await tenants.requirePermission(tenantId, userId, 'policy.manage', context);
      await storage.transaction(async (tx) => {
        const policy = await tx.policies.findById(tenantId, policyId);
        if (!policy || !(await tx.policies.delete(tenantId, policyId))) {
          throw new AuthError('not_found', { detail: 'no such policy' });
        }
        await bumpVersion(tx, tenantId);
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'policy.deleted',
          target: { type: 'policy', id: policyId },
          data: described(policy),
        });
      });
    },
  };

  return { api };
}
