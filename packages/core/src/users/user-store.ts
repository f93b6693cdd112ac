import type { CredentialFailures } from '../rate-limit/credential-failure-store.js';
import type { User, UserStatus } from './users.js';

/** A user together with the password hash, read in one query for sign-in. */
export interface UserWithPassword {
  user: User;
  /** Null when the user has no password (passwordless accounts). */
  passwordHash: string | null;
  /**
   * The credential-failure record whose key was passed (`failureKey`), or null when there is
   * none or no key was passed.
   */
  failures: CredentialFailures | null;
  /**
   * Whether the user has a second factor: a confirmed TOTP authenticator or a passkey. Read in
   * the same statement, so a sign-in of a user without one needs no further query to know it.
   */
  hasSecondFactor: boolean;
}

/** The users slice of the storage port. Emails are unique per pool (`tenantId` or shared). */
export interface UserStore {
  /**
   * Inserts a user. Throws a conflict when another user of the same pool has the same
   * normalized email: of concurrent creations with one email, exactly one succeeds.
   */
  create(user: User): Promise<void>;
  findById(id: string): Promise<User | null>;
  /** The user of the pool (`tenantId` null = shared pool) with this normalized email, or null. */
  findByEmail(tenantId: string | null, normalizedEmail: string): Promise<User | null>;
  /**
   * Like `findByEmail`, joined in the same query with the password credential and, when
   * `failureKey` is given, with the credential-failure record of that key (sign-in reads the
   * account's lockout state without a statement of its own).
   */
  findByEmailWithPassword(
    tenantId: string | null,
    normalizedEmail: string,
    failureKey?: string,
  ): Promise<UserWithPassword | null>;
  /** Sets the status; returns the updated user or null when absent. */
  updateStatus(id: string, status: UserStatus, updatedAt: Date): Promise<User | null>;
  /**
   * Sets `emailVerifiedAt` (and `updatedAt`) to `verifiedAt`, in one conditional UPDATE, only
   * when the user's email is still exactly `email` and not verified yet. Returns whether this
   * call verified it (of concurrent callers at most one does).
   */
  markEmailVerified(id: string, email: string, verifiedAt: Date): Promise<boolean>;
}
