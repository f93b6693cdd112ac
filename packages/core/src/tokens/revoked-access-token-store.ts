/**
 * One access token denied before its expiry (by its `jti`): what `POST /oauth/revoke` and
 * `auth.api.revokeAccessToken` write. The key-value store answers every verification; this row
 * is what the database knows when that store is down or lost its entries.
 */
export interface RevokedAccessToken {
  /** The token's `jti`. */
  tokenId: string;
  /** The token's `exp`: after it, the row denies nothing a verification would accept anyway. */
  expiresAt: Date;
  revokedAt: Date;
}

/** The revoked-access-tokens slice of the storage port. */
export interface RevokedAccessTokenStore {
  /**
   * Records the revocation. Revoking a token already recorded changes nothing and does not throw:
   * of concurrent revocations of one token, every caller succeeds and one row remains.
   */
  add(revoked: RevokedAccessToken): Promise<void>;
  /** True when the token with this `jti` is recorded as revoked and its `expiresAt` is after `now`. */
  isRevoked(tokenId: string, now: Date): Promise<boolean>;
}
