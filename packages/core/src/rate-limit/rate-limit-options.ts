import { z } from 'zod';
import { checkedAs } from '../checked-as.js';
import {
  DEFAULT_RATE_LIMITS,
  type DefaultPolicyName,
  type RateLimitPolicy,
  type RateLimitRule,
} from './rate-limit-policy.js';
import type { RateLimitOverride } from './rate-limiter.js';

const ruleNames = Object.keys(DEFAULT_RATE_LIMITS) as [string, ...string[]];
const rulesSchema = z.partialRecord(
  z.enum(ruleNames),
  z.strictObject({ limit: z.number().int().min(1), windowSeconds: z.number().int().min(1) }),
);

const keyPart = z.enum(['ip', 'user', 'tenant', 'apiKey', 'client', 'route', 'identifier', 'subject']);
const policySchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'use 1 to 64 of A-Z a-z 0-9 _ . : -'),
  operations: z
    .array(
      z.enum([
        'http',
        'signIn',
        'signUp',
        'passwordChange',
        'tenantCreate',
        'emailLink',
        'tokenRefresh',
        'clientAuth',
        'tokenExchange',
        'invitationLookup',
        'apiKey',
        'apiKeyAuth',
      ]),
    )
    .min(1),
  key: z.union([keyPart, z.array(keyPart).min(1)]),
  limit: z.number().int().min(1),
  periodSeconds: z.number().int().min(1),
  burst: z.number().int().min(1).optional(),
  cost: z.record(z.string(), z.number().int().min(0)).optional(),
  shadow: z.boolean().optional(),
  onStoreFailure: z.enum(['deny', 'allow', 'local']).optional(),
});

const rateLimitShape = {
  /** Default true. Turn off only in tests. */
  enabled: z.boolean().default(true),
  /**
   * Replaces the numbers of default policies by name (`DEFAULT_RATE_LIMITS`): `limit` per
   * `windowSeconds`, now enforced by GCRA with a burst of `limit` (see `docs/rate-limits.md`).
   */
  rules: checkedAs<Partial<Record<DefaultPolicyName, RateLimitRule>>>(rulesSchema).default({}),
  /**
   * More policies, as data (see `RateLimitPolicy`); one named like a default policy replaces it.
   * @example
   * policies: [{ name: 'api', operations: ['http'], key: ['ip', 'route'], limit: 100, periodSeconds: 60, cost: { 'POST /login': 5 } }]
   */
  policies: checkedAs<RateLimitPolicy[]>(z.array(policySchema)).default([]),
  /**
   * A hook for per-tenant or per-key numbers of the app's own: called per counted request with
   * the policy and the request's facts, before the stored overrides; null passes on to them (and
   * then to the policy's own numbers). A `burst` left out is the returned `limit`.
   */
  override: checkedAs<RateLimitOverride | undefined>(
    z.custom((value) => value === undefined || typeof value === 'function', 'must be a function'),
  ).optional(),
  /**
   * How long a tenant's stored overrides (`auth.api.setRateLimitOverride`) are kept in memory,
   * 1 to 30 s (default 30). A change is applied at once on the instance that made it and within
   * a second on the others sharing the key-value store; this bounds how long one whose
   * invalidation message was lost keeps the old numbers.
   */
  overrideCacheTtlSeconds: z.number().int().min(1).max(30).default(30),
};

// typed by its shape (here and below) so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['rateLimit']`: the rate-limit policies (GCRA), per client IP, account, user, tenant, key, route. */
export const rateLimitOptionsSchema: z.ZodObject<typeof rateLimitShape, z.core.$strict> =
  z.strictObject(rateLimitShape);

/** The `rateLimit` options an app writes. */
export type RateLimitOptions = z.input<typeof rateLimitOptionsSchema>;
/** The rate limit options after defaults: what the rate limiter receives. */
export type ResolvedRateLimitOptions = z.output<typeof rateLimitOptionsSchema>;

const lockoutShape = {
  /** Consecutive failures per account before delays start. Default 5. */
  freeAttempts: z.number().int().min(1).default(5),
  /** Consecutive failures after which the account is locked until reset. Default 100. */
  maxFailures: z.number().int().min(1).max(100).default(100),
};

/** `AuthConfig['lockout']`: growing delays, then a lock, after failed sign-ins to one account. */
export const lockoutOptionsSchema: z.ZodObject<typeof lockoutShape, z.core.$strict> =
  z.strictObject(lockoutShape);

/** The `lockout` options an app writes. */
export type LockoutOptions = z.input<typeof lockoutOptionsSchema>;
/** The lockout options after defaults: what the lockout receives. */
export type ResolvedLockoutOptions = z.output<typeof lockoutOptionsSchema>;
