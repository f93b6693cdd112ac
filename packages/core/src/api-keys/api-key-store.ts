import type { Page, PageRequest } from '../ports/pagination.js';
import type { ApiKey, ApiKeyCreditInterval, ApiKeyRevocationReason } from './api-keys.js';

/** New limits of a key: each field given replaces the stored one (null clears it); absent ones stay. */
export interface ApiKeyLimitsChange {
  rateLimitPolicies?: string[] | null;
  /** The quota: all four credit columns at once (null clears the quota). */
  credits?: {
    remaining: number;
    refillAmount: number | null;
    refillInterval: ApiKeyCreditInterval | null;
    /** Stored as `creditsRefilledAt`: the count is this period's. */
    setAt: Date;
  } | null;
  at: Date;
}

/** The API keys slice of the storage port. */
export interface ApiKeyStore {
  /** Inserts a key. Throws a conflict when the id or the key hash exists. */
  create(key: ApiKey): Promise<void>;
  /**
   * The key with this hash, in any tenant and of any status (a presented key names no tenant;
   * the caller checks status, expiry and environment), with its standing; or null. `standing`
   * is true when the key's tenant is active and the key is the tenant's own (no owner) or its
   * owner is an active user still a member of the key's tenant; false otherwise (a suspended
   * tenant; an owner suspended, deleted, gone or no longer a member). ONE query: the unique
   * key-hash index joined on the tenant's and the owner's primary keys and the memberships'
   * unique (tenant, user) index. Verification's only read.
   */
  findByHash(keyHash: string): Promise<{ key: ApiKey; standing: boolean } | null>;
  /** The tenant's key with this id, of any status; null when absent or another tenant's. */
  findById(tenantId: string, id: string): Promise<ApiKey | null>;
  /** The tenant's keys that are not revoked, ordered by id, page by page. */
  listByTenant(tenantId: string, page: PageRequest): Promise<Page<ApiKey>>;
  /**
   * Starts a rotation in one conditional UPDATE: only while the tenant's key is active and has no
   * successor yet, sets `successorId` and `overlapEndsAt` (the end of its validity) and
   * `updatedAt`. Of concurrent rotations of one key exactly one wins. Returns the key as this call
   * left it, or null (absent, another tenant's, revoked, or rotated already).
   */
  beginRotation(
    tenantId: string,
    id: string,
    change: { successorId: string; overlapEndsAt: Date; at: Date },
  ): Promise<ApiKey | null>;
  /**
   * Revokes the tenant's active key (`status` revoked, `revokedAt`, `revokedReason`,
   * `updatedAt`). Returns true for the caller that revoked it (of concurrent callers exactly one
   * wins); false when absent, another tenant's or revoked already.
   */
  revoke(tenantId: string, id: string, at: Date, reason: ApiKeyRevocationReason): Promise<boolean>;
  /**
   * Notes that a secret scanner reported the tenant's key as leaked: sets `leakReportedAt` (and
   * `updatedAt`) only while it is null, whatever the key's status. Returns true for the caller
   * that set it (of concurrent callers exactly one wins); false when absent, another tenant's or
   * reported already. What makes a repeated report change nothing.
   */
  markLeakReported(tenantId: string, id: string, at: Date): Promise<boolean>;
  /**
   * Revokes every active key the user owns: in one tenant (they left it), or in every tenant when
   * `tenantId` is null (they were suspended). Returns how many it revoked.
   */
  revokeOwnedBy(
    userId: string,
    tenantId: string | null,
    at: Date,
    reason: ApiKeyRevocationReason,
  ): Promise<number>;
  /**
   * Replaces the limits of the tenant's active key (its rate-limit policies, its credits) and
   * `updatedAt`, in one UPDATE. Returns the key as this call left it, or null (absent, another
   * tenant's or revoked).
   */
  updateLimits(tenantId: string, id: string, change: ApiKeyLimitsChange): Promise<ApiKey | null>;
  /**
   * Spends `cost` credits of the key, atomically, in ONE conditional UPDATE: only a key with a
   * quota (`creditsRemaining` not null); when it refills (`creditRefillAmount` not null) and its
   * `creditsRefilledAt` is null or before `periodStart`, it is first refilled to the amount (and
   * `creditsRefilledAt` set to `at`), in the same statement. The count never goes below zero:
   * of concurrent callers exactly as many succeed as there were credits. Returns the credits left
   * after this call's decrement, or null when there were not enough (nothing is changed then, not
   * even a due refill), or the key is absent or has no quota.
   */
  consumeCredits(id: string, cost: number, periodStart: Date, at: Date): Promise<number | null>;
  /**
   * Records when keys were last used, a batch at a time (verification coalesces uses in memory):
   * sets each key's `lastUsedAt` unless it already holds a later time. Blind writes; nothing
   * happens to an absent key.
   */
  recordUses(uses: ReadonlyArray<{ id: string; at: Date }>): Promise<void>;
}
