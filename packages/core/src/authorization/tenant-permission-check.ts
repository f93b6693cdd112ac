import type { CallContext } from '../call-context.js';

/**
 * The permission check every role and policy operation runs first: the tenant service's
 * `requirePermission`. It is declared here, by what these operations read of it, because the
 * tenants domain stands on the authorization engine: importing the tenant service back would be
 * an import cycle. `createAuth` passes the tenant service, which fits it.
 */
export interface TenantPermissionCheck {
  /**
   * Resolves with the caller's membership when they hold `permission` in the tenant; `not_found`
   * for a non-member (or an unknown tenant), `forbidden` without the permission.
   */
  requirePermission(
    tenantId: string,
    userId: string,
    permission: string,
    context?: CallContext,
  ): Promise<{ membership: { roles: readonly string[] } }>;
}
