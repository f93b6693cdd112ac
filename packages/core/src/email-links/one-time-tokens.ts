/** What a one-time token may be used for; a token is only ever accepted for its own purpose. */
export type OneTimeTokenPurpose = 'email_verification' | 'password_reset' | 'magic_link';

export const ONE_TIME_TOKEN_PURPOSES: readonly OneTimeTokenPurpose[] = [
  'email_verification',
  'password_reset',
  'magic_link',
];

/**
 * A token sent by email (verification, reset or sign-in link). Only `tokenHash` (SHA-256 of the
 * random token) is stored; the token itself exists only in the message.
 */
export interface OneTimeToken {
  id: string;
  userId: string;
  purpose: OneTimeTokenPurpose;
  tokenHash: string;
  /** The address the link was sent to (a verification only verifies that address). */
  email: string;
  /** Magic links: where the app sends the user after sign-in (checked against the allowlist). */
  redirectTo: string | null;
  expiresAt: Date;
  /** Set once, by the one consume that won; never cleared. */
  usedAt: Date | null;
  createdAt: Date;
}
