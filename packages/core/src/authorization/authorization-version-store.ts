/**
 * A tenant's authorization versions: caches of its compiled roles and policies are keyed on
 * them. Both start at 0 for a tenant that never changed either.
 */
export interface AuthorizationVersions {
  tenantId: string;
  roles: number;
  policies: number;
}

/**
 * The per-tenant authorization version counters (one row per tenant, created on the first bump).
 *
 * Why counters of their own rather than the roles' `version`s: deleting a role or a policy leaves
 * no row whose version could change, and one read of one row is cheaper than reading every role
 * to see whether the cache is still good. Services bump the counter in the same transaction as the
 * change (create, update or delete of a role or policy), so a cache keyed on the versions can
 * never serve a state older than the one committed.
 */
export interface AuthorizationVersionStore {
  /** The tenant's versions; `{ roles: 0, policies: 0 }` when nothing was bumped yet. */
  getVersions(tenantId: string): Promise<AuthorizationVersions>;
  /**
   * The versions of several tenants in one query, one entry per tenant asked (in any order;
   * `{ roles: 0, policies: 0 }` for a tenant never bumped). The authorization cache's background
   * refresh reads its tenants with it when no shared key-value store holds their versions.
   * Optional: without it the tenants are read one by one (see {@link readVersionsMany}).
   */
  getVersionsMany?(tenantIds: readonly string[]): Promise<AuthorizationVersions[]>;
  /**
   * Increments the tenant's roles version by one, atomically (an upsert that adds 1: n concurrent
   * callers raise it by exactly n), and returns the value this call wrote.
   */
  bumpRolesVersion(tenantId: string): Promise<number>;
  /** As {@link bumpRolesVersion}, for the policies version. */
  bumpPoliciesVersion(tenantId: string): Promise<number>;
}

/** `store.getVersionsMany(tenantIds)` when the adapter has it, else one `getVersions` per tenant. */
export function readVersionsMany(
  store: AuthorizationVersionStore,
  tenantIds: readonly string[],
): Promise<AuthorizationVersions[]> {
  if (tenantIds.length === 0) return Promise.resolve([]);
  return store.getVersionsMany
    ? store.getVersionsMany(tenantIds)
    : Promise.all(tenantIds.map((tenantId) => store.getVersions(tenantId)));
}
