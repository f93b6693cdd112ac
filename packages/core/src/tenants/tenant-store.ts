import type { Page, PageRequest } from '../ports/pagination.js';
import type { Tenant, TenantStatus } from './tenants.js';

export interface TenantPatch {
  name?: string;
  status?: TenantStatus;
  metadata?: Record<string, unknown>;
  updatedAt: Date;
}

/** The tenants slice of the storage port. */
export interface TenantStore {
  /** Inserts a tenant. Throws when the slug is taken (core turns it into `AuthError('conflict')`). */
  create(tenant: Tenant): Promise<void>;
  /** The tenant with this id, or null. */
  findById(id: string): Promise<Tenant | null>;
  /** The tenant with this slug (slugs are stored lower-case), or null. */
  findBySlug(slug: string): Promise<Tenant | null>;
  /** Applies the patch and returns the updated tenant, or null when no tenant has this id. */
  update(id: string, patch: TenantPatch): Promise<Tenant | null>;
  /**
   * Tenants the user is a member of, ordered by tenant id ascending, in one query (join on
   * memberships). `cursor` is the last tenant id of the previous page.
   */
  listForUser(userId: string, page: PageRequest): Promise<Page<Tenant>>;
}
