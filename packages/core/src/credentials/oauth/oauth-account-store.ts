import type { OAuthAccount, OAuthAccountWithUser } from './oauth.js';

/**
 * The OAuth accounts slice of the storage port. An account is unique by (provider, subject): one
 * person at one provider belongs to at most one user.
 *
 * @example
 * const found = await storage.oauthAccounts.findByProviderSubject('google', claims.sub)
 * if (found) signIn(found.user)
 */
export interface OAuthAccountStore {
  /** The account of this (provider, subject) with its user, read in one query; null when absent. */
  findByProviderSubject(provider: string, subject: string): Promise<OAuthAccountWithUser | null>;
  /**
   * Inserts an account. Throws a conflict when (provider, subject) is already linked, to this
   * user or another: of concurrent creations of one (provider, subject) exactly one succeeds.
   */
  create(account: OAuthAccount): Promise<void>;
  /** Every account of the user, oldest first. */
  listByUser(userId: string): Promise<OAuthAccount[]>;
  /** Deletes the account `id` only if it belongs to `userId`; returns whether one was deleted. */
  delete(userId: string, id: string): Promise<boolean>;
}
