/**
 * The durable record of an account's consecutive credential failures (passwords, TOTP codes,
 * recovery codes): what the lockout falls back on when the key-value store forgot its counters.
 */
export interface CredentialFailures {
  /** Consecutive failures since the last success, or since the record last lapsed. */
  count: number;
  lastFailedAt: Date;
}

/**
 * The credential-failures slice of the storage port, keyed by `accountKey`: an opaque keyed hash
 * of the account identifier the caller typed (never an email in clear; unknown accounts have
 * records too, so they behave exactly like known ones).
 */
export interface CredentialFailureStore {
  /** The account's record, or null when it has none. */
  find(accountKey: string): Promise<CredentialFailures | null>;
  /**
   * Records one failure in a single atomic statement and returns the new count: creates the
   * record with 1, adds 1, or, when its last failure is older than `lapsedBefore`, starts over at
   * 1; `lastFailedAt` becomes `failedAt`. Of N concurrent calls on a key without a record the
   * counts returned are exactly 1..N, each once.
   */
  recordFailure(accountKey: string, failedAt: Date, lapsedBefore: Date): Promise<number>;
  /** Deletes the account's record (a success). Returns whether there was one. */
  clear(accountKey: string): Promise<boolean>;
  /** Deletes every record whose last failure is older than `before`; returns how many. */
  deleteLapsed(before: Date): Promise<number>;
}
