import type { AuthorizationChange } from '../authorization/authorization-cache.js';
import { AuthError, isAuthError } from '../errors.js';
import type { Logger } from '../ports/logger.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import { classifyStorageError } from './classify-storage-error.js';

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
  const stores = wrapStores(storage, options.logger, timeoutMs, report && ((change) => report([change])));
  const wrapped: Storage & { [WRAPPED]: true } = {
    ...stores,
    [WRAPPED]: true,
    capabilities: storage.capabilities,
    // bounded as a whole: a pool that never hands out a connection must not hang the request
    async transaction(fn) {
      const changes: AuthorizationChange[] = [];
      const result = await guard('transaction', options.logger, timeoutMs, () =>
        storage.transaction((tx) =>
          fn(wrapStores(tx, options.logger, 0, report && ((change) => changes.push(change)))),
        ),
      );
      if (report && changes.length > 0) report(changes);
      return result;
    },
    close: storage.close ? () => storage.close!() : undefined,
  };
  return wrapped;
}

function wrapStores(
  stores: StorageStores,
  logger: Logger | undefined,
  timeoutMs: number,
  onAuthorizationChange?: (change: AuthorizationChange) => void,
): StorageStores {
  const out = {} as Record<string, unknown>;
  for (const name of Object.keys(STORE_NAMES) as (keyof StorageStores)[]) {
    // wrapped on first use: a transaction touches a few of the stores, and runs on hot paths
    let wrapped: Record<string, unknown> | undefined;
    Object.defineProperty(out, name, {
      enumerable: true,
      get: () => (wrapped ??= wrapStore(name, stores[name], logger, timeoutMs, onAuthorizationChange)),
    });
  }
  return out as unknown as StorageStores;
}

function wrapStore(
  name: keyof StorageStores,
  target: StorageStores[keyof StorageStores],
  logger: Logger | undefined,
  timeoutMs: number,
  onAuthorizationChange?: (change: AuthorizationChange) => void,
): Record<string, unknown> {
  const store = target as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const wrappedStore: Record<string, unknown> = {};
  for (const method of methodNames(store)) {
    const fn = store[method]!.bind(store);
    const tenantChecked = TENANT_FIRST_ARG[name]?.includes(method) ?? false;
    const authorizationChange = onAuthorizationChange && AUTHORIZATION_WRITES[name]?.[method];
    wrappedStore[method] = async (...args: unknown[]) => {
      if (tenantChecked) assertTenantId(args[0], `${name}.${method}`);
      const result = await guard(`${name}.${method}`, logger, timeoutMs, async () => {
        const result = await fn(...args);
        if (tenantChecked) assertSameTenant(result, args[0] as string, `${name}.${method}`);
        return result;
      });
      if (authorizationChange) onAuthorizationChange(authorizationChange(args));
      return result;
    };
  }
  return wrappedStore;
}

const STORE_NAMES: Record<keyof StorageStores, true> = {
  tenants: true,
  users: true,
  passwords: true,
  memberships: true,
  roles: true,
  policies: true,
  authorizationVersions: true,
  invitations: true,
  sessions: true,
  audit: true,
  outbox: true,
  oneTimeTokens: true,
  mfa: true,
  credentialFailures: true,
  passkeys: true,
  oauthAccounts: true,
};

function methodNames(store: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = store; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (key !== 'constructor' && typeof (store as Record<string, unknown>)[key] === 'function')
        names.add(key);
    }
  }
  return [...names];
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
