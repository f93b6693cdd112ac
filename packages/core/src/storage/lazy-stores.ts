import type { StorageStores } from '../ports/storage.js';

/** Every store of {@link StorageStores}, by name (the type checks the list is complete). */
const STORE_NAME_SET: Record<keyof StorageStores, true> = {
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
  signIn: true,
  signingKeys: true,
  refreshTokens: true,
  clients: true,
  revokedAccessTokens: true,
  apiKeys: true,
  rateLimitOverrides: true,
};

/** The names of the stores of {@link StorageStores}. */
export const STORE_NAMES = Object.keys(STORE_NAME_SET) as readonly (keyof StorageStores)[];

const MAKE = Symbol('make');
const MADE = Symbol('made');

class LazyStores {
  readonly [MADE]: Partial<Record<keyof StorageStores, object>> = {};
  readonly [MAKE]: (name: keyof StorageStores) => object;
  constructor(make: (name: keyof StorageStores) => object) {
    this[MAKE] = make;
  }
}
// the getters live on the prototype, defined once: making a set of stores costs one small object,
// not sixteen properties (a transaction's stores are made, and dropped, on every call)
for (const name of STORE_NAMES) {
  Object.defineProperty(LazyStores.prototype, name, {
    get(this: LazyStores) {
      return (this[MADE][name] ??= this[MAKE](name));
    },
  });
}

/**
 * Stores made on first use by `make(name)` and then kept: for a transaction's stores, of which
 * a call touches two or three. The stores are read by name (`tx.sessions`); they are not own
 * properties, so spreading the object (`{ ...tx }`) or listing its keys finds none of them.
 *
 * @example
 * async transaction(fn) {
 *   return db.transaction().execute((trx) => fn(lazyStores((name) => new STORES[name](trx))))
 * }
 */
export function lazyStores(make: (name: keyof StorageStores) => object): StorageStores {
  return new LazyStores(make) as unknown as StorageStores;
}

/**
 * The methods of a store, own and inherited (a class's methods are on its prototype): what a
 * wrapper around the store must forward.
 */
export function storeMethodNames(store: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = store; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (key !== 'constructor' && typeof (store as Record<string, unknown>)[key] === 'function')
        names.add(key);
    }
  }
  return [...names];
}
