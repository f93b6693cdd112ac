/**
 * A tenant's numbers for one rate-limit policy, set by the SaaS operator (plan limits): for one
 * of the tenant's API keys, or for every request of the tenant (`apiKeyId` null). At most one row
 * per (tenant, key or tenant-wide, policy).
 */
export interface StoredRateLimitOverride {
  id: string;
  tenantId: string;
  /** The key whose requests it governs; null: the tenant's own (every request acting in it). */
  apiKeyId: string | null;
  /** A configured policy's name. */
  policy: string;
  /** Requests per period. */
  limit: number;
  periodSeconds: number;
  /** Requests allowed at once; null: `limit`. */
  burst: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The tenants whose cached overrides must go, as the storage wrapper's effects announce them. */
export interface ChangedRateLimitOverrides {
  tenantIds: string[];
}

/** The numbers an override gives a policy, `burst` filled in. */
export interface RateLimitNumbers {
  limit: number;
  periodSeconds: number;
  burst: number;
}
