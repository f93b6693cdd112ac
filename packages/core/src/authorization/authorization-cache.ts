import type { EventLogger } from '../logging/event-logger.js';
import type { Membership } from '../memberships/memberships.js';
import type { Clock } from '../ports/clock.js';
import { type KeptSubscription, keepSubscribed, type SubscriptionState } from '../ports/keep-subscribed.js';
import { type KeyValue, readMany } from '../ports/key-value.js';
import type { ResolvedAuthorizationOptions } from './authorization-options.js';
import type { AuthorizationVersions } from './authorization-version-store.js';
import type { Authorizer } from './authorizer.js';

/**
 * What changed, as far as cached authorization is concerned: a tenant's roles or policies
 * (`{ tenantId }`), or one member's membership (`{ tenantId, userId }`).
 */
export interface AuthorizationChange {
  tenantId: string;
  userId?: string;
}

/** A freshly compiled authorizer and what it is estimated to hold in memory. */
export interface BuiltAuthorizer {
  authorizer: Authorizer;
  /** See `estimateAuthorizerBytes`: what the compiled-rules cache counts against its budget. */
  sizeBytes: number;
}

/**
 * The per-instance cache that lets a decision do no I/O: compiled authorizers per tenant and
 * memberships per (tenant, user), each trusted for `revalidateAfterMs` after its last successful
 * check, and checked again *off the request path*.
 *
 * How it stays honest:
 * - The storage wrapper reports every committed write that can change a decision (a version bump
 *   of roles or policies, a membership's roles, attributes or removal) to {@link changed}, after
 *   the transaction commits. This instance evicts at once, so the change holds from its next
 *   request. With a shared key-value store (Redis), the change also gets a new random *version*
 *   there (`az:t:<tenant>`, `az:m:<tenant>:<user>`) and is published for the other instances.
 * - Every entry is tagged with the versions read *before* the database read that filled it. A
 *   background refresh, every quarter of `revalidateAfterMs`, re-checks the tags of the entries
 *   used in the last {@link ACTIVE_WINDOW_MS} in one batched read (`readMany`: one MGET on
 *   Redis); a tag that no longer matches — a change whose message was lost, or a flushed store,
 *   where the version is gone and a new one is a new random value — evicts the entry.
 *   Without a shared store (one instance, where every change goes through it and evicts at
 *   once), the refresh reads the tenants' versions from the database in one batched query, so a
 *   role or policy change written by another process is still seen.
 * - A request never uses an entry whose last successful check is older than `revalidateAfterMs`:
 *   when the refresh failed or fell behind, the decision reads the database as before (the
 *   synchronous path). An entry is also re-read from the database once it was filled more than
 *   {@link MAX_TRUST_MS} ago, which bounds how long a write made behind Portcullis's back (a
 *   direct table edit) can go unseen.
 * - A fill that started before an eviction is not kept, nor a refresh's check of an entry evicted
 *   meanwhile: its read may predate the
 *   change.
 * - With a shared store, memberships are also kept there (L2, `az:mc:<tenant>:<user>`, with the
 *   version they were read under), so an instance that lacks one, or whose entry expired, needs
 *   one round trip (the version and the copy together) instead of the database when nothing
 *   changed.
 * - Absent memberships are never cached, so a new member needs no invalidation.
 * - Compiled authorizers are bounded by their estimated size (`compiledCacheBytes`), least
 *   recently used first; memberships by count (`membershipCacheSize`).
 */
export interface AuthorizationCache {
  /** The membership, from memory when fresh, else from `load` (and remembered when found). */
  membership(
    tenantId: string,
    userId: string,
    load: () => Promise<Membership | null>,
  ): Promise<Membership | null>;
  /**
   * The tenant's compiled authorizer: from memory when fresh; when stale, kept if `readVersions`
   * still gives the versions it was built from; otherwise `build` compiles a new one, given the
   * stale one (if any) to reuse what did not change.
   */
  authorizer(
    tenantId: string,
    readVersions: () => Promise<AuthorizationVersions>,
    build: (previous: Authorizer | undefined) => Promise<BuiltAuthorizer>,
  ): Promise<Authorizer>;
  /**
   * The membership and authorizer when both are cached and fresh, without a promise: the hot
   * path of a decision. `undefined` when either must be read (then use the async methods).
   */
  fresh(tenantId: string, userId: string): { membership: Membership; authorizer: Authorizer } | undefined;
  /** After a committed change: evict here, give it a new version and tell the other instances. */
  changed(changes: readonly AuthorizationChange[]): void;
  /**
   * One background check of the entries in use (what the refresh timer runs; tests call it).
   * Never throws: a failed check leaves the entries to age out into the synchronous path.
   */
  refresh(): Promise<void>;
  /**
   * Whether this instance hears other instances' changes: `retrying` until the store confirmed
   * the subscription (changes then arrive by the refresh, within `revalidateAfterMs`).
   */
  subscriptionState(): SubscriptionState;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What the cache reads of the authorization options: its sizes and how long an entry is trusted. */
export type AuthorizationCacheOptions = Pick<
  ResolvedAuthorizationOptions,
  'cacheSize' | 'compiledCacheBytes' | 'membershipCacheSize' | 'revalidateAfterMs'
>;

/** What the cache uses besides the key-value store. */
export interface AuthorizationCacheDeps {
  clock: Clock;
  logger: EventLogger;
  instanceId: string;
  /**
   * Whether `kv` is shared by every instance (the app configured a `keyValue`): versions then
   * live there. Otherwise `kv` is this process's own and the refresh asks the database.
   */
  sharedStore: boolean;
  /** The tenants' versions in one batched read (the refresh without a shared store). */
  readVersionsMany: (tenantIds: readonly string[]) => Promise<AuthorizationVersions[]>;
}

const CHANNEL = 'portcullis:authorization:changed';
/** Entries used within this window are kept fresh by the refresh; idler ones age out. */
export const ACTIVE_WINDOW_MS = 30_000;
/** An entry is re-read from the database at the latest this long after its fill. */
export const MAX_TRUST_MS = 60_000;
const VERSION_TTL_SECONDS = 7 * 86_400;
/** Keys per batched read: bounds one MGET (and one `IN (…)`) whatever the number of entries. */
const BATCH_SIZE = 1000;
/** After a failure, leave the shared store alone for this long before trying it again. */
const BACKOFF_MS = 1_000;

interface Entry<T> {
  value: T;
  /** Start of the last successful check: trusted until `checkedAt + revalidateAfterMs`. */
  checkedAt: number;
  /** When the value was read from the database. */
  filledAt: number;
  usedAt: number;
  /** The shared store's version when checked (with a shared store); `undefined`: not checkable. */
  tag: string | undefined;
}

interface AuthorizerEntry extends Entry<Authorizer> {
  /** The database versions it was built from; `undefined` once evicted (kept only to lend). */
  versionsKey: string | undefined;
  sizeBytes: number;
}

export function createAuthorizationCache(
  kv: KeyValue,
  deps: AuthorizationCacheDeps,
  options: AuthorizationCacheOptions,
): AuthorizationCache {
  const authorizers = new Map<string, AuthorizerEntry>();
  const memberships = new Map<string, Entry<Membership>>();
  let compiledBytes = 0;
  // bumped by every eviction: a fill or refresh that began under an older epoch may hold pre-change data
  let epoch = 0;
  let subscription: KeptSubscription | undefined;
  let refreshTimer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;
  /** The version writes of the last change: `stop()` waits for them. */
  let writingVersions: Promise<void> | undefined;
  let unavailableUntil = 0;
  const pendingVersions = new Map<string, string>(); // key → version still to write after a failure
  let retryTimer: NodeJS.Timeout | undefined;
  /** Set by `stop()`: no retry is scheduled after it. */
  let stopping = false;
  const ttl = options.revalidateAfterMs;
  const maxAuthorizers = options.cacheSize ?? Number.POSITIVE_INFINITY;
  const now = () => deps.clock.now().getTime();
  const membershipKey = (tenantId: string, userId: string) => `${tenantId}\u0000${userId}`;
  const tenantVersionKey = (tenantId: string) => `az:t:${tenantId}`;
  const memberVersionKey = (tenantId: string, userId: string) => `az:m:${tenantId}:${userId}`;
  const memberEntryKey = (tenantId: string, userId: string) => `az:mc:${tenantId}:${userId}`;
  const versionsKeyOf = (v: AuthorizationVersions) => `${v.roles}:${v.policies}`;
  const isFresh = (entry: Entry<unknown>, at: number) =>
    at - entry.checkedAt < ttl && at - entry.filledAt < MAX_TRUST_MS;

  /** A shared-store call, `undefined` when it failed (the caller then uses the database). */
  async function shared<T>(operation: string, call: () => Promise<T>): Promise<T | undefined> {
    if (Date.now() < unavailableUntil) return undefined;
    try {
      return await call();
    } catch (error) {
      deps.logger.warn('portcullis.authorization_cache.store_unavailable', {
        operation,
        error: String(error),
      });
      unavailableUntil = Date.now() + BACKOFF_MS;
      return undefined;
    }
  }

  /** The version to tag a fill with, created (set-if-absent) when missing; no tag without a shared store. */
  async function tagForFill(key: string): Promise<string | undefined> {
    if (!deps.sharedStore) return undefined;
    return shared('readVersion', async () => {
      const existing = await kv.get(key);
      if (existing !== null) return existing;
      const created = newVersion();
      if (await kv.setIfAbsent(key, created, { ttlSeconds: VERSION_TTL_SECONDS })) return created;
      return (await kv.get(key)) ?? undefined; // another instance created it first
    });
  }

  function newVersion(): string {
    return `${deps.instanceId}.${now().toString(36)}.${Math.random().toString(36).slice(2, 10)}`;
  }

  function rememberMembership(key: string, entry: Entry<Membership>) {
    memberships.delete(key);
    memberships.set(key, entry);
    if (memberships.size > options.membershipCacheSize) memberships.delete(memberships.keys().next().value!);
  }

  function rememberAuthorizer(tenantId: string, entry: AuthorizerEntry) {
    dropAuthorizer(tenantId);
    authorizers.set(tenantId, entry);
    compiledBytes += entry.sizeBytes;
    // least recently used first (a hit moves its entry to the end), never the one just built
    while (
      (compiledBytes > options.compiledCacheBytes || authorizers.size > maxAuthorizers) &&
      authorizers.size > 1
    )
      dropAuthorizer(authorizers.keys().next().value!);
  }

  function dropAuthorizer(tenantId: string) {
    const entry = authorizers.get(tenantId);
    if (!entry) return;
    authorizers.delete(tenantId);
    compiledBytes -= entry.sizeBytes;
  }

  /** Moves a used entry to the end of its map's order: the least recently used go first. */
  function touch<T>(map: Map<string, T>, key: string, entry: T) {
    map.delete(key);
    map.set(key, entry);
  }

  function markStale(entry: AuthorizerEntry) {
    // kept, but never served or refreshed again: only lent to the rebuild
    entry.checkedAt = Number.NEGATIVE_INFINITY;
    entry.versionsKey = undefined;
    entry.tag = undefined;
  }

  function evict(changes: readonly AuthorizationChange[]) {
    epoch += 1;
    for (const change of changes) {
      if (change.userId === undefined) {
        const stale = authorizers.get(change.tenantId);
        if (stale) markStale(stale);
      } else memberships.delete(membershipKey(change.tenantId, change.userId));
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
        writingVersions = writePendingVersions();
      }, BACKOFF_MS);
      retryTimer.unref?.();
    }
  }

  /** Entries worth checking now: in use, checkable, within their trust, and half-way to expiring. */
  function due<T extends Entry<unknown>>(map: Map<string, T>, at: number): [string, T][] {
    const list: [string, T][] = [];
    for (const pair of map) {
      const entry = pair[1];
      if (at - entry.usedAt > ACTIVE_WINDOW_MS || !isFresh(entry, at) || at - entry.checkedAt < ttl / 2)
        continue;
      if (deps.sharedStore && entry.tag === undefined) continue;
      list.push(pair);
    }
    return list;
  }

  async function refreshOnce(): Promise<void> {
    const startedAt = now();
    const tenants = due(authorizers, startedAt).filter(([, entry]) => entry.versionsKey !== undefined);
    const members = due(memberships, startedAt);
    if (tenants.length === 0 && members.length === 0) return;
    let tenantsCurrent: boolean[];
    let membersCurrent: boolean[];
    if (deps.sharedStore) {
      const keys = [
        ...tenants.map(([tenantId]) => tenantVersionKey(tenantId)),
        ...members.map(([, entry]) => memberVersionKey(entry.value.tenantId, entry.value.userId)),
      ];
      let values: (string | null)[];
      try {
        values = await readInBatches(keys, (batch) => readMany(kv, batch));
      } catch (error) {
        // entries age out into the synchronous path; requests keep using the store meanwhile
        deps.logger.warn('portcullis.authorization_cache.versions_refresh_failed', { error: String(error) });
        return;
      }
      tenantsCurrent = tenants.map(([, entry], i) => values[i] === entry.tag);
      membersCurrent = members.map(([, entry], i) => values[tenants.length + i] === entry.tag);
    } else {
      const tenantIds = tenants.map(([tenantId]) => tenantId);
      let versions: AuthorizationVersions[];
      try {
        versions = await readInBatches(tenantIds, deps.readVersionsMany, { concurrent: true });
      } catch (error) {
        deps.logger.warn('portcullis.authorization_cache.versions_refresh_failed', { error: String(error) });
        return;
      }
      const byTenant = new Map(versions.map((v) => [v.tenantId, versionsKeyOf(v)]));
      tenantsCurrent = tenants.map(([tenantId, entry]) => byTenant.get(tenantId) === entry.versionsKey);
      // one instance: every membership change went through it and evicted at once
      membersCurrent = members.map(() => true);
    }
    // an entry evicted during the read is gone or marked stale (a refill is a new entry): what
    // was read may predate its change, so it is left alone
    tenants.forEach(([tenantId, entry], i) => {
      if (authorizers.get(tenantId) !== entry || entry.versionsKey === undefined) return;
      if (tenantsCurrent[i]) entry.checkedAt = Math.max(entry.checkedAt, startedAt);
      else markStale(entry);
    });
    members.forEach(([key, entry], i) => {
      if (memberships.get(key) !== entry) return;
      if (membersCurrent[i]) entry.checkedAt = Math.max(entry.checkedAt, startedAt);
      else memberships.delete(key);
    });
  }

  function refresh(): Promise<void> {
    refreshing ??= refreshOnce()
      .catch((error: unknown) => {
        deps.logger.warn('portcullis.authorization_cache.refresh_failed', { error: String(error) });
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  }

  return {
    fresh(tenantId, userId) {
      const key = membershipKey(tenantId, userId);
      const member = memberships.get(key);
      const compiled = authorizers.get(tenantId);
      if (!member || !compiled) return undefined;
      const at = now();
      if (!isFresh(member, at) || !isFresh(compiled, at)) return undefined;
      member.usedAt = at;
      compiled.usedAt = at;
      touch(authorizers, tenantId, compiled);
      return { membership: member.value, authorizer: compiled.value };
    },

    async membership(tenantId, userId, load) {
      const key = membershipKey(tenantId, userId);
      const hit = memberships.get(key);
      const at = now();
      if (hit && isFresh(hit, at)) {
        hit.usedAt = at;
        touch(memberships, key, hit);
        return hit.value;
      }
      const startedAt = epoch;
      const versionKey = memberVersionKey(tenantId, userId);
      let tag: string | undefined;
      if (deps.sharedStore) {
        // one round trip: the current version and the shared copy (L2)
        const read = await shared('readMembership', () =>
          readMany(kv, [versionKey, memberEntryKey(tenantId, userId)]),
        );
        const version = read?.[0] ?? null;
        if (read && version !== null) {
          // an entry tagged with the current version holds what the database said since the last change
          const confirmed =
            hit && hit.tag === version && at - hit.filledAt < MAX_TRUST_MS
              ? { value: hit.value, filledAt: hit.filledAt }
              : sharedCopy(read[1] ?? null, version, at);
          if (confirmed) {
            if (startedAt === epoch)
              rememberMembership(key, { ...confirmed, checkedAt: at, usedAt: now(), tag: version });
            return confirmed.value;
          }
        }
        tag = version ?? (await tagForFill(versionKey));
      }
      const membership = await load();
      if (!membership) memberships.delete(key);
      else if (startedAt === epoch) {
        rememberMembership(key, { value: membership, checkedAt: at, filledAt: at, usedAt: now(), tag });
        if (tag !== undefined) {
          const copy: SharedMembership = { membership, tag, filledAt: at };
          void shared('writeMembership', () =>
            kv.set(memberEntryKey(tenantId, userId), JSON.stringify(copy), {
              ttlSeconds: Math.ceil(MAX_TRUST_MS / 1000),
            }),
          );
        }
      }
      return membership;
    },

    async authorizer(tenantId, readVersions, build) {
      const hit = authorizers.get(tenantId);
      const at = now();
      if (hit && isFresh(hit, at)) {
        hit.usedAt = at;
        touch(authorizers, tenantId, hit);
        return hit.value;
      }
      const startedAt = epoch;
      const tag = await tagForFill(tenantVersionKey(tenantId));
      const versionsKey = versionsKeyOf(await readVersions());
      if (hit && hit.versionsKey === versionsKey) {
        if (startedAt === epoch && authorizers.get(tenantId) === hit) {
          Object.assign(hit, { checkedAt: at, filledAt: at, usedAt: now(), tag });
          touch(authorizers, tenantId, hit);
        }
        return hit.value;
      }
      // versions read before the rows: rows newer than the versions only make the entry rebuild
      // sooner, never serve a state older than its key
      const built = await build(hit?.value);
      if (startedAt === epoch)
        rememberAuthorizer(tenantId, {
          value: built.authorizer,
          checkedAt: at,
          filledAt: at,
          usedAt: now(),
          tag,
          versionsKey,
          sizeBytes: built.sizeBytes,
        });
      return built.authorizer;
    },

    changed(changes) {
      if (changes.length === 0) return;
      evict(changes);
      if (deps.sharedStore) {
        const version = newVersion();
        for (const change of changes) {
          const key =
            change.userId === undefined
              ? tenantVersionKey(change.tenantId)
              : memberVersionKey(change.tenantId, change.userId);
          pendingVersions.set(key, version);
        }
        // an instance that misses the message sees the new versions at its next refresh; one
        // that refills before they are written tags fresh rows with the old version, which only
        // makes it refill again
        writingVersions = writePendingVersions();
      }
      publish(changes);
    },

    refresh,

    subscriptionState: () => subscription?.state() ?? 'retrying',

    async start() {
      stopping = false;
      // retried with backoff until it holds: without it, changes from other instances arrive by
      // the refresh only
      subscription ??= keepSubscribed(kv, CHANNEL, onInvalidation, {
        logger: deps.logger,
        name: 'authorization cache',
      });
      if (ttl > 0 && refreshTimer === undefined) {
        // a quarter of the window: an entry in use is checked again well before it expires
        refreshTimer = setInterval(() => void refresh(), Math.max(10, Math.floor(ttl / 4)));
        refreshTimer.unref?.();
      }
      await subscription.firstAttempt;
    },

    async stop() {
      if (refreshTimer) clearInterval(refreshTimer);
      refreshTimer = undefined;
      await refreshing;
      // no retry is scheduled from now on; one whose timer fired already is a write to wait for
      stopping = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      for (let last: Promise<void> | undefined; writingVersions !== last; ) {
        last = writingVersions;
        await last;
      }
      await subscription?.stop();
      subscription = undefined;
      authorizers.clear();
      memberships.clear();
      compiledBytes = 0;
    },
  };

  function publish(changes: readonly AuthorizationChange[]) {
    kv.publish(CHANNEL, JSON.stringify(changes)).catch((error: unknown) => {
      // other instances still see the change at their next refresh
      deps.logger.warn('portcullis.authorization_cache.invalidation_not_published', { error: String(error) });
    });
  }

  function onInvalidation(message: string) {
    try {
      const changes = JSON.parse(message) as AuthorizationChange[];
      if (Array.isArray(changes)) evict(changes.filter((c) => typeof c?.tenantId === 'string'));
    } catch {
      deps.logger.warn('portcullis.authorization_cache.invalidation_malformed');
    }
  }
}

/** A membership as the shared store (L2) holds it, with the version it was read under. */
interface SharedMembership {
  membership: Membership;
  tag: string;
  /** When it was read from the database (ms): the {@link MAX_TRUST_MS} bound counts from there. */
  filledAt: number;
}

/** The shared copy, when it was filled under `version` and is within its trust; else undefined. */
function sharedCopy(raw: string | null, version: string, at: number) {
  if (raw === null) return undefined;
  try {
    const copy = JSON.parse(raw) as SharedMembership;
    if (copy.tag !== version || !(at - copy.filledAt < MAX_TRUST_MS)) return undefined;
    const m = copy.membership;
    const value: Membership = { ...m, createdAt: new Date(m.createdAt), updatedAt: new Date(m.updatedAt) };
    return { value, filledAt: copy.filledAt };
  } catch {
    return undefined;
  }
}

/**
 * `read` over `items` in batches of {@link BATCH_SIZE}, results in order: one after the other
 * (each key-value batch within the store's own timeout, no burst of MGETs queued behind each
 * other), or all at once (`concurrent`, for the database, whose pool spreads them).
 */
async function readInBatches<T, R>(
  items: readonly T[],
  read: (batch: readonly T[]) => Promise<R[]>,
  { concurrent = false }: { concurrent?: boolean } = {},
): Promise<R[]> {
  if (items.length <= BATCH_SIZE) return items.length === 0 ? [] : read(items);
  const batches: (readonly T[])[] = [];
  for (let i = 0; i < items.length; i += BATCH_SIZE) batches.push(items.slice(i, i + BATCH_SIZE));
  if (concurrent) return (await Promise.all(batches.map(read))).flat();
  const results: R[] = [];
  for (const batch of batches) results.push(...(await read(batch)));
  return results;
}
