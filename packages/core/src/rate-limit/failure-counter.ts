import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { KeyValue } from '../ports/key-value.js';

const FAILURE_TTL_SECONDS = 86_400;
const MAX_DELAY_SECONDS = 900;

/**
 * Consecutive failures per account (NIST 800-63B-4 §3.2.2): free attempts, then a growing
 * delay (2, 4, 8 ... s, capped at 15 min) between attempts, then a lock at `maxFailures`.
 * Keyed by the account identifier the caller typed, so unknown accounts behave exactly like
 * known ones and nothing is learned about which exist.
 */
export interface FailureCounter {
  /** Throws `account_locked` (with `retryAfterSeconds`) while attempts are not allowed. */
  assertAllowed(accountKey: string): Promise<void>;
  recordFailure(accountKey: string): Promise<void>;
  reset(accountKey: string): Promise<void>;
}

export function createFailureCounter(
  kv: KeyValue,
  clock: Clock,
  options: { freeAttempts: number; maxFailures: number },
): FailureCounter {
  const countKey = (account: string) => `fail:n:${account}`;
  const lastKey = (account: string) => `fail:t:${account}`;
  return {
    async assertAllowed(account) {
      const [countRaw, lastRaw] = await Promise.all([kv.get(countKey(account)), kv.get(lastKey(account))]);
      const count = Number(countRaw ?? 0);
      if (count >= options.maxFailures) {
        throw new AuthError('account_locked', {
          detail: 'too many failed attempts',
          retryAfterSeconds: (await kv.ttl(countKey(account))) ?? FAILURE_TTL_SECONDS,
        });
      }
      if (count < options.freeAttempts || !lastRaw) return;
      const delaySeconds = Math.min(2 ** (count - options.freeAttempts + 1), MAX_DELAY_SECONDS);
      const waitMs = Number(lastRaw) + delaySeconds * 1000 - clock.now().getTime();
      if (waitMs > 0) {
        throw new AuthError('account_locked', {
          detail: 'too many failed attempts; wait before trying again',
          retryAfterSeconds: Math.ceil(waitMs / 1000),
        });
      }
    },
    async recordFailure(account) {
      await kv.increment(countKey(account), { ttlSeconds: FAILURE_TTL_SECONDS });
      await kv.set(lastKey(account), String(clock.now().getTime()), { ttlSeconds: FAILURE_TTL_SECONDS });
    },
    async reset(account) {
      await Promise.all([kv.delete(countKey(account)), kv.delete(lastKey(account))]);
    },
  };
}
