import type { CredentialFailures } from '../rate-limit/index.js';
import type { User } from '../users/users.js';

/** An account as a password sign-in reads it, in one query. */
export interface SignInAccount {
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

/** The second factors a user has, as one read sees them. */
export interface SecondFactors {
  /** A confirmed TOTP authenticator (a pending one is not a factor yet). */
  totp: boolean;
  /** At least one recovery code not used yet. */
  recoveryCodes: boolean;
  /** At least one passkey. */
  passkeys: boolean;
}

/**
 * The sign-in slice of the storage port: the reads that decide how a sign-in ends. Both are on
 * the sign-in path, so each is one statement.
 */
export interface SignInStore {
  /**
   * The user of the pool (`tenantId` null = shared pool) with this normalized email, joined in
   * the same query with the password credential, whether a second factor exists and, when
   * `failureKey` is given, the credential-failure record of that key (sign-in reads the
   * account's lockout state without a statement of its own). Null when no such user exists.
   */
  findAccountByEmail(
    tenantId: string | null,
    normalizedEmail: string,
    failureKey?: string,
  ): Promise<SignInAccount | null>;
  /**
   * The user's second factors, in one query, so a sign-in lists the methods of one consistent
   * read. All false for an unknown user.
   */
  findSecondFactors(userId: string): Promise<SecondFactors>;
}
