import type { User } from '../../users/users.js';

/**
 * A user's account at an OAuth/OIDC provider, keyed by (provider, subject): the provider's id of
 * the person, never their email (an email can change hands, a subject cannot). Nothing of the
 * provider's tokens is kept: Portcullis signs the user in and forgets the access token.
 */
export interface OAuthAccount {
  id: string;
  userId: string;
  /** The provider's id in `config.oauth.providers` (`google`, `github`, `acme-sso`…). */
  provider: string;
  /** The provider's stable id of the person: the ID token's `sub`, GitHub's numeric user id. */
  subject: string;
  /** The email the provider reported when the account was linked (informational only). */
  email: string | null;
  createdAt: Date;
}

/** An account and its user, read in one query at sign-in. */
export interface OAuthAccountWithUser {
  account: OAuthAccount;
  user: User;
}

/**
 * What a provider says about the person after a verified callback: the subject, and the email
 * with whether the provider vouches for it. `emailVerified` is only ever true when the provider
 * asserts it (`email_verified: true` in the ID token, GitHub's verified primary address).
 */
export interface OAuthProfile {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

/** What `GET /oauth/:provider` answers: where to send the browser, and the state binding. */
export interface OAuthStart {
  /** The provider's authorization URL with `state`, `nonce` (OIDC) and an S256 code challenge. */
  authorizationUrl: URL;
  /** A random value to set as the short-lived HttpOnly binding cookie; only its hash is stored. */
  binding: string;
  /** How long the flow may take, and the binding cookie's `Max-Age`. */
  expiresInSeconds: number;
}
