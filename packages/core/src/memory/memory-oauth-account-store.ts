import type { OAuthAccountStore } from '../credentials/oauth/oauth-account-store.js';
import { AuthError } from '../errors.js';
import { type MemoryTables, pairKey, type RunOperation, type TableWriter } from './memory-tables.js';

/** The OAuth accounts store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryOAuthAccountStore(
  tables: MemoryTables,
  writer: TableWriter,
  run: RunOperation,
): OAuthAccountStore {
  return {
    findByProviderSubject: (provider, subject) =>
      run(() => {
        const id = tables.oauthAccountIdByProviderSubject.get(pairKey(provider, subject));
        const account = id === undefined ? undefined : tables.oauthAccounts.get(id);
        const user = account ? tables.users.get(account.userId) : undefined;
        return account && user ? { account: structuredClone(account), user: structuredClone(user) } : null;
      }),
    create: (account) =>
      run(() => {
        const key = pairKey(account.provider, account.subject);
        if (tables.oauthAccounts.has(account.id) || tables.oauthAccountIdByProviderSubject.has(key)) {
          throw new AuthError('conflict', { cause: new Error('oauth_accounts: (provider, subject) exists') });
        }
        writer.set(tables.oauthAccounts, account.id, structuredClone(account));
        writer.set(tables.oauthAccountIdByProviderSubject, key, account.id);
      }),
    listByUser: (userId) =>
      run(() =>
        [...tables.oauthAccounts.values()]
          .filter((account) => account.userId === userId)
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
          .map((account) => structuredClone(account)),
      ),
    delete: (userId, id) =>
      run(() => {
        const account = tables.oauthAccounts.get(id);
        if (!account || account.userId !== userId) return false;
        writer.delete(tables.oauthAccounts, id);
        writer.delete(tables.oauthAccountIdByProviderSubject, pairKey(account.provider, account.subject));
        return true;
      }),
  };
}
