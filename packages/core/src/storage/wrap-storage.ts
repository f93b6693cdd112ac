import type { RevokedApiKeys } from '../api-keys/index.js';
import type { AuthorizationChange } from '../authorization/index.js';
import { AuthError, isAuthError } from '../errors.js';
import { createEventLogger, type EventLogger } from '../logging/event-logger.js';
import type { Logger } from '../ports/logger.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import type { ChangedRateLimitOverrides } from '../rate-limit/index.js';
import type { RevokedAccessTokens } from '../tokens/index.js';
import { classifyStorageError } from './classify-storage-error.js';
import { lazyStores, STORE_NAMES, storeMethodNames } from './lazy-stores.js';

const WRAPPED = Symbol.for('portcullis.wrappedStorage');

/** Cached sessions to drop: every session of these users, and every session acting in these tenants. */
export interface RevokedSessions {
  userIds?: string[];
  tenantIds?: string[];
}

/**
 * What the wrapper does around one store method, besides translating errors and bounding time:
 * the tenant check, and the effects of the call, which run once it is durable.
 */
export interface MethodRule<Args extends unknown[], Result> {
  /**
   * The first argument is a tenant id: it must be a non-empty string, and every row the call
   * returns must carry it.
   */
  tenantIdFirst?: Args extends [string, ...unknown[]] ? true : never;
  /** The call writes an outbox event: the dispatcher is nudged. */
  outboxWritten?: true;
  /**
   * The sessions whose cached copies must go (revoked, or changed in a way no cached copy may
   * outlive); `undefined` when the call changed none.
   */
  sessionsRevoked?: (args: Args, result: Result) => RevokedSessions | undefined;
  /** What the call can change in an authorization decision. */
  authorizationChanged?: (args: Args) => AuthorizationChange;
  /** The access tokens the call revokes (they are checked without a database read). */
  accessTokensRevoked?: (args: Args, result: Result) => RevokedAccessTokens | undefined;
  /** The API keys whose cached verifications must go (revoked, rotated, or their tenant suspended). */
  apiKeysRevoked?: (args: Args, result: Result) => RevokedApiKeys | undefined;
  /** The tenants whose rate-limit overrides the call changed (their cached copies must go). */
  rateLimitOverridesChanged?: (args: Args, result: Result) => ChangedRateLimitOverrides | undefined;
}

/** A method's rule as the wrapper reads it, whatever the method's arguments and result. */
type AnyMethodRule = Omit<MethodRule<unknown[], unknown>, 'tenantIdFirst'> & { tenantIdFirst?: true };

/**
 * The rules of every store method that has one, keyed by store and method name: a misspelled or
 * renamed method fails the type check instead of silently losing its rule.
 */
export type StoreMethodRules = {
  [S in keyof StorageStores]?: {
    [M in keyof StorageStores[S]]?: StorageStores[S][M] extends (...args: infer Args) => Promise<infer Result>
      ? MethodRule<Args, Result>
      : never;
  };
};

/**
 * Tenant checks and after-commit effects, declared once here: services never nudge the outbox
 * or announce revocations themselves.
 */
const METHOD_RULES: StoreMethodRules = {
  tenants: {
    // a suspended tenant's keys stay unrevoked (reactivation brings them back) but stop verifying
    update: {
      apiKeysRevoked: ([tenantId, patch], updated) =>
        updated && patch.status === 'suspended' ? { tenantIds: [tenantId] } : undefined,
    },
  },
  memberships: {
    find: { tenantIdFirst: true },
    listByTenant: { tenantIdFirst: true },
    // a membership write changes one member's standing
    updateRoles: {
      tenantIdFirst: true,
      authorizationChanged: ([tenantId, userId]) => ({ tenantId, userId }),
    },
    updateAttributes: {
      tenantIdFirst: true,
      authorizationChanged: ([tenantId, userId]) => ({ tenantId, userId }),
    },
    remove: {
      tenantIdFirst: true,
      authorizationChanged: ([tenantId, userId]) => ({ tenantId, userId }),
      accessTokensRevoked: ([tenantId, userId]) => ({ members: [{ tenantId, userId }] }),
    },
    countWithRole: { tenantIdFirst: true },
  },
  roles: {
    listByTenant: { tenantIdFirst: true },
    findByKey: { tenantIdFirst: true },
    findById: { tenantIdFirst: true },
    update: { tenantIdFirst: true },
    delete: { tenantIdFirst: true },
  },
  policies: {
    findById: { tenantIdFirst: true },
    listByTenant: { tenantIdFirst: true },
    replace: { tenantIdFirst: true },
    delete: { tenantIdFirst: true },
  },
  authorizationVersions: {
    getVersions: { tenantIdFirst: true },
    // a version bump is a change of the tenant's roles or policies
    bumpRolesVersion: { tenantIdFirst: true, authorizationChanged: ([tenantId]) => ({ tenantId }) },
    bumpPoliciesVersion: { tenantIdFirst: true, authorizationChanged: ([tenantId]) => ({ tenantId }) },
  },
  invitations: {
    listByTenant: { tenantIdFirst: true },
    revoke: { tenantIdFirst: true },
  },
  clients: {
    listByTenant: { tenantIdFirst: true },
    rotateSecret: { tenantIdFirst: true },
    // a deleted client's tokens, its own and those issued through it, end on every instance
    delete: {
      tenantIdFirst: true,
      accessTokensRevoked: ([, id], deleted) => (deleted ? { clientIds: [id] } : undefined),
    },
  },
  revokedAccessTokens: {
    // the row is what the database knows; the store's entry is what every verification reads
    add: {
      accessTokensRevoked: ([revoked]) => ({
        tokens: [{ tokenId: revoked.tokenId, expiresAt: revoked.expiresAt }],
      }),
    },
  },
  sessions: {
    // access tokens are revoked whatever the count: a session revoked earlier may still have
    // unexpired tokens if that revocation's entry was lost
    revoke: {
      sessionsRevoked: ([userId], revoked) => (revoked ? { userIds: [userId] } : undefined),
      accessTokensRevoked: ([, sessionId]) => ({ sessionIds: [sessionId] }),
    },
    revokeAllForUser: {
      sessionsRevoked: ([userId], count) => (count > 0 ? { userIds: [userId] } : undefined),
      accessTokensRevoked: ([userId, , , exceptSessionId]) => ({ users: [{ userId, exceptSessionId }] }),
    },
    revokeAllForTenant: {
      tenantIdFirst: true,
      sessionsRevoked: ([tenantId], count) => (count > 0 ? { tenantIds: [tenantId] } : undefined),
      accessTokensRevoked: ([tenantId]) => ({ tenantIds: [tenantId] }),
    },
    revokeAllForTenantMember: {
      tenantIdFirst: true,
      sessionsRevoked: ([, userId], count) => (count > 0 ? { userIds: [userId] } : undefined),
      accessTokensRevoked: ([tenantId, userId]) => ({ members: [{ tenantId, userId }] }),
    },
    // a step-up's new authTime: no cached copy may keep serving the old one
    recordAuthentication: {
      sessionsRevoked: (_, session) => (session ? { userIds: [session.userId] } : undefined),
    },
  },
  outbox: {
    enqueue: { outboxWritten: true },
  },
  apiKeys: {
    findById: { tenantIdFirst: true },
    listByTenant: { tenantIdFirst: true },
    // a rotated key's cached copy would not know its overlap ends
    beginRotation: {
      tenantIdFirst: true,
      apiKeysRevoked: ([, id], rotated) => (rotated ? { ids: [id] } : undefined),
    },
    revoke: {
      tenantIdFirst: true,
      apiKeysRevoked: ([, id], revoked) => (revoked ? { ids: [id] } : undefined),
    },
    // a cached copy must not keep counting the key by its old policies or quota
    updateLimits: {
      tenantIdFirst: true,
      apiKeysRevoked: ([, id], updated) => (updated ? { ids: [id] } : undefined),
    },
    // a cached copy would not show the leak report
    markLeakReported: {
      tenantIdFirst: true,
      apiKeysRevoked: ([, id], marked) => (marked ? { ids: [id] } : undefined),
    },
    revokeOwnedBy: {
      apiKeysRevoked: ([userId], count) => (count > 0 ? { ownerUserIds: [userId] } : undefined),
    },
  },
  rateLimitOverrides: {
    listByTenant: { tenantIdFirst: true },
    put: { rateLimitOverridesChanged: ([override]) => ({ tenantIds: [override.tenantId] }) },
    delete: {
      tenantIdFirst: true,
      rateLimitOverridesChanged: ([tenantId], deleted) => (deleted ? { tenantIds: [tenantId] } : undefined),
    },
  },
};

/**
 * What to do once a write is durable: after the call outside a transaction, after the commit
 * for the writes of a transaction (never after a rollback), once per transaction with all of
 * its effects.
 */
export interface StorageEffects {
  /** Outbox events were written: ask the dispatcher for a pass (`OutboxDispatcher.nudge`). */
  outboxWritten?: () => void;
  /**
   * Sessions were revoked or changed (`SessionCache.revoked`). Awaited: the transaction (or
   * call) resolves only after it, so a revoked session is refused at once on this instance.
   */
  sessionsRevoked?: (scope: RevokedSessions) => Promise<void>;
  /** Writes that can change an authorization decision (`AuthorizationCache.changed`). */
  authorizationChanged?: (changes: AuthorizationChange[]) => void;
  /**
   * Access tokens were revoked (`AccessTokenRevocations.revoked`). Awaited like
   * `sessionsRevoked`: the revoking call resolves once every instance would refuse them.
   */
  accessTokensRevoked?: (scope: RevokedAccessTokens) => Promise<void>;
  /**
   * API keys were revoked or rotated (`ApiKeyCache.revoked`). Awaited like `sessionsRevoked`:
   * the revoking call resolves once this instance refuses the key and the others were told.
   */
  apiKeysRevoked?: (scope: RevokedApiKeys) => Promise<void>;
  /**
   * Rate-limit overrides were set or removed (`RateLimitOverrideCache.changed`). Awaited like
   * `sessionsRevoked`: the call resolves once this instance uses the new numbers and the others
   * were told.
   */
  rateLimitOverridesChanged?: (scope: ChangedRateLimitOverrides) => Promise<void>;
}

export interface WrapStorageOptions {
  /** Where storage failures are logged (`portcullis.storage.unavailable`), redacted. */
  logger?: Logger;
  /** More field names to redact from those lines (`AuthConfig['redactLogFields']`). */
  redactLogFields?: readonly string[];
  /** Give up on a storage call after this long and answer `storage_unavailable` (default 10 s). */
  timeoutMs?: number;
  /** The after-commit effects of the writes declared in the wrapper's table of store methods. */
  effects?: StorageEffects;
}

/**
 * Wraps an adapter once: translates driver errors to `AuthError` (`conflict`,
 * `storage_unavailable`), bounds every call in time, checks that tenant-scoped calls name a
 * tenant and that what comes back belongs to it, and runs the effects of durable writes
 * (outbox nudge, session revocation, authorization change). Adapters stay thin; this is tested
 * once. A storage wrapped already is wrapped again from its adapter, with these options.
 *
 * @example
 * const storage = wrapStorage(kyselyStorage(db), { timeoutMs: 5_000, effects: { outboxWritten: () => outbox.nudge() } })
 */
export function wrapStorage(storage: Storage, options: WrapStorageOptions = {}): Storage {
  const adapter = (storage as { [WRAPPED]?: Storage })[WRAPPED] ?? storage;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const effects = options.effects ?? {};
  const logger =
    options.logger && createEventLogger(options.logger, { redactFields: options.redactLogFields });
  const stores = wrapStores(adapter, { logger, timeoutMs, effects, batch: undefined });
  const wrapped = {
    [WRAPPED]: adapter,
    capabilities: adapter.capabilities,
    // bounded as a whole: a pool that never hands out a connection must not hang the request
    async transaction(fn) {
      const batch = new EffectBatch();
      const result = await guard('transaction', logger, timeoutMs, () =>
        adapter.transaction((tx) => fn(wrapStores(tx, { logger, timeoutMs: 0, effects, batch }))),
      );
      const delivering = batch.deliver(effects);
      if (delivering) await delivering;
      return result;
    },
    close: adapter.close ? () => adapter.close!() : undefined,
  } satisfies Omit<Storage, keyof StorageStores> & { [WRAPPED]: Storage };
  defineOwnStores(wrapped, stores);
  return wrapped as typeof wrapped & StorageStores;
}

/**
 * The effects of one transaction (or of one call outside a transaction), gathered so that they
 * are delivered together, once, after the commit.
 */
class EffectBatch {
  private outboxWritten = false;
  private revoked: RevokedSessions | undefined = undefined;
  private authorizationChanges: AuthorizationChange[] | undefined = undefined;
  private revokedTokens: RevokedAccessTokens | undefined = undefined;
  private revokedApiKeys: Required<RevokedApiKeys> | undefined = undefined;
  private changedOverrides: ChangedRateLimitOverrides | undefined = undefined;

  add(rule: AnyMethodRule, args: unknown[], result: unknown): void {
    if (rule.outboxWritten) this.outboxWritten = true;
    const scope = rule.sessionsRevoked?.(args, result);
    if (scope) {
      this.revoked ??= {};
      if (scope.userIds) this.revoked.userIds = union(this.revoked.userIds, scope.userIds);
      if (scope.tenantIds) this.revoked.tenantIds = union(this.revoked.tenantIds, scope.tenantIds);
    }
    if (rule.authorizationChanged) (this.authorizationChanges ??= []).push(rule.authorizationChanged(args));
    const tokens = rule.accessTokensRevoked?.(args, result);
    if (tokens) {
      // every kind is a list: one transaction's lists are concatenated, kind by kind
      const gathered = (this.revokedTokens ??= {}) as Record<string, unknown[]>;
      for (const [kind, entries] of Object.entries(tokens) as [string, unknown[]][]) {
        gathered[kind] = [...(gathered[kind] ?? []), ...entries];
      }
    }
    const apiKeys = rule.apiKeysRevoked?.(args, result);
    if (apiKeys) {
      this.revokedApiKeys ??= { ids: [], ownerUserIds: [], tenantIds: [] };
      this.revokedApiKeys.ids.push(...(apiKeys.ids ?? []));
      this.revokedApiKeys.ownerUserIds.push(...(apiKeys.ownerUserIds ?? []));
      this.revokedApiKeys.tenantIds.push(...(apiKeys.tenantIds ?? []));
    }
    const overrides = rule.rateLimitOverridesChanged?.(args, result);
    if (overrides) {
      this.changedOverrides ??= { tenantIds: [] };
      union(this.changedOverrides.tenantIds, overrides.tenantIds);
    }
  }

  /**
   * Caches first, and the revocation announced before the nudge, whose pass may hand
   * `session.revoked` to subscribers. A promise only when there is a revocation to wait for: a
   * transaction without one pays no extra tick.
   */
  deliver(effects: StorageEffects): Promise<void> | undefined {
    if (this.authorizationChanges) effects.authorizationChanged?.(this.authorizationChanges);
    const revocations = [
      this.revoked && effects.sessionsRevoked?.(this.revoked),
      this.revokedTokens && effects.accessTokensRevoked?.(this.revokedTokens),
      this.revokedApiKeys && effects.apiKeysRevoked?.(this.revokedApiKeys),
      this.changedOverrides && effects.rateLimitOverridesChanged?.(this.changedOverrides),
    ].filter((p): p is Promise<void> => p instanceof Promise);
    if (revocations.length > 0) {
      return this.nudgeAfter(
        revocations.length === 1
          ? (revocations[0] as Promise<void>)
          : Promise.all(revocations).then(() => undefined),
        effects,
      );
    }
    if (this.outboxWritten) effects.outboxWritten?.();
    return undefined;
  }

  private async nudgeAfter(revocation: Promise<void>, effects: StorageEffects): Promise<void> {
    await revocation;
    if (this.outboxWritten) effects.outboxWritten?.();
  }
}

function union(ids: string[] | undefined, more: string[]): string[] {
  if (!ids) return more;
  for (const id of more) if (!ids.includes(id)) ids.push(id);
  return ids;
}

/** What every wrapped store method of one storage (or one transaction) shares. */
interface Wrapping {
  logger: EventLogger | undefined;
  timeoutMs: number;
  effects: StorageEffects;
  /** A transaction's effects, held until it commits; outside one, each call's follow it. */
  batch: EffectBatch | undefined;
}

/**
 * The storage's own stores: own, enumerable properties, each wrapped on first use with its
 * methods bound, so they may be spread or destructured (`const { findById } = storage.users`).
 * A transaction's stores are made per call and stay unbound: call them on the store.
 */
function defineOwnStores(target: object, stores: StorageStores): void {
  for (const name of STORE_NAMES) {
    let bound: Record<string, unknown> | undefined;
    Object.defineProperty(target, name, {
      enumerable: true,
      get: () => (bound ??= bindMethods(stores[name] as unknown as Record<string, unknown>)),
    });
  }
}

function bindMethods(store: Record<string, unknown>): Record<string, unknown> {
  const bound: Record<string, unknown> = {};
  for (const method of storeMethodNames(store)) {
    bound[method] = (store[method] as (...args: unknown[]) => unknown).bind(store);
  }
  return bound;
}

function wrapStores(stores: StorageStores, wrapping: Wrapping): StorageStores {
  return lazyStores((name) => wrapStore(name, stores[name], wrapping));
}

type StoreMethods = Record<string, (...args: unknown[]) => Promise<unknown>>;

const STATE = Symbol('wrapped store');

interface WrappedStore {
  [STATE]: { target: StoreMethods; wrapping: Wrapping };
}

/**
 * The wrapped methods of each store name, per store class (the target's prototype): built once,
 * so wrapping a transaction's store costs one small object, not a closure per method.
 */
const wrapperPrototypes = new WeakMap<object, Map<keyof StorageStores, object>>();

function wrapStore(name: keyof StorageStores, target: object, wrapping: Wrapping): object {
  const prototype = Object.getPrototypeOf(target) as object | null;
  // a plain object (or one with methods of its own) is wrapped as it is, not by its class
  const byClass = prototype !== null && prototype !== Object.prototype && !hasOwnMethods(target);
  let wrapper = byClass ? wrapperPrototypes.get(prototype)?.get(name) : undefined;
  if (wrapper === undefined) {
    wrapper = wrapperPrototype(name, storeMethodNames(target));
    if (byClass) {
      let byName = wrapperPrototypes.get(prototype);
      if (byName === undefined) wrapperPrototypes.set(prototype, (byName = new Map()));
      byName.set(name, wrapper);
    }
  }
  const store = Object.create(wrapper) as WrappedStore;
  store[STATE] = { target: target as StoreMethods, wrapping };
  return store;
}

function wrapperPrototype(name: keyof StorageStores, methods: readonly string[]): object {
  const prototype: Record<string, unknown> = {};
  const rules = METHOD_RULES[name] as Record<string, AnyMethodRule | undefined> | undefined;
  for (const method of methods) {
    const operation = `${name}.${method}`;
    const rule = rules?.[method];
    const tenantChecked = rule?.tenantIdFirst === true;
    // decided here, once per store class: a call without effects pays one test of a constant
    const effectful =
      rule?.outboxWritten ||
      rule?.sessionsRevoked ||
      rule?.authorizationChanged ||
      rule?.accessTokensRevoked ||
      rule?.apiKeysRevoked ||
      rule?.rateLimitOverridesChanged
        ? rule
        : undefined;
    prototype[method] = async function (this: WrappedStore, ...args: unknown[]) {
      const { target, wrapping } = this[STATE];
      if (tenantChecked) assertTenantId(args[0], operation);
      const result = await guard(operation, wrapping.logger, wrapping.timeoutMs, async () => {
        const result = await target[method]!(...args);
        if (tenantChecked) assertSameTenant(result, args[0] as string, operation);
        return result;
      });
      if (effectful) {
        if (wrapping.batch) wrapping.batch.add(effectful, args, result);
        else await deliverNow(effectful, args, result, wrapping.effects);
      }
      return result;
    };
  }
  return prototype;
}

/** The effects of a call outside a transaction: durable once it returned. */
function deliverNow(rule: AnyMethodRule, args: unknown[], result: unknown, effects: StorageEffects) {
  const batch = new EffectBatch();
  batch.add(rule, args, result);
  return batch.deliver(effects);
}

function hasOwnMethods(store: object): boolean {
  for (const key of Object.keys(store)) {
    if (typeof (store as Record<string, unknown>)[key] === 'function') return true;
  }
  return false;
}

/** What an operator reads when Portcullis's tables are missing or behind its version. */
export const MIGRATE_DETAIL =
  "Portcullis's tables are missing or not up to date: run `npx portcullis migrate --database-url <url>`";

/**
 * Runs a storage or key-value call: bounded in time, driver errors translated to `AuthError`
 * (`conflict`, `storage_unavailable`, `schema_not_migrated`).
 */
export async function guard<T>(
  operation: string,
  logger: EventLogger | undefined,
  timeoutMs: number,
  run: () => Promise<T>,
) {
  let timer: NodeJS.Timeout | undefined;
  try {
    if (timeoutMs <= 0) return await run();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AuthError('storage_unavailable', { detail: `storage did not answer in ${timeoutMs} ms` }),
          ),
        timeoutMs,
      );
      timer.unref?.();
    });
    return await Promise.race([run(), timeout]);
  } catch (error) {
    if (isAuthError(error)) throw error;
    const kind = classifyStorageError(error);
    if (kind === 'conflict') throw new AuthError('conflict', { cause: error });
    if (kind === 'schema_missing')
      throw new AuthError('schema_not_migrated', { detail: MIGRATE_DETAIL, cause: error });
    if (kind === 'unavailable') {
      logger?.error('portcullis.storage.unavailable', { operation, error: String(error) });
      throw new AuthError('storage_unavailable', { cause: error });
    }
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

function assertTenantId(value: unknown, operation: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new AuthError('internal_error', { detail: `${operation} called without a tenant id` });
  }
}

/** Whatever a tenant-scoped read returns must carry that tenant's id. */
function assertSameTenant(result: unknown, tenantId: string, operation: string): void {
  const rows: unknown[] = Array.isArray(result)
    ? result
    : result && typeof result === 'object' && Array.isArray((result as { items?: unknown }).items)
      ? (result as { items: unknown[] }).items
      : result
        ? [result]
        : [];
  for (const row of rows) {
    const rowTenant = (row as { tenantId?: unknown }).tenantId;
    if (rowTenant !== undefined && rowTenant !== tenantId) {
      throw new AuthError('internal_error', { detail: `${operation} returned a row of another tenant` });
    }
  }
}
