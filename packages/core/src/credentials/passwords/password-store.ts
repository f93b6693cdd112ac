/** The password credentials slice of the storage port: one argon2id hash per user. */
export interface PasswordStore {
  /** Creates or replaces the user's password hash. */
  upsert(userId: string, hash: string, updatedAt: Date): Promise<void>;
  /**
   * Deletes the user's password hash; returns whether there was one. The first proof of an
   * address removes a password set before it (`claimAddress`), on the caller's transaction.
   */
  delete(userId: string): Promise<boolean>;
  /** The user's password hash, or null. */
  findHash(userId: string): Promise<string | null>;
  /**
   * Replaces the hash only if it still equals `expectedHash` (rehash on login must not
   * overwrite a password changed concurrently). Returns whether it was replaced.
   */
  replaceIfUnchanged(
    userId: string,
    expectedHash: string,
    newHash: string,
    updatedAt: Date,
  ): Promise<boolean>;
}
