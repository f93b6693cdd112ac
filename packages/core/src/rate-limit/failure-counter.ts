import { AuthError } from '../errors.js';
import type { KeyValue } from '../ports/key-value.js';

const FAILURE_TTL_SECONDS = 86_400;
const MAX_DELAY_SECONDS = 900;

/**
 * Consecutive failures per account (NIST 800-63B-4 §3.2.2): free attempts, then one attempt per
 * growing delay (2, 4, 8 ... s, capped at 15 min), then a lock at `maxFailures`.
 *
 * An attempt is reserved atomically *before* the credential is checked, so concurrent guesses
 * cannot all slip in under the limit. Keyed by the account identifier the caller typed, so
 * unknown accounts behave exactly like known ones and nothing is learned about which exist.
 */
export interface FailureCounter {
  /**
   * Reserves one attempt; throws `account_locked` (with `retryAfterSeconds`) when the account
   * is locked or inside its delay. A reserved attempt counts as a failure until `succeeded`.
   */
  beginAttempt(accountKey: string): Promise<void>;
  /** The credential was right: the consecutive-failure count starts over. */
  succeeded(accountKey: string): Promise<void>;
}

export function createFailureCounter(
  kv: KeyValue,
  options: { freeAttempts: number; maxFailures: number },
): FailureCounter {
  const countKey = (account: string) => `fail:n:${account}`;
  const gateKey = (account: string) => `fail:gate:${account}`;

  async function locked(key: string, detail: string): Promise<never> {
    throw new AuthError('account_locked', { detail, retryAfterSeconds: (await kv.ttl(key)) ?? 1 });
  }

  return {
    async beginAttempt(account) {
      // the common case is one atomic round trip: reserve, and within the free attempts go on
      const attempt = await kv.increment(countKey(account), { ttlSeconds: FAILURE_TTL_SECONDS });
      if (attempt > options.maxFailures) await locked(countKey(account), 'too many failed attempts');
      if (attempt <= options.freeAttempts) return;
      // past the free attempts, one attempt per delay: the gate goes to exactly one caller
      const delaySeconds = Math.min(2 ** (attempt - options.freeAttempts), MAX_DELAY_SECONDS);
      if (!(await kv.setIfAbsent(gateKey(account), '1', { ttlSeconds: delaySeconds }))) {
        await kv.increment(countKey(account), { by: -1 });
        await locked(gateKey(account), 'too many failed attempts; wait before trying again');
      }
    },
    async succeeded(account) {
      await Promise.all([kv.delete(countKey(account)), kv.delete(gateKey(account))]);
    },
  };
}
