import type { Page, PageRequest } from '../ports/pagination.js';
import type { Tenant, TenantStatus, TenantWithRoles } from './tenants.js';

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
  /**
   * Locks the tenant's row until the enclosing transaction ends (`SELECT … FOR UPDATE`); a
   * concurrent transaction locking the same tenant waits for this one to commit or roll back.
   * Services take it first in a transaction that reads the tenant's members and then writes on
   * what it read (the last-owner rule), so two such transactions never both act on one
   * snapshot. Returns false, locking nothing, when no tenant has this id.
   *
   * Only meaningful on a transaction's stores. Where transactions already run one at a time
   * (SQLite, whose writes are serialized; the memory adapter) a plain existence check suffices.
   */
  lock(id: string): Promise<boolean>;
  /** Applies the patch and returns the updated tenant, or null when no tenant has this id. */
  update(id: string, patch: TenantPatch): Promise<Tenant | null>;
  /**
   * Tenants the user is a member of, each with the user's role keys there (`roles`, from the
   * membership), ordered by tenant id ascending, in one query (join on memberships). `cursor` is
   * the last tenant id of the previous page.
   */
  listForUser(userId: string, page: PageRequest): Promise<Page<TenantWithRoles>>;
}
