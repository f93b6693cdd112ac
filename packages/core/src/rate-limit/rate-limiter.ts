import { addressBucket, canonicalAddress } from '../client-address.js';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { KeyValue } from '../ports/key-value.js';

/** A fixed-window limit: at most `limit` requests per `windowSeconds` for one key. */
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

/**
 * The limited operations. Sign-in, sign-up and token refresh are keyed by client IP (per email,
 * or per token, for server-side calls without one), password change and tenant creation by user, email links by recipient.
 * Each rule here must be applied where its operation runs: a test walks this table over HTTP.
 */
export type RateLimitRuleName =
  | 'signIn'
  | 'signUp'
  | 'passwordChange'
  | 'tenantCreate'
  | 'emailLink'
  | 'tokenRefresh'
  | 'clientAuth'
  | 'tokenExchange';

export const DEFAULT_RATE_LIMITS: Record<RateLimitRuleName, RateLimitRule> = {
  signIn: { limit: 20, windowSeconds: 60 },
  signUp: { limit: 10, windowSeconds: 600 },
  passwordChange: { limit: 10, windowSeconds: 600 },
  tenantCreate: { limit: 20, windowSeconds: 3600 },
  // mails asking for a link (reset, magic link, verification): per recipient, against mail bombing
  emailLink: { limit: 5, windowSeconds: 600 },
  // refresh tokens, per client IP (per token for server-side calls without one)
  tokenRefresh: { limit: 60, windowSeconds: 60 },
  // M2M client authentication at the OAuth endpoints: per client id and per IP, each
  clientAuth: { limit: 120, windowSeconds: 60 },
  // token exchange (delegation, impersonation): per acting caller (client or named actor)
  tokenExchange: { limit: 60, windowSeconds: 60 },
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
   * `rate_limited` with `retryAfterSeconds` when over the limit. A subject ending in
   * `ip:<address>` counts an IPv6 address by its /64 (see {@link addressBucket}).
   */
  consume(rule: RateLimitRuleName, subject: string): Promise<RateLimitState | null>;
}

/**
 * Fixed windows aligned to the clock (window n covers [n·w, (n+1)·w)), so each request is one
 * atomic increment — one round trip to Redis — and the reset time needs no second read.
 * Instances sharing a store must have roughly synchronized clocks (NTP), as for token expiry.
 */
export function createRateLimiter(
  kv: KeyValue,
  clock: Clock,
  options: { enabled: boolean; rules: Partial<Record<RateLimitRuleName, RateLimitRule>> },
): RateLimiter {
  const rules = { ...DEFAULT_RATE_LIMITS, ...options.rules };
  return {
    async consume(ruleName, subject) {
      if (!options.enabled) return null;
      const rule = rules[ruleName];
      const nowMs = clock.now().getTime();
      const windowMs = rule.windowSeconds * 1000;
      const window = Math.floor(nowMs / windowMs);
      const count = await kv.increment(`rl:${ruleName}:${bucketOf(subject)}:${window}`, {
        ttlSeconds: rule.windowSeconds + 1,
      });
      const resetSeconds = Math.max(1, Math.ceil(((window + 1) * windowMs - nowMs) / 1000));
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

function bucketOf(subject: string): string {
  const ip = /(?:^|:)ip:(.+)$/.exec(subject);
  if (!ip) return subject;
  return subject.slice(0, subject.length - ip[1]!.length) + addressBucket(canonicalAddress(ip[1]) ?? ip[1]!);
}
