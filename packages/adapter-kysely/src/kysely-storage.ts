import {
  lazyStores,
  STORE_NAMES,
  type Storage,
  type StorageCapabilities,
  type StorageStores,
  storeMethodNames,
} from '@portcullis/core/ports';
import type { Kysely } from 'kysely';
import { createColumnCodec } from './column-codec.js';
import { checkMysqlServer } from './mysql-server-check.js';
import { detectDialect, type SqlDialect } from './sql-dialect.js';
import { KyselyApiKeyStore } from './stores/api-key-store.js';
import { KyselyAuditStore } from './stores/audit-store.js';
import { KyselyAuthorizationVersionStore } from './stores/authorization-version-store.js';
import { KyselyClientStore } from './stores/client-store.js';
import { KyselyCredentialFailureStore } from './stores/credential-failure-store.js';
import { KyselyInvitationStore } from './stores/invitation-store.js';
import { KyselyMembershipStore } from './stores/membership-store.js';
import { KyselyMfaStore } from './stores/mfa-store.js';
import { KyselyOAuthAccountStore } from './stores/oauth-account-store.js';
import { KyselyOneTimeTokenStore } from './stores/one-time-token-store.js';
import { KyselyOutboxStore } from './stores/outbox-store.js';
import { KyselyPasskeyStore } from './stores/passkey-store.js';
import { KyselyPasswordStore } from './stores/password-store.js';
import { KyselyPolicyStore } from './stores/policy-store.js';
import { KyselyRateLimitOverrideStore } from './stores/rate-limit-override-store.js';
import { KyselyRefreshTokenStore } from './stores/refresh-token-store.js';
import { KyselyRevokedAccessTokenStore } from './stores/revoked-access-token-store.js';
import { KyselyRoleStore } from './stores/role-store.js';
import { KyselySessionStore } from './stores/session-store.js';
import { KyselySignInStore } from './stores/sign-in-store.js';
import { KyselySigningKeyStore } from './stores/signing-key-store.js';
import { type StoreContext, tableNames } from './stores/store-context.js';

import { KyselyTenantStore } from './stores/tenant-store.js';
import { KyselyUserStore } from './stores/user-store.js';
import { runWriteBehindTransaction } from './stores/write-behind.js';
import { resolveTablePrefix } from './table-prefix.js';

export interface KyselyStorageOptions {
  /** Prefix of every Portcullis table; must match the one the migrations ran with. Default `pc_`. */
  tablePrefix?: string;
  /** Detected from the Kysely instance's adapter when omitted. */
  dialect?: SqlDialect;
}

/**
 * Portcullis storage on a Kysely instance the host app owns: PostgreSQL (pg or PGlite),
 * MySQL/MariaDB (mysql2) or SQLite (better-sqlite3). Run {@link migrate} first. The adapter
 * never closes `db`.
 *
 * On MySQL the mysql2 pool must read DATETIME as UTC (`timezone: 'Z'`, as
 * `createKyselyFromUrl` configures it); the first call checks and fails with `config_invalid`
 * otherwise. `capabilities.skipLocked` is confirmed from the server version on that first call.
 *
 * @example
 * import { createAuth } from '@portcullis/core'
 * import { kyselyStorage, migrate } from '@portcullis/adapter-kysely'
 * import { Kysely, PostgresDialect } from 'kysely'
 * import pg from 'pg'
 *
 * const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString }) }) })
 * await migrate(db, { direction: 'up' })
 * const auth = createAuth({ storage: kyselyStorage(db), secret, baseURL })
 */
// biome-ignore lint/suspicious/noExplicitAny: any schema: Portcullis names its tables at run time
export function kyselyStorage(db: Kysely<any>, options: KyselyStorageOptions = {}): Storage {
  const dialect = options.dialect ?? detectDialect(db);
  const capabilities: StorageCapabilities = { dialect, skipLocked: dialect !== 'sqlite' };
  const context: StoreContext = {
    db,
    dialect,
    codec: createColumnCodec(dialect),
    tables: tableNames(resolveTablePrefix(options.tablePrefix)),
    capabilities,
  };

  let serverChecked: Promise<void> | undefined;
  const ready =
    dialect === 'mysql'
      ? () => {
          serverChecked ??= checkMysqlServer(db).then(
            (facts) => {
              capabilities.skipLocked = facts.skipLocked;
            },
            (error: unknown) => {
              serverChecked = undefined; // a lost connection is worth another try later
              throw error;
            },
          );
          return serverChecked;
        }
      : undefined;

  const stores = createStores(context);
  return {
    ...(ready ? afterReady(stores, ready) : stores),
    capabilities,
    async transaction<T>(fn: (tx: StorageStores) => Promise<T>): Promise<T> {
      await ready?.();
      if (dialect === 'postgres') return runWriteBehindTransaction(context, createTransactionStores, fn);
      return db.transaction().execute((trx) => fn(createTransactionStores({ ...context, db: trx })));
    },
  };
}

const STORE_CLASSES: { [K in keyof StorageStores]: new (context: StoreContext) => StorageStores[K] } = {
  tenants: KyselyTenantStore,
  users: KyselyUserStore,
  passwords: KyselyPasswordStore,
  memberships: KyselyMembershipStore,
  roles: KyselyRoleStore,
  policies: KyselyPolicyStore,
  authorizationVersions: KyselyAuthorizationVersionStore,
  invitations: KyselyInvitationStore,
  sessions: KyselySessionStore,
  audit: KyselyAuditStore,
  outbox: KyselyOutboxStore,
  oneTimeTokens: KyselyOneTimeTokenStore,
  mfa: KyselyMfaStore,
  credentialFailures: KyselyCredentialFailureStore,
  passkeys: KyselyPasskeyStore,
  oauthAccounts: KyselyOAuthAccountStore,
  signIn: KyselySignInStore,
  signingKeys: KyselySigningKeyStore,
  refreshTokens: KyselyRefreshTokenStore,
  clients: KyselyClientStore,
  revokedAccessTokens: KyselyRevokedAccessTokenStore,
  apiKeys: KyselyApiKeyStore,
  rateLimitOverrides: KyselyRateLimitOverrideStore,
};

/** Every store, made now: the storage's own, long-lived stores. */
function createStores(context: StoreContext): StorageStores {
  const stores = {} as Record<keyof StorageStores, object>;
  for (const name of STORE_NAMES) stores[name] = new STORE_CLASSES[name](context);
  return stores as StorageStores;
}

/** A transaction's stores, each made on first use: a transaction touches two or three. */
function createTransactionStores(context: StoreContext): StorageStores {
  return lazyStores((name) => new STORE_CLASSES[name](context));
}

/** The same stores, each method first awaiting `ready` (a no-op once it has resolved). */
function afterReady(stores: StorageStores, ready: () => Promise<void>): StorageStores {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, store] of Object.entries(stores) as [string, object][]) {
    const guarded: Record<string, unknown> = {};
    for (const method of storeMethodNames(store)) {
      const fn = (store as Record<string, (...args: unknown[]) => unknown>)[method]!;
      guarded[method] = async (...args: unknown[]) => {
        await ready();
        return fn.apply(store, args);
      };
    }
    out[name] = guarded;
  }
  return out as unknown as StorageStores;
}
