import type { RecoveryCode, TotpCredential } from './mfa.js';

/**
 * The second-factor slice of the storage port: one TOTP authenticator per user and their
 * recovery codes. The single-use promises (a TOTP step, a recovery code) hold under concurrency:
 * each is one conditional write, and of concurrent callers exactly one sees `true`.
 *
 * @example
 * const step = verifyTotpCode(secret, code, now)
 * if (step !== null && (await tx.mfa.claimTotpStep(userId, step, now))) // accepted, once
 */
export interface MfaStore {
  /** The user's authenticator, pending or confirmed, or null. */
  findTotp(userId: string): Promise<TotpCredential | null>;
  /**
   * Inserts an authenticator. Throws a conflict when the user already has one (pending or
   * confirmed): remove a pending one first with {@link MfaStore.deletePendingTotp}.
   */
  createTotp(credential: TotpCredential): Promise<void>;
  /** Deletes the user's authenticator only if it is not confirmed; returns whether one was. */
  deletePendingTotp(userId: string): Promise<boolean>;
  /**
   * Confirms a pending authenticator with the step of its first code: sets `confirmedAt` and
   * `lastUsedStep = step` in one conditional write, only while it is unconfirmed. Returns true
   * for the one caller that confirmed it; false when absent or already confirmed.
   */
  confirmTotp(userId: string, step: number, confirmedAt: Date): Promise<boolean>;
  /**
   * Claims a time step of a confirmed authenticator: one conditional write
   * `SET last_used_step = step WHERE user_id = ? AND confirmed_at IS NOT NULL AND
   * (last_used_step IS NULL OR last_used_step < step)`. True for the caller whose write hit a row;
   * of concurrent claims of one step exactly one wins, and a step at or before the last used
   * one is never claimed again.
   */
  claimTotpStep(userId: string, step: number, at: Date): Promise<boolean>;
  /** Deletes the user's authenticator, confirmed or not; returns whether there was one. */
  deleteTotp(userId: string): Promise<boolean>;
  /**
   * Deletes every recovery code of the user and inserts `codes` (all of this user), as one
   * atomic change when called inside a transaction.
   */
  replaceRecoveryCodes(userId: string, codes: RecoveryCode[]): Promise<void>;
  /**
   * Marks the unused code of this user with this hash used: one conditional write
   * (`WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`). True for the one caller that
   * marked it; false when absent, another user's, or already used (also under concurrency).
   */
  useRecoveryCode(userId: string, codeHash: string, usedAt: Date): Promise<boolean>;
  /** How many of the user's recovery codes are not used yet. */
  countUnusedRecoveryCodes(userId: string): Promise<number>;
  /** Deletes every recovery code of the user; returns how many. */
  deleteRecoveryCodes(userId: string): Promise<number>;
}
