import type { IssuedSession } from '../sessions/sessions.js';
import type { User } from '../users/users.js';

/** A completed sign-in or sign-up: the user and a new session (its token shown once). */
export interface SignedIn extends IssuedSession {
  user: User;
}

/**
 * The ways a pending login can be completed: `totp` and `recovery_code` with `POST /mfa/verify`,
 * `passkey` with `POST /passkeys/authentication/options` and `POST /passkeys/authentication`
 * (sending the same `challengeId`).
 */
export type MfaMethod = 'totp' | 'recovery_code' | 'passkey';

/** What a pending login remembers, in the key-value store under the hash of its id. */
export interface PendingLogin {
  userId: string;
  tenantId: string | null;
  /** The account key (`pool:email`) whose second-factor failure counters the completion counts on. */
  accountKey: string;
  /** When the first factor was proven, epoch seconds: the session's `authTime` for it. */
  pwdAt: number;
  /**
   * The first factor (RFC 8176): `pwd` for a password, `email` for a magic link, `fed` for a
   * provider, `hwk` for a passkey. Default `pwd`.
   */
  firstFactor?: string;
}

/**
 * The answer of a proven first factor for a user with a second factor: no session yet. Send
 * `challengeId` with a code to `POST /mfa/verify` (`auth.api.verifyMfa`) within 5 minutes.
 */
export interface MfaRequired {
  mfaRequired: true;
  challengeId: string;
  methods: MfaMethod[];
}
