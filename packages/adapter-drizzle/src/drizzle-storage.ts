import type { Storage, StorageCapabilities, StorageStores } from '@portcullis/core/ports';
import type { MySqlDatabase } from 'drizzle-orm/mysql-core';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { type DrizzleDatabase, type DrizzleDialect, detectDialect } from './drizzle-dialect.js';
import { portcullisTables as mysqlTables } from './mysql/tables.js';
import { mysqlSupportsSkipLocked } from './mysql-server-check.js';
import { portcullisTables as pgTables } from './pg/tables.js';
import { portcullisTables as sqliteTables } from './sqlite/tables.js';
import { runSqliteTransaction, sqliteConnectionQueue } from './sqlite-transaction.js';
import { DrizzleApiKeyStore } from './stores/api-key-store.js';
import { DrizzleAuditStore } from './stores/audit-store.js';
import { DrizzleAuthorizationVersionStore } from './stores/authorization-version-store.js';
import { DrizzleClientStore } from './stores/client-store.js';
import { DrizzleCredentialFailureStore } from './stores/credential-failure-store.js';
import { DrizzleInvitationStore } from './stores/invitation-store.js';
import { DrizzleMembershipStore } from './stores/membership-store.js';
import { DrizzleMfaStore } from './stores/mfa-store.js';
import { DrizzleOAuthAccountStore } from './stores/oauth-account-store.js';
import { DrizzleOneTimeTokenStore } from './stores/one-time-token-store.js';
import { DrizzleOutboxStore } from './stores/outbox-store.js';
import { DrizzlePasskeyStore } from './stores/passkey-store.js';
import { DrizzlePasswordStore } from './stores/password-store.js';
import { DrizzlePolicyStore } from './stores/policy-store.js';
import { DrizzleRateLimitOverrideStore } from './stores/rate-limit-override-store.js';
import { DrizzleRefreshTokenStore } from './stores/refresh-token-store.js';
import { DrizzleRevokedAccessTokenStore } from './stores/revoked-access-token-store.js';
import { DrizzleRoleStore } from './stores/role-store.js';
import { DrizzleSessionStore } from './stores/session-store.js';
import { DrizzleSignInStore } from './stores/sign-in-store.js';
import { DrizzleSigningKeyStore } from './stores/signing-key-store.js';
import type { QueryDb, StoreContext, Tables } from './stores/store-context.js';
import { DrizzleTenantStore } from './stores/tenant-store.js';
import { DrizzleUserStore } from './stores/user-store.js';
import { resolveTablePrefix } from './table-prefix.js';

export interface DrizzleStorageOptions {
  /** Prefix of every Portcullis table; must match the one the migrations ran with. Default `pc_`. */
  tablePrefix?: string;
  /** Detected from the database's class when omitted. */
  dialect?: DrizzleDialect;
}

/**
 * Portcullis storage on a Drizzle database the host app owns: PostgreSQL (node-postgres),
 * MySQL/MariaDB (mysql2) or SQLite (better-sqlite3). Create the tables first, with
 * `portcullis migrate` (or migrations of the app's own generated from the tables of
 * `@portcullis/adapter-drizzle/pg`, `/mysql` or `/sqlite`). The adapter never closes `db`.
 *
 * The app's schema plays no part: the adapter queries its own table objects, built for
 * `tablePrefix`, so `db` may have been created with or without a schema.
 *
 * On MySQL, `capabilities.skipLocked` is confirmed from the server version on the first call.
 * On SQLite, the adapter opens its transactions itself (Drizzle's better-sqlite3 transactions
 * are synchronous) and queues its calls on the connection; see the adapter's guide.
 *
 * @example
 * import { createAuth } from '@portcullis/core'
 * import { drizzleStorage } from '@portcullis/adapter-drizzle'
 * import { drizzle } from 'drizzle-orm/node-postgres'
 *
 * const db = drizzle(process.env.DATABASE_URL!)
 * const auth = createAuth({ storage: drizzleStorage(db), secret, baseURL })
 */
export function drizzleStorage(db: DrizzleDatabase, options: DrizzleStorageOptions = {}): Storage {
  const dialect = options.dialect ?? detectDialect(db);
  const prefix = resolveTablePrefix(options.tablePrefix);
  const capabilities: StorageCapabilities = { dialect, skipLocked: dialect !== 'sqlite' };
  const base = { dialect, tables: tablesFor(dialect, prefix), capabilities };

  if (dialect === 'sqlite') {
    const sqliteDb = db as BaseSQLiteDatabase<'sync', unknown>;
    if ((sqliteDb as unknown as { resultKind?: string }).resultKind === 'async') {
      throw new Error(
        '@portcullis/adapter-drizzle: SQLite is supported on synchronous drivers (better-sqlite3); this database is asynchronous',
      );
    }
    const queue = sqliteConnectionQueue(sqliteDb);
    const context = (inTransaction: boolean): StoreContext => ({
      ...base,
      db: db as unknown as QueryDb,
      inTransaction,
      transaction: (fn) =>
        inTransaction ? fn(context(true)) : runSqliteTransaction(sqliteDb, () => fn(context(true))),
    });
    return {
      ...aroundEachMethod(createStores(context(false)), (call) => queue.run(call)),
      capabilities,
      transaction: (fn) =>
        queue.run(() => runSqliteTransaction(sqliteDb, () => fn(createStores(context(true))))),
    };
  }

  // PostgreSQL and MySQL: Drizzle's transactions take a pooled connection of their own
  type PooledDb = PgDatabase<never> | MySqlDatabase<never, never>;
  const context = (current: QueryDb, inTransaction: boolean): StoreContext => ({
    ...base,
    db: current,
    inTransaction,
    transaction: (fn, isolation) =>
      inTransaction
        ? fn(context(current, true))
        : (current as unknown as PooledDb).transaction(
            (tx: unknown) => fn(context(tx as QueryDb, true)),
            isolation ? { isolationLevel: isolation } : undefined,
          ),
  });
  const transaction = <T>(fn: (tx: StorageStores) => Promise<T>): Promise<T> =>
    context(db as unknown as QueryDb, false).transaction((ctx) => fn(createStores(ctx)));
  const stores = createStores(context(db as unknown as QueryDb, false));
  if (dialect === 'postgres') return { ...stores, capabilities, transaction };

  let serverChecked: Promise<void> | undefined;
  const ready = () => {
    serverChecked ??= mysqlSupportsSkipLocked(db as MySqlDatabase<never, never>).then(
      (skipLocked) => {
        capabilities.skipLocked = skipLocked;
      },
      (error: unknown) => {
        serverChecked = undefined; // a lost connection is worth another try later
        throw error;
      },
    );
    return serverChecked;
  };
  return {
    ...aroundEachMethod(stores, async (call) => {
      await ready();
      return call();
    }),
    capabilities,
    async transaction(fn) {
      await ready();
      return transaction(fn);
    },
  };
}

function tablesFor(dialect: DrizzleDialect, prefix: string): Tables {
  // the stores are typed with the PostgreSQL tables: the three sets share keys and JS types
  if (dialect === 'mysql') return mysqlTables(prefix) as unknown as Tables;
  if (dialect === 'sqlite') return sqliteTables(prefix) as unknown as Tables;
  return pgTables(prefix);
}

function createStores(context: StoreContext): StorageStores {
  return {
    tenants: new DrizzleTenantStore(context),
    users: new DrizzleUserStore(context),
    passwords: new DrizzlePasswordStore(context),
    memberships: new DrizzleMembershipStore(context),
    roles: new DrizzleRoleStore(context),
    policies: new DrizzlePolicyStore(context),
    authorizationVersions: new DrizzleAuthorizationVersionStore(context),
    invitations: new DrizzleInvitationStore(context),
    oneTimeTokens: new DrizzleOneTimeTokenStore(context),
    sessions: new DrizzleSessionStore(context),
    audit: new DrizzleAuditStore(context),
    mfa: new DrizzleMfaStore(context),
    credentialFailures: new DrizzleCredentialFailureStore(context),
    passkeys: new DrizzlePasskeyStore(context),
    oauthAccounts: new DrizzleOAuthAccountStore(context),
    clients: new DrizzleClientStore(context),
    outbox: new DrizzleOutboxStore(context),
    signIn: new DrizzleSignInStore(context),
    signingKeys: new DrizzleSigningKeyStore(context),
    refreshTokens: new DrizzleRefreshTokenStore(context),
    revokedAccessTokens: new DrizzleRevokedAccessTokenStore(context),
    apiKeys: new DrizzleApiKeyStore(context),
    rateLimitOverrides: new DrizzleRateLimitOverrideStore(context),
  };
}

/** The same stores, each method call run through `around` (a queue, or a readiness check). */
function aroundEachMethod(
  stores: StorageStores,
  around: (call: () => Promise<unknown>) => Promise<unknown>,
): StorageStores {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, store] of Object.entries(stores) as [string, object][]) {
    const wrapped: Record<string, unknown> = {};
    for (const method of Object.getOwnPropertyNames(Object.getPrototypeOf(store))) {
      const fn = (store as Record<string, unknown>)[method];
      if (method === 'constructor' || typeof fn !== 'function') continue;
      wrapped[method] = (...args: unknown[]) => around(() => fn.apply(store, args));
    }
    out[name] = wrapped;
  }
  return out as unknown as StorageStores;
}
