/** The password credentials slice of the storage port: one argon2id hash per user. */
export interface PasswordStore {
  /** Creates or replaces the user's password hash. */
  upsert(userId: string, hash: string, updatedAt: Date): Promise<void>;
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
