export type { CredentialFailureStore, CredentialFailures } from './credential-failure-store.js';
export { createFailureCounter, type FailureAttempt, type FailureCounter } from './failure-counter.js';
export {
  createRateLimiter,
  DEFAULT_RATE_LIMITS,
  type RateLimiter,
  type RateLimitRule,
  type RateLimitRuleName,
  type RateLimitState,
} from './rate-limiter.js';
