import { z } from 'zod';
import { checkedAs } from '../checked-as.js';
import { AuthError } from '../errors.js';
import {
  createPermissionCatalog,
  type PermissionCatalogConfig,
  permissionCatalogConfigSchema,
} from './permission-catalog.js';
import type { PolicyDefinition } from './policy.js';
import { MAX_CONDITION_DEPTH, MAX_CONDITION_NODES, policyDefinitionSchema } from './policy-schema.js';

// Per-tenant limits: what one tenant may store bounds what compiling its rules costs this
// process, and so how long it can hold up every other tenant's decisions.
/** The default of `authorization.limits.maxPoliciesPerTenant`. */
export const MAX_POLICIES_PER_TENANT = 200;

const limitsShape = {
  /** Policies one tenant may store; one more is `policy_limit_reached` (409). Default 200. */
  maxPoliciesPerTenant: z.number().int().min(1).max(10_000).default(MAX_POLICIES_PER_TENANT),
  /**
   * Size of one policy as JSON (actions, resource, condition, description), in bytes; a larger
   * one is `invalid_policy` (422). Default 16 KiB.
   */
  maxPolicyBytes: z
    .number()
    .int()
    .min(256)
    .max(1024 * 1024)
    .default(16 * 1024),
  /**
   * Size of all of one tenant's policies together as JSON, in bytes: what a recompilation
   * reads and compiles at most. A write beyond it is `policy_limit_reached` (409). Default 256 KiB.
   */
  maxPolicyBytesPerTenant: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(256 * 1024),
  /**
   * Nodes (and/or/not/comparisons) in one condition; at most the grammar's own ceiling
   * (`MAX_CONDITION_NODES`, 64), which is the default. More is `invalid_policy` (422).
   */
  maxConditionNodes: z.number().int().min(1).max(MAX_CONDITION_NODES).default(MAX_CONDITION_NODES),
  /**
   * Nesting depth of one condition (the root is depth 1); at most the grammar's ceiling
   * (`MAX_CONDITION_DEPTH`, 8), which is the default. Deeper is `invalid_policy` (422).
   */
  maxConditionDepth: z.number().int().min(1).max(MAX_CONDITION_DEPTH).default(MAX_CONDITION_DEPTH),
  /** Custom roles plus default roles one tenant may hold; one more is `role_limit_reached` (409). Default 100. */
  maxRolesPerTenant: z.number().int().min(1).max(10_000).default(100),
};

/** `AuthConfig['authorization']['limits']`: what one tenant may store. */
export const authorizationLimitsSchema: z.ZodObject<typeof limitsShape, z.core.$strict> =
  z.strictObject(limitsShape);

/** The per-tenant limits after defaults. */
export type AuthorizationLimits = z.output<typeof authorizationLimitsSchema>;

const authorizationShape = {
  // checked one by one when resolved, so that a bad policy is reported with its index
  /**
   * Code-defined policies that apply in every tenant (besides each tenant's stored ones),
   * e.g. a global deny outside office hours. Validated at start.
   */
  policies: z.array(z.custom<Omit<PolicyDefinition, 'tenantId'>>()).max(1000).default([]),
  /**
   * @deprecated Bound the compiled rules by memory with `compiledCacheBytes` instead. When set,
   * also caps the number of compiled tenant authorizers kept per instance. Unset by default.
   */
  cacheSize: z.number().int().min(1).optional(),
  /**
   * Memory the compiled tenant authorizers may take per instance, in (estimated) bytes; the
   * least recently used tenants' rules are dropped beyond it and compiled again at their next
   * decision. A tenant is estimated from its roles and policies (a few KiB for a typical one).
   * Default 64 MiB: more than 10,000 typical tenants.
   */
  compiledCacheBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .default(64 * 1024 * 1024),
  /** Memberships kept per instance for decisions without I/O (a few hundred bytes each). Default 50,000. */
  membershipCacheSize: z.number().int().min(1).default(50_000),
  /**
   * How long a cached authorizer or membership is trusted after its last check. Entries in use
   * are checked again in the background, in one batched read (the shared key-value store's
   * versions, or the database's without one), so decisions do not wait on it; an entry whose
   * check is older than this is read again before use. Bounds how late another instance sees a
   * change if its invalidation message is lost. Default 500 ms.
   */
  revalidateAfterMs: z.number().int().min(0).max(60_000).default(500),
  /**
   * The permission catalog: every resource of the app and its actions. When set, role
   * permissions (default roles here, custom roles through the API), policy actions and
   * resources, and `authorize` actions must name known permissions (`unknown_permission`
   * otherwise; `config_invalid` at start for default roles and the policies above). The
   * built-in tenant permissions (`member.read`, `policy.manage`, …) are always included.
   * Unset: any well-formed permission is accepted. Served at `GET /permissions`.
   *
   * @example
   * permissions: { document: ['read', 'create', 'update', 'delete'], report: ['export'] }
   */
  permissions: checkedAs<PermissionCatalogConfig>(permissionCatalogConfigSchema).optional(),
  /**
   * What one tenant may store, so that its rules stay cheap to compile and one tenant cannot
   * slow the others' decisions: policies (count, bytes each and together, condition size and
   * depth) and roles. Enforced when policies and roles are created or replaced.
   *
   * @example
   * limits: { maxPoliciesPerTenant: 50, maxPolicyBytesPerTenant: 64 * 1024 }
   */
  limits: authorizationLimitsSchema.prefault({}),
  /**
   * Attributes each resource type carries, for the `warnings` of a policy write: a condition
   * reading `resource.<name>` not listed for the policy's resource type is written, with a
   * warning that no request will carry it (a typo there silently denies). Unlisted types are
   * not checked.
   *
   * @example
   * resourceAttributes: { document: ['ownerId', 'visibility', 'folderId'] }
   */
  resourceAttributes: z
    .record(z.string().min(1).max(100), z.array(z.string().min(1).max(100)).max(500))
    .optional(),
};

// typed by its shape so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['authorization']`: global policies, the permission catalog and the caches. */
export const authorizationOptionsSchema: z.ZodObject<typeof authorizationShape, z.core.$strict> =
  z.strictObject(authorizationShape);

/** The `authorization` options an app writes. */
export type AuthorizationOptions = z.input<typeof authorizationOptionsSchema>;

/**
 * The authorization options after defaults: the policies validated and the catalog built, with
 * the permissions other domains define (`builtInPermissions`) and the resource types they ask
 * about (`builtInResourceTypes`) always in it.
 */
export function resolveAuthorizationOptions(
  options: z.output<typeof authorizationOptionsSchema>,
  defaults: { builtInPermissions: readonly string[]; builtInResourceTypes?: readonly string[] },
) {
  const permissions = createPermissionCatalog(
    defaults.builtInPermissions,
    options.permissions,
    defaults.builtInResourceTypes,
  );
  const policies = options.policies.map((policy, index): PolicyDefinition => {
    const parsed = policyDefinitionSchema.safeParse({ ...policy, tenantId: null });
    if (!parsed.success) {
      throw new AuthError('config_invalid', {
        detail: `authorization.policies.${index}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      });
    }
    return parsed.data;
  });
  return {
    policies,
    cacheSize: options.cacheSize,
    compiledCacheBytes: options.compiledCacheBytes,
    membershipCacheSize: options.membershipCacheSize,
    revalidateAfterMs: options.revalidateAfterMs,
    permissions,
    limits: options.limits,
    resourceAttributes: options.resourceAttributes ?? {},
  };
}

/** What the authorization domain receives. */
export type ResolvedAuthorizationOptions = ReturnType<typeof resolveAuthorizationOptions>;
