import type { OneTimeToken, OneTimeTokenPurpose } from './one-time-tokens.js';

/** The one-time tokens slice of the storage port. */
export interface OneTimeTokenStore {
  /** Inserts a token. Throws a conflict when the id or the token hash exists. */
  create(token: OneTimeToken): Promise<void>;
  /** The token with this hash, whatever its purpose, expiry or use; or null. */
  findByTokenHash(tokenHash: string): Promise<OneTimeToken | null>;
  /**
   * Uses the token, in ONE conditional UPDATE: `usedAt` is set to `now` only when it is still
   * null and `expiresAt` is after `now`. Returns the token as this call left it, or null when it
   * could not be used (absent, used, expired). Of 20 concurrent callers exactly one gets it.
   */
  consume(id: string, now: Date): Promise<OneTimeToken | null>;
  /**
   * Uses up every unused token of the user for `purpose` (sets `usedAt` = `now`), so that older
   * links die when a newer one did its job. Returns how many it used up.
   */
  expireUnused(userId: string, purpose: OneTimeTokenPurpose, now: Date): Promise<number>;
}
