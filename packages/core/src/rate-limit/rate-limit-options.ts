import { z } from 'zod';
import { checkedAs } from '../checked-as.js';
import type { RateLimitRule, RateLimitRuleName } from './rate-limiter.js';

const rulesSchema = z.record(
  z.string(),
  z.strictObject({ limit: z.number().int().min(1), windowSeconds: z.number().int().min(1) }),
);

const rateLimitShape = {
  /** Default true. Turn off only in tests. */
  enabled: z.boolean().default(true),
  /** Replaces the default rule of each operation named (`DEFAULT_RATE_LIMITS`). */
  rules: checkedAs<Partial<Record<RateLimitRuleName, RateLimitRule>>>(rulesSchema).default({}),
};

// typed by its shape (here and below) so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['rateLimit']`: request limits per client IP and account. */
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
