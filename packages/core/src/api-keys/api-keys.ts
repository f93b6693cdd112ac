/**
 * A condition in the policy language (`Condition` of the authorization domain), kept as the JSON
 * it is: the service validates it on the way in and the authorization engine compiles it. Typed
 * structurally here so that the store slice needs nothing from the authorization domain.
 */
export type ApiKeyCondition = { readonly [operator: string]: unknown };

/**
 * Whether a key may still be used. A revoked key is kept (its hash cleared of meaning: it never
 * verifies again) so that its id, name and last use stay in the record.
 */
export type ApiKeyStatus = 'active' | 'revoked';

/** How often a key's credits are refilled: each calendar day, week (from Monday) or month, in UTC. */
export type ApiKeyCreditInterval = 'day' | 'week' | 'month';

/**
 * Why a key was revoked: by a person, because its owner left or was suspended, leaked, or
 * superseded (its successor was rotated during its overlap, which ended it).
 */
export type ApiKeyRevocationReason = 'revoked' | 'owner_removed' | 'leaked' | 'superseded';

/**
 * An API key of one tenant and one environment. The key itself is shown once; only its keyed
 * hash (HMAC-SHA256 under a versioned pepper) is kept, with its first characters and last four
 * for people to recognize it. Owned by the tenant (`ownerUserId` null) or by a user, whose
 * permissions bound it at every use.
 */
export interface ApiKey {
  id: string;
  tenantId: string;
  environment: string;
  /** The user who owns it; null for a key owned by the tenant itself. */
  ownerUserId: string | null;
  name: string;
  /** HMAC-SHA256 (hex) of the whole key under the pepper of `pepperVersion`. */
  keyHash: string;
  pepperVersion: number;
  /** The key's first characters (`pc_live_AbC`), safe to show. */
  start: string;
  /** The key's last four characters, safe to show. */
  lastFour: string;
  /** The permissions it grants (`resource.action` patterns), never beyond its owner's. */
  permissions: string[];
  /** An ABAC condition every use must meet (e.g. a source CIDR), read as `subject.type: 'api_key'`. */
  constraints: ApiKeyCondition | null;
  expiresAt: Date | null;
  status: ApiKeyStatus;
  revokedAt: Date | null;
  revokedReason: ApiKeyRevocationReason | null;
  /** The key this one replaced by rotation. */
  predecessorId: string | null;
  /** The key that replaced this one; set once, by the rotation that won. */
  successorId: string | null;
  /** After a rotation: the end of the overlap, when this key stops working. */
  overlapEndsAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** When it was last used (coalesced in memory, written about once a minute). */
  lastUsedAt: Date | null;
  /**
   * The named rate-limit policies (`rateLimit.policies` covering operation `apiKey`) this key
   * is counted by instead of every such policy; null: every such policy; `[]`: none.
   */
  rateLimitPolicies: string[] | null;
  /**
   * Credits left when the key has a quota (each successful verification spends one); null: no
   * quota. The database holds the count: a copy read earlier is only the last known value.
   */
  creditsRemaining: number | null;
  /**
   * When a secret scanner (GitHub's) first reported the key as leaked; null when never. Set
   * whether the report revoked the key or only flagged it (`secretScanning.github.onLeak`).
   */
  leakReportedAt: Date | null;
  /** What the credits are refilled to at each period's start; null: never refilled. */
  creditRefillAmount: number | null;
  /** The calendar period of the refill (UTC); null exactly when `creditRefillAmount` is. */
  creditRefillInterval: ApiKeyCreditInterval | null;
  /** When the credits were last set (created, refilled or updated): a refill is due once per period after it. */
  creditsRefilledAt: Date | null;
}

/** A key's credit quota as the API shows it and takes it. */
export interface ApiKeyCredits {
  /** Credits left (the last known value when read from a summary). */
  remaining: number;
  /** Refilled to `amount` at the start of each UTC calendar `interval`; absent: never. */
  refill?: { amount: number; interval: ApiKeyCreditInterval };
}

/** Where a key stands at a moment: usable, usable until its rotation overlap ends, or not. */
export type ApiKeyState = 'active' | 'overlapping' | 'expired' | 'revoked';

/** A key as the API shows it: no hash. */
export interface ApiKeySummary {
  id: string;
  tenantId: string;
  environment: string;
  ownerUserId: string | null;
  name: string;
  start: string;
  lastFour: string;
  permissions: string[];
  constraints: ApiKeyCondition | null;
  expiresAt: Date | null;
  state: ApiKeyState;
  predecessorId: string | null;
  successorId: string | null;
  overlapEndsAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** The named rate-limit policies it is counted by; null: every policy covering `apiKey`. */
  rateLimitPolicies: string[] | null;
  /** Its credit quota (the last known count: the database holds the truth); null: none. */
  credits: ApiKeyCredits | null;
  /** When a secret scanner reported the key as leaked; null when never. */
  leakReportedAt: Date | null;
}

/** Where `key` stands at `now`. */
export function apiKeyState(key: ApiKey, now: Date): ApiKeyState {
  if (key.status === 'revoked') return 'revoked';
  const nowMs = now.getTime();
  if (key.expiresAt !== null && key.expiresAt.getTime() <= nowMs) return 'expired';
  if (key.overlapEndsAt !== null) return key.overlapEndsAt.getTime() > nowMs ? 'overlapping' : 'expired';
  return 'active';
}

/** The summary of a key at `now`. */
export function summarizeApiKey(key: ApiKey, now: Date): ApiKeySummary {
  return {
    id: key.id,
    tenantId: key.tenantId,
    environment: key.environment,
    ownerUserId: key.ownerUserId,
    name: key.name,
    start: key.start,
    lastFour: key.lastFour,
    permissions: key.permissions,
    constraints: key.constraints,
    expiresAt: key.expiresAt,
    state: apiKeyState(key, now),
    predecessorId: key.predecessorId,
    successorId: key.successorId,
    overlapEndsAt: key.overlapEndsAt,
    createdBy: key.createdBy,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    rateLimitPolicies: key.rateLimitPolicies,
    credits: creditsOf(key),
    leakReportedAt: key.leakReportedAt,
  };
}

/** The key's quota as the API shows it, or null. */
export function creditsOf(key: ApiKey): ApiKeyCredits | null {
  if (key.creditsRemaining === null) return null;
  return key.creditRefillAmount !== null && key.creditRefillInterval !== null
    ? {
        remaining: key.creditsRemaining,
        refill: { amount: key.creditRefillAmount, interval: key.creditRefillInterval },
      }
    : { remaining: key.creditsRemaining };
}

/**
 * The start of the UTC calendar period holding `at`: 00:00 of its day, Monday 00:00 of its week,
 * or the 1st of its month.
 */
export function creditPeriodStart(interval: ApiKeyCreditInterval, at: Date): Date {
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  if (interval === 'day') return new Date(day);
  if (interval === 'month') return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  // getUTCDay: Sunday 0 … Saturday 6; days since Monday
  const sinceMonday = (at.getUTCDay() + 6) % 7;
  return new Date(day - sinceMonday * 86_400_000);
}

/** The start of the period after the one holding `at`: when the next refill is due. */
export function nextCreditPeriodStart(interval: ApiKeyCreditInterval, at: Date): Date {
  const start = creditPeriodStart(interval, at);
  if (interval === 'day') return new Date(start.getTime() + 86_400_000);
  if (interval === 'week') return new Date(start.getTime() + 7 * 86_400_000);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}
