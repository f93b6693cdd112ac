import type { Membership } from '../memberships/memberships.js';
import type { Clock } from '../ports/clock.js';
import { type KeptSubscription, keepSubscribed, type SubscriptionState } from '../ports/keep-subscribed.js';
import type { KeyValue } from '../ports/key-value.js';
import type { Logger } from '../ports/logger.js';
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

/**
 * The per-instance cache that lets a decision do no I/O: compiled authorizers per tenant, keyed
 * by the tenant's authorization versions, and memberships per (tenant, user).
 *
 * How it stays honest:
 * - The storage wrapper reports every committed write that can change a decision (a version bump
 *   of roles or policies, a membership's roles, attributes or removal) to {@link changed}, after
 *   the transaction commits. This instance evicts at once, so the change holds from its next
 *   request; the key-value store's pub/sub carries it to the other instances.
 * - An entry older than `revalidateAfterMs` is checked again before use (one indexed read of the
 *   tenant's versions, or of the membership), so a lost message delays a change by at most that.
 * - A fill that started before an eviction is not kept: its read may predate the change.
 * - Absent memberships are never cached, so a new member needs no invalidation.
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
    build: (previous: Authorizer | undefined) => Promise<Authorizer>,
  ): Promise<Authorizer>;
  /**
   * The membership and authorizer when both are cached and fresh, without a promise: the hot
   * path of a decision. `undefined` when either must be read (then use the async methods).
   */
  fresh(tenantId: string, userId: string): { membership: Membership; authorizer: Authorizer } | undefined;
  /** After a committed change: evict here and tell the other instances. */
  changed(changes: readonly AuthorizationChange[]): void;
  /**
   * Whether this instance hears other instances' changes: `retrying` until the store confirmed
   * the subscription (changes then arrive by revalidation, within `revalidateAfterMs`).
   */
  subscriptionState(): SubscriptionState;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What the cache reads of the authorization options: its sizes and how long an entry is trusted. */
export type AuthorizationCacheOptions = Pick<
  ResolvedAuthorizationOptions,
  'cacheSize' | 'membershipCacheSize' | 'revalidateAfterMs'
>;

const CHANNEL = 'portcullis:authorization:changed';

interface Entry<T> {
  value: T;
  checkedAt: number;
  /** For authorizers: the versions they were built from. */
  versionsKey?: string;
}

export function createAuthorizationCache(
  kv: KeyValue,
  deps: { clock: Clock; logger: Logger; instanceId: string },
  options: AuthorizationCacheOptions,
): AuthorizationCache {
  const authorizers = new Map<string, Entry<Authorizer>>();
  const memberships = new Map<string, Entry<Membership>>();
  // bumped by every eviction: a fill that began under an older epoch may hold pre-change data
  let epoch = 0;
  let subscription: KeptSubscription | undefined;
  const now = () => deps.clock.now().getTime();
  const membershipKey = (tenantId: string, userId: string) => `${tenantId}\u0000${userId}`;
  const versionsKeyOf = (v: AuthorizationVersions) => `${v.roles}:${v.policies}`;

  function remember<T>(map: Map<string, Entry<T>>, key: string, entry: Entry<T>, max: number) {
    map.delete(key);
    map.set(key, entry);
    if (map.size > max) map.delete(map.keys().next().value!);
  }

  function evict(changes: readonly AuthorizationChange[]) {
    epoch += 1;
    for (const change of changes) {
      if (change.userId === undefined) {
        // kept, but never served or revalidated again: only lent to the rebuild
        const stale = authorizers.get(change.tenantId);
        if (stale) Object.assign(stale, { checkedAt: Number.NEGATIVE_INFINITY, versionsKey: undefined });
      } else memberships.delete(membershipKey(change.tenantId, change.userId));
    }
  }

  return {
    fresh(tenantId, userId) {
      const member = memberships.get(membershipKey(tenantId, userId));
      const compiled = authorizers.get(tenantId);
      if (!member || !compiled) return undefined;
      const at = now();
      if (
        at - member.checkedAt >= options.revalidateAfterMs ||
        at - compiled.checkedAt >= options.revalidateAfterMs
      )
        return undefined;
      return { membership: member.value, authorizer: compiled.value };
    },

    async membership(tenantId, userId, load) {
      const key = membershipKey(tenantId, userId);
      const hit = memberships.get(key);
      if (hit && now() - hit.checkedAt < options.revalidateAfterMs) return hit.value;
      const startedAt = epoch;
      const membership = await load();
      if (!membership) memberships.delete(key);
      else if (startedAt === epoch)
        remember(memberships, key, { value: membership, checkedAt: now() }, options.membershipCacheSize);
      return membership;
    },

    async authorizer(tenantId, readVersions, build) {
      const hit = authorizers.get(tenantId);
      if (hit && now() - hit.checkedAt < options.revalidateAfterMs) return hit.value;
      const startedAt = epoch;
      const versionsKey = versionsKeyOf(await readVersions());
      if (hit && hit.versionsKey === versionsKey) {
        if (startedAt === epoch) hit.checkedAt = now();
        return hit.value;
      }
      // versions read before the rows: rows newer than the versions only make the entry rebuild
      // sooner, never serve a state older than its key
      const authorizer = await build(hit?.value);
      if (startedAt === epoch)
        remember(
          authorizers,
          tenantId,
          { value: authorizer, checkedAt: now(), versionsKey },
          options.cacheSize,
        );
      return authorizer;
    },

    changed(changes) {
      if (changes.length === 0) return;
      evict(changes);
      kv.publish(CHANNEL, JSON.stringify(changes)).catch((error: unknown) => {
        // other instances still see the change once their entries age out
        deps.logger.warn('authorization cache: could not publish an invalidation', { error: String(error) });
      });
    },

    subscriptionState: () => subscription?.state() ?? 'retrying',

    async start() {
      // retried with backoff until it holds: without it, changes from other instances arrive by
      // revalidation only
      subscription ??= keepSubscribed(kv, CHANNEL, onInvalidation, {
        logger: deps.logger,
        name: 'authorization cache',
      });
      await subscription.firstAttempt;
    },

    async stop() {
      await subscription?.stop();
      subscription = undefined;
      authorizers.clear();
      memberships.clear();
    },
  };

  function onInvalidation(message: string) {
    try {
      const changes = JSON.parse(message) as AuthorizationChange[];
      if (Array.isArray(changes)) evict(changes.filter((c) => typeof c?.tenantId === 'string'));
    } catch {
      deps.logger.warn('authorization cache: ignoring a malformed invalidation message');
    }
  }
}
