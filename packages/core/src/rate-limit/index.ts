export { createFailureCounter, type FailureCounter } from './failure-counter.js';
export {
  createRateLimiter,
  DEFAULT_RATE_LIMITS,
  type RateLimiter,
  type RateLimitRule,
  type RateLimitRuleName,
  type RateLimitState,
} from './rate-limiter.js';
