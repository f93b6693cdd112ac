import { AsyncLocalStorage } from 'node:async_hooks';
import type { Storage, StorageStores } from '../ports/storage.js';
import { memoryApiKeyStore } from './memory-api-key-store.js';
import { memoryAuditStore } from './memory-audit-store.js';
import { memoryAuthorizationVersionStore } from './memory-authorization-version-store.js';
import { memoryClientStore } from './memory-client-store.js';
import { memoryCredentialFailureStore } from './memory-credential-failure-store.js';
import { memoryInvitationStore } from './memory-invitation-store.js';
import { memoryMembershipStore } from './memory-membership-store.js';
import { memoryMfaStore } from './memory-mfa-store.js';
import { memoryOAuthAccountStore } from './memory-oauth-account-store.js';
import { memoryOneTimeTokenStore } from './memory-one-time-token-store.js';
import { memoryOutboxStore } from './memory-outbox-store.js';
import { memoryPasskeyStore } from './memory-passkey-store.js';
import { memoryPasswordStore } from './memory-password-store.js';
import { memoryPolicyStore } from './memory-policy-store.js';
import { memoryRateLimitOverrideStore } from './memory-rate-limit-override-store.js';
import { memoryRefreshTokenStore } from './memory-refresh-token-store.js';
import { memoryRevokedAccessTokenStore } from './memory-revoked-access-token-store.js';
import { memoryRoleStore } from './memory-role-store.js';
import { memorySessionStore } from './memory-session-store.js';
import { memorySignInStore } from './memory-sign-in-store.js';
import { memorySigningKeyStore } from './memory-signing-key-store.js';
import { createMemoryTables, type MemoryTables, type RunOperation, TableWriter } from './memory-tables.js';
import { memoryTenantStore } from './memory-tenant-store.js';
import { memoryUserStore } from './memory-user-store.js';

interface OpenTransaction {
  open: boolean;
}

/**
 * Storage held in this process's memory: for tests, examples and trying Portcullis out. It keeps
 * the promises of the port as a database would: unique constraints throw `AuthError('conflict')`,
 * transactions roll back on throw, and stores hand out copies, never the rows they hold.
 *
 * Transactions run one at a time, and a call on the storage itself waits for the open
 * transaction to finish, so every transaction is serializable. Calling the storage (instead of
 * `tx`) inside `transaction()` would wait forever, so it rejects at once instead.
 *
 * @example
 * const auth = createAuth({ storage: memoryStorage(), secret, baseURL })
 */
export function memoryStorage(): Storage {
  const tables = createMemoryTables();
  const mutex = new AsyncMutex();
  const transactions = new AsyncLocalStorage<OpenTransaction>();

  const assertOutsideTransaction = () => {
    if (transactions.getStore()?.open) {
      throw new Error(
        'memoryStorage: inside transaction(), use the `tx` stores (transactions are not re-entrant)',
      );
    }
  };

  const runOutside: RunOperation = async (operation) => {
    assertOutsideTransaction();
    return mutex.run(operation);
  };

  const stores = createMemoryStores(tables, new TableWriter(false), runOutside);

  return {
    ...stores,
    capabilities: { dialect: 'memory', skipLocked: false },
    async transaction<T>(fn: (tx: StorageStores) => Promise<T>): Promise<T> {
      assertOutsideTransaction();
      return mutex.run(async () => {
        const transaction: OpenTransaction = { open: true };
        const writer = new TableWriter(true);
        const runInside: RunOperation = async (operation) => {
          if (!transaction.open) throw new Error('memoryStorage: this transaction has already finished');
          return operation();
        };
        try {
          return await transactions.run(transaction, () => fn(createMemoryStores(tables, writer, runInside)));
        } catch (error) {
          writer.rollback();
          throw error;
        } finally {
          transaction.open = false;
        }
      });
    },
  };
}

/** The store slices over `tables`, writing through `writer`. */
function createMemoryStores(tables: MemoryTables, writer: TableWriter, run: RunOperation): StorageStores {
  return {
    tenants: memoryTenantStore(tables, writer, run),
    users: memoryUserStore(tables, writer, run),
    passwords: memoryPasswordStore(tables, writer, run),
    memberships: memoryMembershipStore(tables, writer, run),
    roles: memoryRoleStore(tables, writer, run),
    policies: memoryPolicyStore(tables, writer, run),
    authorizationVersions: memoryAuthorizationVersionStore(tables, writer, run),
    invitations: memoryInvitationStore(tables, writer, run),
    sessions: memorySessionStore(tables, writer, run),
    audit: memoryAuditStore(tables, writer, run),
    outbox: memoryOutboxStore(tables, writer, run),
    oneTimeTokens: memoryOneTimeTokenStore(tables, writer, run),
    mfa: memoryMfaStore(tables, writer, run),
    credentialFailures: memoryCredentialFailureStore(tables, writer, run),
    passkeys: memoryPasskeyStore(tables, writer, run),
    oauthAccounts: memoryOAuthAccountStore(tables, writer, run),
    signIn: memorySignInStore(tables, run),
    signingKeys: memorySigningKeyStore(tables, writer, run),
    refreshTokens: memoryRefreshTokenStore(tables, writer, run),
    clients: memoryClientStore(tables, writer, run),
    revokedAccessTokens: memoryRevokedAccessTokenStore(tables, writer, run),
    apiKeys: memoryApiKeyStore(tables, writer, run),
    rateLimitOverrides: memoryRateLimitOverrideStore(tables, writer, run),
  };
}

/** Runs tasks one after another, in the order they were queued. */
class AsyncMutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
