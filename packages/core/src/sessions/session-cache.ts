import type { EventLogger } from '../logging/event-logger.js';
import type { Clock } from '../ports/clock.js';
import { type KeptSubscription, keepSubscribed, type SubscriptionState } from '../ports/keep-subscribed.js';
import { type KeyValue, readMany } from '../ports/key-value.js';
import type { User } from '../users/users.js';
import type { Session, SessionWithUser } from './sessions.js';

/**
 * A two-level cache of validated sessions: an in-process LRU (L1) in front of the shared
 * key-value store (L2, Redis), kept honest by revocation versions.
 *
 * Every revocation, after its transaction commits, gives the affected user (and tenant) a new
 * random *version* in the shared store and publishes an invalidation. A cache entry is tagged
 * with the versions read *before* the database read that filled it, so an entry filled from data
 * that a revocation has since changed never matches the current versions (DESIGN §4.5):
 *
 * - L1 entries whose last successful check is younger than `l1TtlMs` are served from memory: a
 *   SHA-256 and a map lookup, no I/O (`peek`). Pub/sub evicts them at once on every instance; if
 *   a message is lost, the next check against the versions sees the revocation, so it is seen
 *   within `l1TtlMs` anyway.
 * - The checks run off the request path: every `l1TtlMs / 2` a background refresh reads the
 *   versions of the L1 entries used since the previous refresh, all in one round trip
 *   (`readMany`, MGET on Redis), marks those that still match as checked (as of when the read
 *   began) and evicts those that differ. Entries nobody used are left to age out.
 * - An L1 entry whose last check is older than `l1TtlMs` (the refresh failed, was late, or the
 *   entry was idle) and L2 entries are served only when their tag equals the current versions,
 *   read on the request (one key-value round trip).
 * - A flushed store loses versions and entries together, and a version that reappears is a new
 *   random value, so nothing filled before a revocation can match again.
 * - When the store is unreachable the cache steps aside: validations go to the database, and a
 *   version that could not be written is retried until it is.
 */
export interface SessionCache {
  /**
   * The L1 entry for this token hash when its last successful check is younger than `l1TtlMs` at
   * `nowMs`, without I/O and without a promise (the request's fast path); `undefined` otherwise,
   * and then {@link SessionCache.get} decides. The caller must not mutate what it gets.
   */
  peek(tokenHash: string, nowMs: number): SessionWithUser | undefined;
  /** The cached session for this token hash, `undefined` on a miss (never a guess). */
  get(tokenHash: string): Promise<SessionWithUser | undefined>;
  /**
   * The current versions, read before the database read that will fill the cache. A scope with
   * no version yet gets a fresh random one first, so no tag is ever "none": after a flush, old
   * tags cannot match the empty store.
   */
  readVersions(scope: VersionScope): Promise<Versions | undefined>;
  /** Stores what the database said, tagged with the versions read before that read. */
  set(tokenHash: string, value: SessionWithUser, versions: Versions): Promise<void>;
  /** Updates a cached session in place (e.g. after `lastSeenAt` was written). */
  update(tokenHash: string, session: Session): void;
  /**
   * After a revocation commits — or any other change to stored sessions that cached copies must
   * not outlive, such as a step-up's new `authTime`: new versions, local eviction, and a message
   * to other instances.
   */
  revoked(scope: { userIds?: string[]; tenantIds?: string[] }): Promise<void>;
  /**
   * Whether this instance hears other instances' revocations: `retrying` until the store
   * confirmed the subscription (revocations then arrive when entries are re-checked).
   */
  subscriptionState(): SubscriptionState;
  /**
   * One background refresh: reads the versions of the L1 entries used since the previous one in
   * a single round trip, marks those still current as checked, evicts the others. A failed read
   * changes nothing (those entries then get re-checked on the request once they are `l1TtlMs`
   * old). The timer started by `start()` calls it every `l1TtlMs / 2`; tests call it directly.
   */
  refreshVersions(): Promise<void>;
  /** Subscribes to other instances' revocations and starts the background refresh. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SessionCacheOptions {
  /**
   * How long after its last successful check against the versions an L1 entry may be served
   * without asking the shared store; the background refresh checks used entries every half of
   * it. Default 500 ms.
   */
  l1TtlMs: number;
  /** L1 capacity (least recently used entries go first). Default 10,000. */
  l1MaxEntries: number;
  /** Lifetime of an L2 entry. Default 300 s. */
  l2TtlSeconds: number;
}

export interface VersionScope {
  userId: string;
  tenantId: string | null;
}

/** The revocation versions of a user and tenant, as read; `-` stands for "none" (never a tag). */
export type Versions = string;

const CHANNEL = 'portcullis:sessions:revoked';
const VERSION_TTL_SECONDS = 400 * 86_400; // outlives any session
/** After a failure, leave the shared store alone for this long before trying it again. */
const BACKOFF_MS = 1_000;
const FAILURES_TO_TRIP = 3;

interface L1Entry {
  value: SessionWithUser;
  versions: Versions;
  /** The version keys the tag was read from: the user's, and the tenant's or null. */
  userKey: string;
  tenantKey: string | null;
  /** When the versions last matched (for a background read: when the read began). */
  checkedAt: number;
  /** Served since the last background refresh picked it up. */
  used: boolean;
}

interface L2Entry {
  session: Record<string, unknown>;
  user: Record<string, unknown>;
  versions: Versions;
}

export function createSessionCache(
  kv: KeyValue,
  deps: { clock: Clock; logger: EventLogger; instanceId: string },
  options: SessionCacheOptions,
): SessionCache {
  const l1 = new Map<string, L1Entry>();
  const pendingVersions = new Map<string, string>(); // key → value still to write after a failure
  let unavailableUntil = 0;
  let consecutiveFailures = 0;
  let subscription: KeptSubscription | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  /** The retry the timer started, if under way: `stop()` waits for it. */
  let retrying: Promise<void> | undefined;
  /** Set by `stop()`: no retry is scheduled after it. */
  let stopping = false;
  let refreshTimer: NodeJS.Timeout | undefined;
  let refreshing = false;
  /** The refresh the timer started last: `stop()` waits for it. */
  let timedRefresh: Promise<void> | undefined;
  let refreshFailing = false;

  const userKey = (userId: string) => `sv:u:${userId}`;
  const tenantKey = (tenantId: string) => `sv:t:${tenantId}`;
  const entryKey = (tokenHash: string) => `sc:${tokenHash}`;
  const now = () => deps.clock.now().getTime();

  /**
   * Runs a store call unless the store is considered down; `undefined` means "not available"
   * (the caller then uses the database). One slow or failed call only skips the cache for that
   * call; `FAILURES_TO_TRIP` in a row mark the store down for `BACKOFF_MS`.
   */
  async function shared<T>(operation: string, call: () => Promise<T>): Promise<T | undefined> {
    if (Date.now() < unavailableUntil) return undefined;
    try {
      const result = await call();
      consecutiveFailures = 0;
      return result;
    } catch (error) {
      consecutiveFailures += 1;
      if (consecutiveFailures >= FAILURES_TO_TRIP) {
        deps.logger.warn('portcullis.session_cache.store_unavailable', {
          operation,
          error: String(error),
        });
        unavailableUntil = Date.now() + BACKOFF_MS;
        consecutiveFailures = 0;
      }
      return undefined;
    }
  }

  async function currentVersions(scope: VersionScope): Promise<Versions | undefined> {
    return shared('readVersions', async () => {
      const [user, tenant] = await Promise.all([
        kv.get(userKey(scope.userId)),
        scope.tenantId ? kv.get(tenantKey(scope.tenantId)) : Promise.resolve(null),
      ]);
      return `${user ?? '-'}/${tenant ?? '-'}`;
    });
  }

  /** Versions for a fill: a missing version is created (set-if-absent) and read back. */
  async function fillVersions(scope: VersionScope): Promise<Versions | undefined> {
    return shared('readVersions', async () => {
      const ensure = async (key: string) => {
        const existing = await kv.get(key);
        if (existing !== null) return existing;
        await kv.setIfAbsent(key, newVersion(), { ttlSeconds: VERSION_TTL_SECONDS });
        return kv.get(key);
      };
      const [user, tenant] = await Promise.all([
        ensure(userKey(scope.userId)),
        scope.tenantId ? ensure(tenantKey(scope.tenantId)) : Promise.resolve('-'),
      ]);
      return user && tenant ? `${user}/${tenant}` : undefined;
    });
  }

  function newVersion(): string {
    return `${deps.instanceId}.${now().toString(36)}.${Math.random().toString(36).slice(2, 10)}`;
  }

  function l1Entry(value: SessionWithUser, versions: Versions): L1Entry {
    const { userId, tenantId } = value.session;
    return {
      value,
      versions,
      userKey: userKey(userId),
      tenantKey: tenantId === null ? null : tenantKey(tenantId),
      checkedAt: now(),
      used: true,
    };
  }

  function remember(tokenHash: string, entry: L1Entry) {
    l1.delete(tokenHash);
    l1.set(tokenHash, entry);
    if (l1.size > options.l1MaxEntries) l1.delete(l1.keys().next().value!);
  }

  function evict(scope: { userIds?: string[]; tenantIds?: string[] }) {
    const users = new Set(scope.userIds ?? []);
    const tenants = new Set(scope.tenantIds ?? []);
    for (const [hash, entry] of l1) {
      const { session } = entry.value;
      if (users.has(session.userId) || (session.tenantId !== null && tenants.has(session.tenantId)))
        l1.delete(hash);
    }
  }

  async function writePendingVersions() {
    // this write does the retry's work: one pending timer at most
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = undefined;
    for (const [key, value] of [...pendingVersions]) {
      const written = await shared('writeVersion', () =>
        kv.set(key, value, { ttlSeconds: VERSION_TTL_SECONDS }).then(() => true),
      );
      if (!written) break;
      if (pendingVersions.get(key) === value) pendingVersions.delete(key);
    }
    if (!stopping && pendingVersions.size > 0 && retryTimer === undefined) {
      retryTimer = setTimeout(() => {
        retrying = writePendingVersions();
      }, BACKOFF_MS);
      retryTimer.unref?.();
    }
  }

  return {
    peek(tokenHash, nowMs) {
      const entry = l1.get(tokenHash);
      if (entry === undefined || nowMs - entry.checkedAt >= options.l1TtlMs) return undefined;
      entry.used = true;
      return entry.value;
    },

    async get(tokenHash) {
      const entry = l1.get(tokenHash);
      if (entry && now() - entry.checkedAt < options.l1TtlMs) {
        entry.used = true;
        return entry.value;
      }
      if (entry) {
        const versions = await currentVersions(scopeOf(entry.value.session));
        // still the entry we checked: a revocation meanwhile evicted it, or a fill replaced it
        if (versions !== undefined && versions === entry.versions && l1.get(tokenHash) === entry) {
          entry.checkedAt = now();
          entry.used = true;
          return entry.value;
        }
        if (l1.get(tokenHash) === entry) l1.delete(tokenHash);
        return undefined;
      }
      const raw = await shared('get', () => kv.get(entryKey(tokenHash)));
      if (!raw) return undefined;
      const stored = JSON.parse(raw) as L2Entry;
      const value = { session: reviveSession(stored.session), user: reviveUser(stored.user) };
      const versions = await currentVersions(scopeOf(value.session));
      if (versions === undefined || versions !== stored.versions) return undefined;
      remember(tokenHash, l1Entry(value, versions));
      return value;
    },

    readVersions: fillVersions,

    async set(tokenHash, value, versions) {
      remember(tokenHash, l1Entry(value, versions));
      const remainingSeconds = Math.floor((value.session.idleExpiresAt.getTime() - now()) / 1000);
      const ttlSeconds = Math.min(options.l2TtlSeconds, remainingSeconds);
      if (ttlSeconds <= 0) return;
      const entry: L2Entry = { session: { ...value.session }, user: { ...value.user }, versions };
      await shared('set', () => kv.set(entryKey(tokenHash), JSON.stringify(entry), { ttlSeconds }));
    },

    update(tokenHash, session) {
      const entry = l1.get(tokenHash);
      if (entry) entry.value = { ...entry.value, session };
    },

    async revoked(scope) {
      evict(scope);
      const version = newVersion();
      for (const userId of scope.userIds ?? []) pendingVersions.set(userKey(userId), version);
      for (const tenantId of scope.tenantIds ?? []) pendingVersions.set(tenantKey(tenantId), version);
      await writePendingVersions();
      await shared('publish', () => kv.publish(CHANNEL, JSON.stringify({ from: deps.instanceId, ...scope })));
    },

    subscriptionState: () => subscription?.state() ?? 'retrying',

    refreshVersions,

    async start() {
      stopping = false;
      if (refreshTimer === undefined && options.l1TtlMs > 0 && options.l1MaxEntries > 0) {
        refreshTimer = setInterval(
          () => {
            timedRefresh = refreshVersions().catch((error: unknown) =>
              deps.logger.warn('portcullis.session_cache.refresh_failed', { error: String(error) }),
            );
          },
          Math.max(1, Math.floor(options.l1TtlMs / 2)),
        );
        refreshTimer.unref?.();
      }
      subscription ??= keepSubscribed(kv, CHANNEL, onInvalidation, {
        logger: deps.logger,
        name: 'session cache',
      });
      await subscription.firstAttempt;
    },

    async stop() {
      if (refreshTimer) clearInterval(refreshTimer);
      refreshTimer = undefined;
      // no retry is scheduled from now on; one whose timer fired already is a write to wait for
      stopping = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      for (let last: Promise<void> | undefined; retrying !== last; ) {
        last = retrying;
        await last;
      }
      await timedRefresh;
      await subscription?.stop();
      subscription = undefined;
      l1.clear();
    },
  };

  /**
   * The batched read of a refresh. Unlike `shared`, a failure here does not count towards marking
   * the store down: a store that cannot answer the batch (an MGET whose keys span Cluster slots)
   * may still answer single reads, and the requests' own re-checks then keep the cache working as
   * without the refresh. It still stays away from a store marked down. Warns once per outage.
   */
  async function readVersionsInBackground(keys: string[]): Promise<(string | null)[] | undefined> {
    if (Date.now() < unavailableUntil) return undefined;
    try {
      const values = await readMany(kv, keys);
      refreshFailing = false;
      return values;
    } catch (error) {
      if (!refreshFailing) {
        deps.logger.warn('portcullis.session_cache.version_refresh_failed', {
          error: String(error),
        });
      }
      refreshFailing = true;
      return undefined;
    }
  }

  async function refreshVersions(): Promise<void> {
    // one at a time: a slow read is not joined by a second one asking the same
    if (refreshing) return;
    refreshing = true;
    try {
      const startedAt = now();
      const picked: [string, L1Entry][] = [];
      const keyIndex = new Map<string, number>();
      for (const item of l1) {
        const entry = item[1];
        if (!entry.used) continue;
        entry.used = false;
        picked.push(item);
        if (!keyIndex.has(entry.userKey)) keyIndex.set(entry.userKey, keyIndex.size);
        if (entry.tenantKey !== null && !keyIndex.has(entry.tenantKey))
          keyIndex.set(entry.tenantKey, keyIndex.size);
      }
      if (picked.length === 0) return;
      const values = await readVersionsInBackground([...keyIndex.keys()]);
      if (values === undefined) {
        // not checked: still used, so the next refresh tries again
        for (const [, entry] of picked) entry.used = true;
        return;
      }
      for (const [tokenHash, entry] of picked) {
        // evicted or replaced while the read was out: what the read says is not about it
        if (l1.get(tokenHash) !== entry) continue;
        const user = values[keyIndex.get(entry.userKey)!] ?? '-';
        const tenant = entry.tenantKey === null ? '-' : (values[keyIndex.get(entry.tenantKey)!] ?? '-');
        if (`${user}/${tenant}` !== entry.versions) l1.delete(tokenHash);
        // versions read after `startedAt` count from then, never from when the answer came
        else if (entry.checkedAt < startedAt) entry.checkedAt = startedAt;
      }
    } finally {
      refreshing = false;
    }
  }

  function onInvalidation(message: string) {
    try {
      evict(JSON.parse(message) as { userIds?: string[]; tenantIds?: string[] });
    } catch {
      deps.logger.warn('portcullis.session_cache.invalidation_malformed');
    }
  }
}

function scopeOf(session: Session): VersionScope {
  return { userId: session.userId, tenantId: session.tenantId };
}

const date = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string));

function reviveSession(raw: Record<string, unknown>): Session {
  return {
    ...(raw as unknown as Session),
    createdAt: date(raw.createdAt)!,
    lastSeenAt: date(raw.lastSeenAt)!,
    idleExpiresAt: date(raw.idleExpiresAt)!,
    expiresAt: date(raw.expiresAt)!,
    revokedAt: date(raw.revokedAt),
  };
}

function reviveUser(raw: Record<string, unknown>): User {
  return {
    ...(raw as unknown as User),
    emailVerifiedAt: date(raw.emailVerifiedAt),
    createdAt: date(raw.createdAt)!,
    updatedAt: date(raw.updatedAt)!,
  };
}
