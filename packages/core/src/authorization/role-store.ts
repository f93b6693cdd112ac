import type { Role } from './roles.js';

/** The roles slice of the storage port. */
export interface RoleStore {
  /** Inserts roles of one tenant. Throws a conflict when a key already exists in that tenant. */
  createMany(roles: Role[]): Promise<void>;
  /** The tenant's roles ordered by key. */
  listByTenant(tenantId: string): Promise<Role[]>;
  /** The tenant's role with this key, or null. */
  findByKey(tenantId: string, key: string): Promise<Role | null>;
}
