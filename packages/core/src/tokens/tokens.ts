/**
 * The access token's claims (RFC 9068 JWT profile for OAuth 2.0 access tokens) and what a
 * verifier makes of them. Shared by the issuer (the `tokens/` domain, Node) and the standalone
 * verifier (`@portcullis/core/tokens`, edge-safe): this file imports nothing.
 */

/** The JOSE header `typ` every Portcullis access token carries (RFC 9068 §2.1). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Signature algorithms Portcullis signs with: Ed25519 and ES256 by default, RS256 opt-in. */
export type SigningAlgorithm = 'EdDSA' | 'ES256' | 'RS256';

/** Who acts on behalf of the subject (RFC 8693 §4.1), nested when delegation is chained. */
export interface ActorClaim {
  sub: string;
  /** `user` or `client`: Portcullis's own addition, so a verifier need not guess. */
  sub_type?: 'user' | 'client';
  act?: ActorClaim;
}

/**
 * The claims of a Portcullis access token. `sub` is a user id (with `sid`, the session the token
 * belongs to) or, for the client-credentials grant, the M2M client's id (no `sid`).
 */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  /** One audience or several (RFC 8707 resource indicators); the issuer's own when none was asked. */
  aud: string | string[];
  /** Epoch seconds. */
  exp: number;
  iat: number;
  /** Unique per token: what a revocation of this one token names. */
  jti: string;
  client_id: string;
  /** The tenant the token acts in; absent for a shared-pool user outside any tenant. */
  tid?: string;
  /** The session a user's token was issued for; revoking the session revokes the token. */
  sid?: string;
  /** Space-separated scopes (RFC 9068 §2.2.3). */
  scope?: string;
  /** Authentication methods (RFC 8176) and when the user last authenticated (epoch seconds). */
  amr?: string[];
  acr?: string;
  auth_time?: number;
  /** The environment (`live`, `test`, …) of a machine credential's token. */
  env?: string;
  act?: ActorClaim;
}

/** What a verified access token says, typed: the principal a resource server acts for. */
export interface AccessTokenPrincipal {
  type: 'user' | 'client';
  /** The user id or the client id (`sub`). */
  id: string;
  clientId: string;
  tenantId: string | null;
  sessionId: string | null;
  scopes: string[];
  environment: string | null;
  /** Who acts for the subject, when the token was delegated or impersonated. */
  actor: ActorClaim | null;
  amr: string[];
  authTime: number | null;
  expiresAt: Date;
  tokenId: string;
  claims: AccessTokenClaims;
}
