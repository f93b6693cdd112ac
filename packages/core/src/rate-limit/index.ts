export type { CredentialFailureStore, CredentialFailures } from './credential-failure-store.js';
export {
  createKnownDevices,
  DEVICE_COOKIE_MAX_AGE_SECONDS,
  type KnownDevices,
  MAX_ACCOUNTS_PER_DEVICE,
} from './known-devices.js';
export {
  createLockout,
  type FailureAttempt,
  type FailureFactor,
  failureAccountKey,
  type Lockout,
} from './lockout.js';
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
