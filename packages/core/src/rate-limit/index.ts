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
export { createRateLimitOverrideCache, type RateLimitOverrideCache } from './rate-limit-override-cache.js';
export {
  MAX_OVERRIDE_LIMIT,
  MAX_OVERRIDE_PERIOD_SECONDS,
  type RemoveRateLimitOverrideInput,
  type SetRateLimitOverrideInput,
} from './rate-limit-override-schemas.js';
export type { RateLimitOverrideStore } from './rate-limit-override-store.js';
export type {
  ChangedRateLimitOverrides,
  RateLimitNumbers,
  StoredRateLimitOverride,
} from './rate-limit-overrides.js';
// the service itself is imported by auth.ts from its file (see rate-limit-overrides-api.ts)
export type { RateLimitOverridesApi } from './rate-limit-overrides-api.js';
export {
  DEFAULT_RATE_LIMITS,
  type DefaultPolicyName,
  namesCaller,
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
  type StoredOverrideLookup,
} from './rate-limiter.js';
