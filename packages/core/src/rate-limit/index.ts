export type { CredentialFailureStore, CredentialFailures } from './credential-failure-store.js';
export { createLockout, type FailureAttempt, type Lockout } from './lockout.js';
export {
  type LockoutOptions,
  lockoutOptionsSchema,
  type RateLimitOptions,
  type ResolvedLockoutOptions,
  type ResolvedRateLimitOptions,
  rateLimitOptionsSchema,
} from './rate-limit-options.js';
export {
  createRateLimiter,
  DEFAULT_RATE_LIMITS,
  type RateLimiter,
  type RateLimitRule,
  type RateLimitRuleName,
  type RateLimitState,
} from './rate-limiter.js';
