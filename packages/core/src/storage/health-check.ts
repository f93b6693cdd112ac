import { isAuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { SubscriptionState } from '../ports/keep-subscribed.js';
import type { KeyValue } from '../ports/key-value.js';
import type { Storage } from '../ports/storage.js';

/**
 * What `auth.health()` reports, one field per component, for a readiness probe or a status
 * page. `ok` is true when the database answers with its schema in place and, with a shared
 * key-value store, the store answers and the caches hear other instances' invalidations.
 */
export interface AuthHealth {
  /** Every check below passes: what `GET /health/ready` answers 200 for. */
  ok: boolean;
  /**
   * `up`; `unavailable` (unreachable or timed out); `not_migrated` when Portcullis's tables are
   * missing (run `npx portcullis migrate --database-url …`).
   */
  storage: 'up' | 'unavailable' | 'not_migrated';
  /** `up` or `unavailable` for the shared store (Redis); `local` when none is configured. */
  keyValue: 'up' | 'unavailable' | 'local';
  /**
   * Each cache's invalidation channel: `subscribed` once the store confirmed it, `retrying`
   * while it is being tried again with backoff (changes from other instances then arrive only
   * when entries are re-checked; for API keys, when cached ones age out). `off` for a session
   * cache or an API key cache (`apiKeys.cacheTtlSeconds: 0`) that is turned off, and for the
   * rate-limit override cache when rate limits are off.
   */
  subscriptions: {
    sessions: SubscriptionState | 'off';
    authorization: SubscriptionState;
    apiKeys: SubscriptionState | 'off';
    /** Stored rate-limit overrides: while retrying, changes made elsewhere arrive as entries age out. */
    rateLimitOverrides: SubscriptionState | 'off';
  };
  /**
   * `active` when the install's issuer can sign now (its active key loaded, or created on an
   * empty install, as the first sign-in would); `unavailable` when it cannot (keys unreadable,
   * a key-encryption key that does not open them, a signer that fails).
   */
  signingKey: 'active' | 'unavailable';
  /**
   * The outbox's lag: how long ago the oldest event not yet delivered was written (0 when none).
   * `lagging` past `outbox.maxReadyLagSeconds`; `unavailable` when it could not be read.
   */
  outbox: { state: 'ok' | 'lagging' | 'unavailable'; lagSeconds: number | null };
}

/** A user id no row has: the probe reads one indexed row that is never there. */
const PROBE_USER_ID = '00000000-0000-7000-8000-000000000000';

/**
 * The health check: one indexed read of the database, one read of the shared key-value store (each
 * bounded by the wrapper's time limit) and the caches' subscription states. Never throws.
 */
export function createHealthCheck(deps: {
  storage: Storage;
  /** The shared store as the caches use it (wrapped, time-bounded); `undefined` when local only. */
  sharedKeyValue: KeyValue | undefined;
  subscriptions: () => AuthHealth['subscriptions'];
  /** Settles once the install's issuer has a key that signs; rejects when it cannot. */
  signingKey: () => Promise<unknown>;
  clock: Clock;
  maxOutboxLagSeconds: number;
}): () => Promise<AuthHealth> {
  return async () => {
    const [storage, keyValue, signingKey, outbox] = await Promise.all([
      probeStorage(deps.storage),
      probeKeyValue(deps.sharedKeyValue),
      deps.signingKey().then(
        () => 'active' as const,
        () => 'unavailable' as const,
      ),
      probeOutbox(deps.storage, deps.clock, deps.maxOutboxLagSeconds),
    ]);
    const subscriptions = deps.subscriptions();
    const ok =
      storage === 'up' &&
      keyValue !== 'unavailable' &&
      signingKey === 'active' &&
      outbox.state === 'ok' &&
      subscriptions.sessions !== 'retrying' &&
      subscriptions.authorization !== 'retrying' &&
      subscriptions.apiKeys !== 'retrying' &&
      subscriptions.rateLimitOverrides !== 'retrying';
    return { ok, storage, keyValue, subscriptions, signingKey, outbox };
  };
}

async function probeOutbox(
  storage: Storage,
  clock: Clock,
  maxLagSeconds: number,
): Promise<AuthHealth['outbox']> {
  try {
    const oldest = await storage.outbox.oldestUndeliveredAt();
    const lagSeconds = oldest
      ? Math.max(0, Math.floor((clock.now().getTime() - oldest.getTime()) / 1000))
      : 0;
    return { state: lagSeconds > maxLagSeconds ? 'lagging' : 'ok', lagSeconds };
  } catch {
    return { state: 'unavailable', lagSeconds: null };
  }
}

async function probeStorage(storage: Storage): Promise<AuthHealth['storage']> {
  try {
    await storage.users.findById(PROBE_USER_ID);
    return 'up';
  } catch (error) {
    return isAuthError(error, 'schema_not_migrated') ? 'not_migrated' : 'unavailable';
  }
}

async function probeKeyValue(kv: KeyValue | undefined): Promise<AuthHealth['keyValue']> {
  if (!kv) return 'local';
  try {
    await kv.get('health');
    return 'up';
  } catch {
    return 'unavailable';
  }
}
