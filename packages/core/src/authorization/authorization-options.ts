import { z } from 'zod';
import { checkedAs } from '../checked-as.js';
import { AuthError } from '../errors.js';
import {
  createPermissionCatalog,
  type PermissionCatalogConfig,
  permissionCatalogConfigSchema,
} from './permission-catalog.js';
import type { PolicyDefinition } from './policy.js';
import { policyDefinitionSchema } from './policy-schema.js';

const authorizationShape = {
  // checked one by one when resolved, so that a bad policy is reported with its index
  /**
   * Code-defined policies that apply in every tenant (besides each tenant's stored ones),
   * e.g. a global deny outside office hours. Validated at start.
   */
  policies: z.array(z.custom<Omit<PolicyDefinition, 'tenantId'>>()).max(1000).default([]),
  /** Compiled tenant authorizers kept per instance. Default 1000. */
  cacheSize: z.number().int().min(1).default(1000),
  /** Memberships kept per instance for decisions without I/O. Default 10,000. */
  membershipCacheSize: z.number().int().min(1).default(10_000),
  /**
   * How long a cached authorizer or membership is used before one read confirms it; bounds how
   * late another instance sees a change if its invalidation message is lost. Default 500 ms.
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
};

// typed by its shape so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['authorization']`: global policies, the permission catalog and the caches. */
export const authorizationOptionsSchema: z.ZodObject<typeof authorizationShape, z.core.$strict> =
  z.strictObject(authorizationShape);

/** The `authorization` options an app writes. */
export type AuthorizationOptions = z.input<typeof authorizationOptionsSchema>;

/**
 * The authorization options after defaults: the policies validated and the catalog built, with
 * the permissions other domains define (`builtInPermissions`) always in it.
 */
export function resolveAuthorizationOptions(
  options: z.output<typeof authorizationOptionsSchema>,
  defaults: { builtInPermissions: readonly string[] },
) {
  const permissions = createPermissionCatalog(defaults.builtInPermissions, options.permissions);
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
    membershipCacheSize: options.membershipCacheSize,
    revalidateAfterMs: options.revalidateAfterMs,
    permissions,
  };
}

/** What the authorization domain receives. */
export type ResolvedAuthorizationOptions = ReturnType<typeof resolveAuthorizationOptions>;
