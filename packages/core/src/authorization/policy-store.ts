import type { PolicyDefinition } from './policy.js';

/**
 * A policy stored for one tenant: a {@link PolicyDefinition} whose `tenantId` is set, with a
 * `version` bumped on every replace. Global (code-defined) policies live in config, never here.
 */
export interface StoredPolicy extends PolicyDefinition {
  tenantId: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A full replacement of a stored policy (PUT semantics): a `condition` or `description` left
 * out is removed.
 */
export interface PolicyReplacement {
  effect: StoredPolicy['effect'];
  actions: string[];
  resource: string;
  condition?: StoredPolicy['condition'];
  description?: string;
  updatedAt: Date;
}

/**
 * The policies slice of the storage port. Every method except `create` names its tenant;
 * conditions are stored as JSON text and come back as they were written.
 */
export interface PolicyStore {
  /** Inserts a policy. Throws a conflict when the id exists. */
  create(policy: StoredPolicy): Promise<void>;
  /** The tenant's policy with this id, or null (also when the id is another tenant's policy). */
  findById(tenantId: string, id: string): Promise<StoredPolicy | null>;
  /** The tenant's own policies, ordered by id (global policies are not stored). */
  listByTenant(tenantId: string): Promise<StoredPolicy[]>;
  /**
   * Replaces everything but id, tenant and `createdAt`, and increments `version` by one in the
   * same statement (concurrent replaces never lose an increment). Returns the policy as this call
   * left it, or null when the tenant has no policy with this id.
   */
  replace(tenantId: string, id: string, replacement: PolicyReplacement): Promise<StoredPolicy | null>;
  /**
   * Deletes the tenant's policy. Returns true for the caller that deleted it (of concurrent
   * callers exactly one wins); false when absent or another tenant's.
   */
  delete(tenantId: string, id: string): Promise<boolean>;
}
