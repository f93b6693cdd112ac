import type { Role } from './roles.js';

/** What {@link RoleStore.update} may change. The key is immutable: memberships refer to it. */
export interface RolePatch {
  name?: string;
  permissions?: string[];
  updatedAt: Date;
}

/** The roles slice of the storage port. Every method names its tenant. */
export interface RoleStore {
  /** Inserts roles of one tenant. Throws a conflict when a key already exists in that tenant. */
  createMany(roles: Role[]): Promise<void>;
  /** The tenant's roles ordered by key. */
  listByTenant(tenantId: string): Promise<Role[]>;
  /** The tenant's role with this key, or null. */
  findByKey(tenantId: string, key: string): Promise<Role | null>;
  /** The tenant's role with this id, or null (also when the id is another tenant's role). */
  findById(tenantId: string, id: string): Promise<Role | null>;
  /**
   * Applies the patch and increments `version` by one in the same statement
   * (`version = version + 1`), so concurrent updates never lose an increment: n updates raise
   * it by exactly n. Returns the role as this call left it, or null when the tenant has no role
   * with this id. Does not bump the tenant's authorization version (callers do, in the same
   * transaction: see `AuthorizationVersionStore`).
   */
  update(tenantId: string, id: string, patch: RolePatch): Promise<Role | null>;
  /**
   * Deletes the tenant's role with this id. Returns true for the caller that deleted it: of
   * concurrent callers exactly one wins. False when absent or another tenant's. Memberships that
   * name the key are left as they are (callers decide what happens to them).
   */
  delete(tenantId: string, id: string): Promise<boolean>;
}
