/** How a tenant's users are identified. */
export type UserPool = 'shared' | 'isolated';
export type TenantStatus = 'active' | 'suspended';

/**
 * An organization or workspace. In a `shared` pool a user joins many tenants through
 * memberships; in an `isolated` pool users belong to exactly one tenant and log in naming it.
 */
export interface Tenant {
  id: string;
  slug: string;
  name: string;
  status: TenantStatus;
  userPool: UserPool;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/** A tenant as a member's list of tenants shows it: with that member's role keys, read in one query. */
export interface TenantWithRoles extends Tenant {
  /** The member's role keys in this tenant. */
  roles: string[];
}
