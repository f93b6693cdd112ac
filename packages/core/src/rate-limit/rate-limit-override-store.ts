import type { StoredRateLimitOverride } from './rate-limit-overrides.js';

/** The rate-limit overrides slice of the storage port. */
export interface RateLimitOverrideStore {
  /** Every override of the tenant, tenant-wide and per key, ordered by id (oldest first). */
  listByTenant(tenantId: string): Promise<StoredRateLimitOverride[]>;
  /**
   * Sets the numbers of (`tenantId`, `apiKeyId`, `policy`) in one upsert: inserts the row, or,
   * when that triple has one, replaces its `limit`, `periodSeconds`, `burst` and `updatedAt`
   * (keeping its `id` and `createdAt`). Concurrent puts of one triple leave exactly one row, with
   * the numbers of the last writer; none of them fails with a conflict. Returns the row as the
   * call left it.
   */
  put(override: StoredRateLimitOverride): Promise<StoredRateLimitOverride>;
  /**
   * Deletes the tenant's override of `policy` for `apiKeyId` (null: the tenant-wide one). True
   * when a row went; false when there was none (another tenant's is never touched).
   */
  delete(tenantId: string, apiKeyId: string | null, policy: string): Promise<boolean>;
}
