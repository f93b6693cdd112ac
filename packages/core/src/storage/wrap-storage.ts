import type { AuthorizationChange } from '../authorization/authorization-cache.js';
import { AuthError, isAuthError } from '../errors.js';
import type { Logger } from '../ports/logger.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import { classifyStorageError } from './classify-storage-error.js';
import { lazyStores, STORE_NAMES, storeMethodNames } from './lazy-stores.js';

const WRAPPED = Symbol.for('portcullis.wrappedStorage');

/** Store methods whose first argument is a tenant id: it must be a non-empty string. */
const TENANT_FIRST_ARG: Record<string, readonly string[]> = {
  memberships: ['find', 'listByTenant', 'updateRoles', 'updateAttributes', 'remove', 'countWithRole'],
  roles: ['listByTenant', 'findByKey', 'findById', 'update', 'delete'],
  policies: ['findById', 'listByTenant', 'replace', 'delete'],
  authorizationVersions: ['getVersions', 'bumpRolesVersion', 'bumpPoliciesVersion'],
  invitations: ['listByTenant', 'revoke'],
  sessions: ['revokeAllForTenant', 'revokeAllForTenantMember'],
};

/**
 * Writes that can change an authorization decision, and what they change: a version bump is a
 * change of the tenant's roles or policies, a membership write one member's standing.
 */
const AUTHORIZATION_WRITES: Record<string, Record<string, (args: unknown[]) => AuthorizationChange>> = {
  authorizationVersions: {
    bumpRolesVersion: ([tenantId]) => ({ tenantId: tenantId as string }),
    bumpPoliciesVersion: ([tenantId]) => ({ tenantId: tenantId as string }),
  },
  memberships: {
    updateRoles: ([tenantId, userId]) => ({ tenantId: tenantId as string, userId: userId as string }),
    updateAttributes: ([tenantId, userId]) => ({ tenantId: tenantId as string, userId: userId as string }),
    remove: ([tenantId, userId]) => ({ tenantId: tenantId as string, userId: userId as string }),
  },
};

export interface WrapStorageOptions {
  logger?: Logger;
  /** Give up on a storage call after this long and answer `storage_unavailable` (default 10 s). */
  timeoutMs?: number;
  /**
   * Called with the writes that can change an authorization decision once they are durable:
   * after the call for a write outside a transaction, after the commit for writes inside one
   * (never for a transaction that rolled back). Caches of decisions evict on it.
   */
  onAuthorizationChange?: (changes: AuthorizationChange[]) => void;
}

/**
 * Wraps an adapter once: translates driver errors to `AuthError` (`conflict`,
 * `storage_unavailable`), bounds every call in time, checks that tenant-scoped calls name a
 * tenant and that what comes back belongs to it. Adapters stay thin; this is tested once.
 */
export function wrapStorage(storage: Storage, options: WrapStorageOptions = {}): Storage {
  if ((storage as { [WRAPPED]?: boolean })[WRAPPED]) return storage;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const report = options.onAuthorizationChange;
  const stores = wrapStores(storage, {
    logger: options.logger,
    timeoutMs,
    onAuthorizationChange: report && ((change) => report([change])),
  });
  const wrapped = {
    [WRAPPED]: true as const,
    capabilities: storage.capabilities,
    // bounded as a whole: a pool that never hands out a connection must not hang the request
    async transaction(fn) {
      const changes: AuthorizationChange[] = [];
      const result = await guard('transaction', options.logger, timeoutMs, () =>
        storage.transaction((tx) =>
          fn(
            wrapStores(tx, {
              logger: options.logger,
              timeoutMs: 0,
              onAuthorizationChange: report && ((change) => changes.push(change)),
            }),
          ),
        ),
      );
      if (report && changes.length > 0) report(changes);
      return result;
    },
    close: storage.close ? () => storage.close!() : undefined,
  } satisfies Omit<Storage, keyof StorageStores> & { [WRAPPED]: true };
  defineOwnStores(wrapped, stores);
  return wrapped as typeof wrapped & StorageStores;
}

/** What every wrapped store method of one storage (or one transaction) shares. */
interface Wrapping {
  logger: Logger | undefined;
  timeoutMs: number;
  onAuthorizationChange?: (change: AuthorizationChange) => void;
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
  for (const method of methods) {
    const operation = `${name}.${method}`;
    const tenantChecked = TENANT_FIRST_ARG[name]?.includes(method) ?? false;
    const authorizationChange = AUTHORIZATION_WRITES[name]?.[method];
    prototype[method] = async function (this: WrappedStore, ...args: unknown[]) {
      const { target, wrapping } = this[STATE];
      if (tenantChecked) assertTenantId(args[0], operation);
      const result = await guard(operation, wrapping.logger, wrapping.timeoutMs, async () => {
        const result = await target[method]!(...args);
        if (tenantChecked) assertSameTenant(result, args[0] as string, operation);
        return result;
      });
      if (authorizationChange) wrapping.onAuthorizationChange?.(authorizationChange(args));
      return result;
    };
  }
  return prototype;
}

function hasOwnMethods(store: object): boolean {
  for (const key of Object.keys(store)) {
    if (typeof (store as Record<string, unknown>)[key] === 'function') return true;
  }
  return false;
}

/**
 * Runs a storage or key-value call: bounded in time, driver errors translated to `AuthError`.
 */
export async function guard<T>(
  operation: string,
  logger: Logger | undefined,
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
    if (kind === 'unavailable') {
      logger?.error('storage unavailable', { operation, error: String(error) });
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
