import { AuthError } from '../errors.js';
import type { KeyValue } from '../ports/key-value.js';

/** A fixed-window limit: at most `limit` requests per `windowSeconds` for one key. */
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

/** The limited operations. Each is keyed by client IP (and, for sign-in, also by account). */
export type RateLimitRuleName = 'signIn' | 'signUp' | 'passwordChange' | 'tenantCreate';

export const DEFAULT_RATE_LIMITS: Record<RateLimitRuleName, RateLimitRule> = {
  signIn: { limit: 20, windowSeconds: 60 },
  signUp: { limit: 10, windowSeconds: 600 },
  passwordChange: { limit: 10, windowSeconds: 600 },
  tenantCreate: { limit: 20, windowSeconds: 3600 },
};

/** What a limited request learned; the HTTP layer turns it into `RateLimit*` headers. */
export interface RateLimitState {
  rule: RateLimitRuleName;
  limit: number;
  windowSeconds: number;
  remaining: number;
  resetSeconds: number;
}

export interface RateLimiter {
  /**
   * Counts one request against `rule` for `subject` (an IP or account key). Throws
   * `rate_limited` with `retryAfterSeconds` when over the limit.
   */
  consume(rule: RateLimitRuleName, subject: string): Promise<RateLimitState | null>;
}

export function createRateLimiter(
  kv: KeyValue,
  options: { enabled: boolean; rules: Partial<Record<RateLimitRuleName, RateLimitRule>> },
): RateLimiter {
  const rules = { ...DEFAULT_RATE_LIMITS, ...options.rules };
  return {
    async consume(ruleName, subject) {
      if (!options.enabled) return null;
      const rule = rules[ruleName];
      const key = `rl:${ruleName}:${subject}`;
      const count = await kv.increment(key, { ttlSeconds: rule.windowSeconds });
      const resetSeconds = Math.max(1, (await kv.ttl(key)) ?? rule.windowSeconds);
      const state: RateLimitState = {
        rule: ruleName,
        limit: rule.limit,
        windowSeconds: rule.windowSeconds,
        remaining: Math.max(0, rule.limit - count),
        resetSeconds,
      };
      if (count > rule.limit) {
        throw Object.assign(new AuthError('rate_limited', { retryAfterSeconds: resetSeconds }), {
          rateLimit: state,
        });
      }
      return state;
    },
  };
}
