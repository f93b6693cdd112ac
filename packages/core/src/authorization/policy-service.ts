import { recordChange } from '../audit/index.js';
import type { CallContext } from '../call-context.js';
import { uuidv7 } from '../crypto/uuid.js';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import { parseInput } from '../validation.js';
import { assertCanGrant } from './grant-rule.js';
import { assertKnownPermissions, type PermissionCatalog } from './permission-catalog.js';
import { type PolicyInput, policyInputSchema } from './policy-schema.js';
import type { StoredPolicy } from './policy-store.js';
import type { TenantPermissionCheck } from './tenant-permission-check.js';

/** A tenant holds at most this many policies; one more is `policy_limit_reached` (409). */
export const MAX_POLICIES_PER_TENANT = 500;

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
   * ({@link MAX_POLICIES_PER_TENANT} per tenant).
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
  ): Promise<StoredPolicy>;
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
  ): Promise<StoredPolicy>;
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
  { catalog }: { catalog: PermissionCatalog },
): PolicyService {
  /** Parses and checks a policy the caller wants to write; returns the valid input. */
  async function admitWrite(
    tenantId: string,
    userId: string,
    rawInput: unknown,
    context: CallContext,
  ): Promise<PolicyInput> {
    const input = parseInput(policyInputSchema, rawInput, 'invalid_policy');
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
        if ((await tx.policies.listByTenant(tenantId)).length >= MAX_POLICIES_PER_TENANT) {
          throw new AuthError('policy_limit_reached', {
            detail: `a tenant holds at most ${MAX_POLICIES_PER_TENANT} policies`,
          });
        }
        await tx.policies.create(policy);
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'policy.created',
          target: { type: 'policy', id: policy.id },
          data: described(policy),
        });
      });
      return policy;
    },

    async replacePolicy(tenantId, userId, policyId, rawInput, context = {}) {
      const input = await admitWrite(tenantId, userId, rawInput, context);
      return storage.transaction(async (tx) => {
        const policy = await tx.policies.replace(tenantId, policyId, {
          ...fields(input),
          updatedAt: clock.now(),
        });
        if (!policy) throw new AuthError('not_found', { detail: 'no such policy' });
        await bumpVersion(tx, tenantId);
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'policy.updated',
          target: { type: 'policy', id: policyId },
          data: described(policy),
        });
        return policy;
      });
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
