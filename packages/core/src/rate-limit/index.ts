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
  DEFAULT_RATE_LIMITS,
  type DefaultPolicyName,
  type RateLimitKeyPart,
  type RateLimitOperation,
  type RateLimitPolicy,
  type RateLimitRule,
  type RateLimitRuleName,
  type ResolvedRateLimitPolicy,
  type StoreFailureMode,
} from './rate-limit-policy.js';
export {
  type ConsumeOptions,
  createRateLimiter,
  type PolicyOutcome,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitFacts,
  type RateLimitOverride,
  type RateLimitState,
} from './rate-limiter.js';
