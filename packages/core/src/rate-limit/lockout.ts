import { createHmac, hkdfSync } from 'node:crypto';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { KeyValue } from '../ports/key-value.js';
import { userPoolKey } from '../users/users.js';
import type { CredentialFailureStore, CredentialFailures } from './credential-failure-store.js';
import type { KnownDevices } from './known-devices.js';

/** Failures lapse a day after the last one (the key-value counters live as long). */
const FAILURE_TTL_SECONDS = 86_400;
const MAX_DELAY_SECONDS = 900;
/** Lapsed failure records are swept at most this often, on the failure path. */
const PRUNE_INTERVAL_MS = 3_600_000;

/**
 * What a failure counter counts. Each kind has counters of its own, so failures of one never
 * block another: wrong TOTP codes do not lock the password out, nor wrong passwords the passkeys.
 * - `password`: sign-in with the password (`POST /login`);
 * - `second_factor`: TOTP and recovery codes, and a passkey completing a pending login;
 * - `reauthentication`: the password proven again by a signed-in user (step-up, password change);
 * - `passkey`: a passkey sign-in or step-up.
 */
export type FailureFactor = 'password' | 'second_factor' | 'reauthentication' | 'passkey';

/** One reserved attempt: what `failed` and `succeeded` need to settle it. */
export interface FailureAttempt {
  /** The counter the attempt is reserved on (see {@link Lockout.counterKey}). */
  readonly counterKey: string;
  /** The consecutive failures the database held for the counter when the attempt began. */
  readonly recordedFailures: number;
}

/**
 * The account a failure counter counts for: the user pool and the normalized email, as typed at
 * sign-in (so unknown accounts are counted like known ones) or as a known user's.
 *
 * @example
 * failureAccountKey(null, 'ada@example.com') // the shared pool's "ada@example.com"
 */
export function failureAccountKey(poolTenantId: string | null, normalizedEmail: string): string {
  return `${userPoolKey(poolTenantId)}:${normalizedEmail}`;
}

/**
 * Consecutive failures per counter (NIST 800-63B-4 §3.2.2): free attempts, then one attempt per
 * growing delay (2, 4, 8 ... s, capped at 15 min), then a lock at `maxFailures`.
 *
 * An account has one counter per factor for unknown clients, and one per factor for each browser
 * that signed in to it before (device cookies, see `known-devices.ts`): an attacker without the
 * owner's browsers locks only the unknown clients' counter, so the owner signs in from a known
 * browser while the attack goes on. A proof of the mailbox (a completed reset or magic link)
 * clears the password counters it can name.
 *
 * Two records. The key-value store reserves each attempt atomically *before* the credential is
 * checked, so concurrent guesses cannot all slip in under the limit. The database keeps the
 * durable count (written only on a failure, cleared on a success only when non-zero), so a cache
 * flush or restart forgets no lock and no delay: the key-value counter is seeded from it again.
 *
 * Keyed by the account identifier the caller typed (`pool:email`), so unknown accounts behave
 * exactly like known ones and nothing is learned about which exist. The database key is a keyed
 * hash of it: a typed email (or a password typed into the email field) is never stored in clear.
 */
export interface Lockout {
  /**
   * Reserves one attempt on a counter ({@link Lockout.counterKey}); throws `account_locked`
   * (with `retryAfterSeconds`) when the counter is locked or inside its delay. A reserved attempt counts as a failure until `succeeded`.
   * `known` is the durable record the caller already read with the account (sign-in reads it in
   * the same query as the password); without it the record is read here.
   */
  beginAttempt(counterKey: string, known?: { failures: CredentialFailures | null }): Promise<FailureAttempt>;
  /** The credential was wrong: the failure is recorded durably. */
  failed(attempt: FailureAttempt): Promise<void>;
  /** The credential was right: the consecutive-failure count starts over. */
  succeeded(attempt: FailureAttempt): Promise<void>;
  /** The key of a counter's durable record (what `signIn.findAccountByEmail` joins on). */
  durableKey(counterKey: string): string;
  /**
   * The counter an attempt on `factor` of the account counts on: the one of the browser the
   * device cookie names when it signed in to this account before, else the unknown clients' one.
   */
  counterKey(accountKey: string, factor: FailureFactor, deviceCookie: string | null | undefined): string;
  /**
   * Clears the account's failures on `factor` for unknown clients and for the browser of the
   * device cookie (a proof of the mailbox: a completed reset or magic link).
   */
  clear(accountKey: string, factor: FailureFactor, deviceCookie: string | null | undefined): Promise<void>;
  /** The device cookie naming this browser as one that signed in to the account (see `KnownDevices.remember`). */
  rememberDevice(accountKey: string, deviceCookie: string | null | undefined): string;
}

export function createLockout(
  deps: { kv: KeyValue; store: CredentialFailureStore; clock: Clock; secret: string; devices: KnownDevices },
  options: { freeAttempts: number; maxFailures: number },
): Lockout {
  const { kv, store, clock } = deps;
  const countKey = (account: string) => `fail:n:${account}`;
  const gateKey = (account: string) => `fail:gate:${account}`;
  const hmacKey = Buffer.from(
    hkdfSync('sha256', deps.secret, Buffer.alloc(0), 'portcullis:credential-failures', 32),
  );
  const durableKey = (account: string) => createHmac('sha256', hmacKey).update(account, 'utf8').digest('hex');
  const delayAfter = (failures: number) =>
    Math.min(2 ** (failures - options.freeAttempts), MAX_DELAY_SECONDS);
  let lastPrunedAtMs = 0;

  function locked(detail: string, retryAfterSeconds: number): never {
    throw new AuthError('account_locked', { detail, retryAfterSeconds: Math.max(1, retryAfterSeconds) });
  }

  async function clearCounter(counter: string, durable: boolean) {
    await Promise.all([
      kv.delete(countKey(counter)),
      kv.delete(gateKey(counter)),
      durable ? store.clear(durableKey(counter)) : undefined,
    ]);
  }

  const counterKey = (account: string, factor: FailureFactor, deviceCookie: string | null | undefined) =>
    `${factor}:${deviceCookie ? (deps.devices.recognize(deviceCookie, account) ?? '*') : '*'}:${account}`;

  return {
    durableKey,
    counterKey,

    async clear(account, factor, deviceCookie) {
      const keys = new Set([`${factor}:*:${account}`, counterKey(account, factor, deviceCookie)]);
      await Promise.all([...keys].map((key) => clearCounter(key, true)));
    },

    rememberDevice: (account, deviceCookie) => deps.devices.remember(deviceCookie, account),

    async beginAttempt(account, known) {
      const record = known ? known.failures : await store.find(durableKey(account));
      const nowMs = clock.now().getTime();
      const lapsesAtMs = record ? record.lastFailedAt.getTime() + FAILURE_TTL_SECONDS * 1000 : 0;
      const recorded = record && lapsesAtMs > nowMs ? record.count : 0;
      const lapseSeconds = Math.ceil((lapsesAtMs - nowMs) / 1000);
      // a counter the cache forgot starts from the durable count: concurrent seeders set it once
      if (recorded > 0) {
        await kv.setIfAbsent(countKey(account), String(recorded), { ttlSeconds: lapseSeconds });
      }
      // the common case is one atomic round trip: reserve, and within the free attempts go on
      const attempt = Math.max(
        await kv.increment(countKey(account), { ttlSeconds: FAILURE_TTL_SECONDS }),
        recorded + 1,
      );
      if (attempt > options.maxFailures) {
        const kvSeconds = (await kv.ttl(countKey(account))) ?? 1;
        locked(
          'too many failed attempts',
          Math.max(kvSeconds, recorded >= options.maxFailures ? lapseSeconds : 0),
        );
      }
      const reserved: FailureAttempt = { counterKey: account, recordedFailures: recorded };
      if (attempt <= options.freeAttempts) return reserved;
      // the delay that followed the last recorded failure still runs, whatever the cache forgot
      if (record && recorded > options.freeAttempts) {
        const readyAtMs = record.lastFailedAt.getTime() + delayAfter(recorded) * 1000;
        if (readyAtMs > nowMs) {
          await kv.increment(countKey(account), { by: -1 });
          locked('too many failed attempts; wait before trying again', Math.ceil((readyAtMs - nowMs) / 1000));
        }
      }
      // past the free attempts, one attempt per delay: the gate goes to exactly one caller
      if (!(await kv.setIfAbsent(gateKey(account), '1', { ttlSeconds: delayAfter(attempt) }))) {
        await kv.increment(countKey(account), { by: -1 });
        locked('too many failed attempts; wait before trying again', (await kv.ttl(gateKey(account))) ?? 1);
      }
      return reserved;
    },

    async failed(attempt) {
      const now = clock.now();
      const lapsedBefore = new Date(now.getTime() - FAILURE_TTL_SECONDS * 1000);
      await store.recordFailure(durableKey(attempt.counterKey), now, lapsedBefore);
      // records of accounts nobody has failed on for a day (typos, sprayed emails) are swept
      // now and then, on this path only: a successful sign-in never pays for it
      if (now.getTime() - lastPrunedAtMs >= PRUNE_INTERVAL_MS) {
        lastPrunedAtMs = now.getTime();
        await store.deleteLapsed(lapsedBefore);
      }
    },

    async succeeded(attempt) {
      // the database is written only when it holds failures: a clean sign-in costs no statement
      await clearCounter(attempt.counterKey, attempt.recordedFailures > 0);
    },
  };
}
