import { isAuthError } from '../errors.js';
import type { SubscriptionState } from '../ports/keep-subscribed.js';
import type { KeyValue } from '../ports/key-value.js';
import type { Storage } from '../ports/storage.js';

/**
 * What `auth.health()` reports, one field per component, for a readiness probe or a status
 * page. `ok` is true when the database answers with its schema in place and, with a shared
 * key-value store, the store answers and the caches hear other instances' invalidations.
 */
export interface AuthHealth {
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
}): () => Promise<AuthHealth> {
  return async () => {
    const [storage, keyValue] = await Promise.all([
      probeStorage(deps.storage),
      probeKeyValue(deps.sharedKeyValue),
    ]);
    const subscriptions = deps.subscriptions();
    const ok =
      storage === 'up' &&
      keyValue !== 'unavailable' &&
      subscriptions.sessions !== 'retrying' &&
      subscriptions.authorization !== 'retrying' &&
      subscriptions.apiKeys !== 'retrying' &&
      subscriptions.rateLimitOverrides !== 'retrying';
    return { ok, storage, keyValue, subscriptions };
  };
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
