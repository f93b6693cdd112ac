import type { EventLogger } from '../logging/event-logger.js';
import type { Clock } from '../ports/clock.js';
import { type KeptSubscription, keepSubscribed, type SubscriptionState } from '../ports/keep-subscribed.js';
import type { KeyValue } from '../ports/key-value.js';
import type { ApiKey } from './api-keys.js';

/**
 * API keys whose cached copies must go, as the storage wrapper's effects table announces them
 * after a commit: these keys (revoked, or rotated so that their overlap now ends), every key of
 * these owners (who left a tenant or were suspended), and every key of these tenants (suspended:
 * their keys are not revoked, so they work again on reactivation, but none may verify meanwhile).
 */
export interface RevokedApiKeys {
  ids?: string[];
  ownerUserIds?: string[];
  tenantIds?: string[];
}

/**
 * A positive cache of verified keys, by key hash, in process: a verification it answers costs an
 * HMAC and a map lookup, no I/O. Entries live `ttlMs` (at most 30 s). A revocation, once
 * committed, evicts at once on this instance and is published on the key-value store's channel,
 * which every instance subscribes to, so a revoked key stops working everywhere within the
 * message's delivery (well under a second on Redis). If a message is lost, the entry still ages
 * out after `ttlMs`. A verification that read the database before a revocation committed cannot
 * put its stale copy back: revocations leave a tombstone for `ttlMs`, and a fill that began
 * before it is dropped. Failed verifications are never cached.
 */
export interface ApiKeyCache {
  /** The cached key for this hash, if its entry is younger than the TTL at `nowMs`. */
  get(keyHash: string, nowMs: number): ApiKey | undefined;
  /** Caches what the database said, unless a revocation touched it since `readStartedMs`. */
  set(keyHash: string, key: ApiKey, readStartedMs: number): void;
  /** After a revocation commits: evicts here and tells the other instances. */
  revoked(scope: RevokedApiKeys): Promise<void>;
  subscriptionState(): SubscriptionState;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const CHANNEL = 'portcullis:api-keys:revoked';
/** Most entries kept; the oldest go first. */
const MAX_ENTRIES = 10_000;

interface Entry {
  key: ApiKey;
  cachedAtMs: number;
}

export function createApiKeyCache(
  kv: KeyValue,
  deps: { clock: Clock; logger: EventLogger },
  options: { ttlMs: number },
): ApiKeyCache {
  const entries = new Map<string, Entry>();
  /** id, `owner:<userId>` or `tenant:<tenantId>` → when it was last revoked (kept for one TTL). */
  const tombstones = new Map<string, number>();
  let subscription: KeptSubscription | undefined;
  const now = () => deps.clock.now().getTime();

  function evict(scope: RevokedApiKeys): void {
    const at = now();
    const ids = new Set(scope.ids ?? []);
    const owners = new Set(scope.ownerUserIds ?? []);
    const tenants = new Set(scope.tenantIds ?? []);
    for (const id of ids) tombstones.set(id, at);
    for (const owner of owners) tombstones.set(`owner:${owner}`, at);
    for (const tenant of tenants) tombstones.set(`tenant:${tenant}`, at);
    // a scan, not an index: revocations are rare and the cache holds at most MAX_ENTRIES
    for (const [hash, entry] of entries) {
      if (
        ids.has(entry.key.id) ||
        tenants.has(entry.key.tenantId) ||
        (entry.key.ownerUserId !== null && owners.has(entry.key.ownerUserId))
      ) {
        entries.delete(hash);
      }
    }
    // tombstones older than a TTL can no longer outrank a fill
    for (const [name, revokedAt] of tombstones) if (at - revokedAt > options.ttlMs) tombstones.delete(name);
  }

  function onMessage(message: string): void {
    try {
      const scope = JSON.parse(message) as RevokedApiKeys;
      evict({
        ids: strings(scope.ids),
        ownerUserIds: strings(scope.ownerUserIds),
        tenantIds: strings(scope.tenantIds),
      });
    } catch {
      deps.logger.warn('portcullis.api_key_cache.invalidation_malformed');
    }
  }

  return {
    get(keyHash, nowMs) {
      if (options.ttlMs <= 0) return undefined;
      const entry = entries.get(keyHash);
      if (!entry) return undefined;
      if (nowMs - entry.cachedAtMs >= options.ttlMs) {
        entries.delete(keyHash);
        return undefined;
      }
      return entry.key;
    },
    set(keyHash, key, readStartedMs) {
      if (options.ttlMs <= 0) return;
      const byId = tombstones.get(key.id);
      const byOwner = key.ownerUserId === null ? undefined : tombstones.get(`owner:${key.ownerUserId}`);
      const byTenant = tombstones.get(`tenant:${key.tenantId}`);
      if (
        [byId, byOwner, byTenant].some((revokedAt) => revokedAt !== undefined && revokedAt >= readStartedMs)
      ) {
        return;
      }
      if (entries.size >= MAX_ENTRIES) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(keyHash, { key, cachedAtMs: now() });
    },
    async revoked(scope) {
      evict(scope);
      if (options.ttlMs <= 0) return;
      try {
        await kv.publish(CHANNEL, JSON.stringify(scope));
      } catch (error) {
        // the revocation is committed and refused here; elsewhere the entry ages out within the TTL
        deps.logger.error('portcullis.api_key_cache.revocation_not_published', {
          error: String(error),
        });
      }
    },
    subscriptionState: () => subscription?.state() ?? 'retrying',
    async start() {
      if (options.ttlMs <= 0) return;
      subscription ??= keepSubscribed(kv, CHANNEL, onMessage, { logger: deps.logger, name: 'api key cache' });
      await subscription.firstAttempt;
    },
    async stop() {
      await subscription?.stop();
      subscription = undefined;
      entries.clear();
    },
  };
}

/** The strings of a list in a message from another instance (older ones may lack the list). */
function strings(list: unknown): string[] {
  return Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [];
}
