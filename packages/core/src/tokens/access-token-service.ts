import { decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import { uuidv7 } from '../crypto/index.js';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { AccessTokenRevocations } from './access-token-revocations.js';
import type { SigningKeyRing } from './signing-key-ring.js';
import type { IssuerScope, TokenIssuers } from './token-issuers.js';
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from './token-options.js';
import {
  ACCESS_TOKEN_TYPE,
  type AccessTokenClaims,
  type AccessTokenPrincipal,
  type ActorClaim,
  type SigningAlgorithm,
} from './tokens.js';

/** What an access token is issued for. Times in epoch seconds or `Date`s, as named. */
export interface AccessTokenInput {
  /** `sub`: the user id, or the client id for the client-credentials grant. */
  subject: string;
  /** `client_id`: the client the token is issued to (a first-party app's id for sign-in tokens). */
  clientId: string;
  /** `aud`: resource indicators (RFC 8707); the token's issuer when absent. */
  audience?: string | string[];
  /**
   * `tid`. With `tokens.tenantIssuers`, an isolated-pool tenant's tokens are issued by its own
   * issuer (`iss` = `<issuer>/tenants/<tenantId>`) and signed with its keys.
   */
  tenantId?: string | null;
  /** The session a user's token belongs to: revoking the session revokes the token. */
  sessionId?: string | null;
  scopes?: readonly string[];
  amr?: readonly string[];
  acr?: string;
  /** When the user last authenticated (`auth_time`). */
  authTime?: Date | number;
  /** `env`: the environment of a machine credential (`live`, `test`, …). */
  environment?: string;
  /** `act`: who acts for the subject (RFC 8693), when delegated or impersonated. */
  actor?: ActorClaim;
  /** Lifetime; default `tokens.accessTokenTtlSeconds`, at most 900 s. */
  ttlSeconds?: number;
  /** Sign with this algorithm's key; default the first of `tokens.signingKeys.algorithms`. */
  algorithm?: SigningAlgorithm;
}

/** An issued access token and what a response needs to describe it. */
export interface IssuedAccessToken {
  /** The compact JWS. */
  token: string;
  tokenId: string;
  expiresAt: Date;
  /** `expires_in` of an OAuth token response. */
  expiresInSeconds: number;
  claims: AccessTokenClaims;
  /** The key that signed it. */
  kid: string;
}

export interface VerifyAccessTokenOptions {
  /**
   * The audience the caller serves: the token's `aud` must contain it. Default the token's
   * issuer (the install's, or its tenant's own).
   */
  audience?: string;
}

/**
 * Issues and verifies Portcullis's access tokens (RFC 9068 JWTs) with the install's signing keys,
 * and revokes them one by one. Sign-in in token mode, refresh, the token endpoint and token
 * exchange all issue through it; `auth.api.verifyAccessToken` and the bearer guards verify with it.
 */
export interface AccessTokenService {
  /**
   * Signs an access token: header `{ alg, typ: "at+jwt", kid }`, claims per RFC 9068.
   *
   * @example
   * const { token, expiresInSeconds } = await accessTokens.issue({
   *   subject: user.id, clientId: 'first-party', sessionId: session.id, tenantId, scopes: ['openid'],
   * })
   */
  issue(input: AccessTokenInput): Promise<IssuedAccessToken>;
  /**
   * Verifies a token this install issued, in process: its own keys only (a revoked key's tokens
   * fail), the algorithm allowlist, `typ`, `iss`, `aud`, `exp` (with the configured tolerance) and
   * revocation (its `jti`, its session, its user, tenant or membership). Throws
   * `AuthError('access_token_invalid')` (401, as the resource-server verifier does), whose
   * `detail` tells an expired token from any other failure.
   */
  verify(token: string, options?: VerifyAccessTokenOptions): Promise<AccessTokenPrincipal>;
  /** Denies the token with this `jti` until `expiresAt` (its `exp`); later verifications fail. */
  revokeAccessToken(tokenId: string, expiresAt: Date): Promise<void>;
  /**
   * Reads what issuing a token for `tenantId` needs (its issuer, the signing key, creating the
   * first keys if need be) so that an `issue` inside a transaction soon after reads nothing from
   * storage: outside the transaction's own stores, a single-connection database would wait on
   * itself.
   */
  prepare(tenantId: string | null | undefined, algorithm?: SigningAlgorithm): Promise<void>;
  /**
   * `issue` after `prepare`, inside a transaction: signs with the key `prepare` read and reads no
   * storage, however long the transaction waited for its locks (reading again could wait for a
   * connection the transaction itself holds). Without a prepared key it reads, as `issue` does.
   */
  issuePrepared(input: AccessTokenInput): Promise<IssuedAccessToken>;
  /** Its operations in `auth.api`. */
  api: AccessTokensApi;
}

/** The access-token operations of `auth.api`. */
export interface AccessTokensApi {
  /**
   * Signs an access token for trusted server code (a first-party backend, a job, a test): no
   * check of who asks, so never expose it to a caller as is. Sign-in in token mode, refresh and
   * the token endpoint issue through the same service.
   *
   * @example
   * const { token } = await auth.api.issueAccessToken({ subject: userId, clientId: 'backend', sessionId })
   */
  issueAccessToken(input: AccessTokenInput): Promise<IssuedAccessToken>;
  /**
   * Verifies an access token this install issued and returns its principal: own keys only,
   * algorithm allowlist, `typ: at+jwt`, issuer, audience (default the issuer), expiry and
   * revocation. Throws `AuthError('access_token_invalid')` (401: the same code as
   * `@portcullis/core/tokens`' verifier), with `detail` "access token has expired" or "access
   * token is invalid".
   *
   * @example
   * const principal = await auth.api.verifyAccessToken(bearer, { audience: 'https://api.example.com' })
   * if (principal.type === 'user') console.log(principal.id, principal.tenantId, principal.scopes)
   */
  verifyAccessToken(token: string, options?: VerifyAccessTokenOptions): Promise<AccessTokenPrincipal>;
  /**
   * Denies one access token (by its `jti`) on every instance until `expiresAt` (its `exp`), as
   * `POST /oauth/revoke` does for an access token.
   *
   * @example
   * await auth.api.revokeAccessToken(principal.tokenId, principal.expiresAt)
   */
  revokeAccessToken(tokenId: string, expiresAt: Date): Promise<void>;
}

export interface AccessTokenServiceOptions {
  accessTokenTtlSeconds: number;
  clockToleranceSeconds: number;
  /** The algorithms keys exist for; the first signs by default; only these verify. */
  algorithms: readonly SigningAlgorithm[];
}

const encoder = new TextEncoder();

export function createAccessTokenService(
  collaborators: {
    clock: Clock;
    /** Which issuer a tenant's tokens have (the install's, or an isolated-pool tenant's own). */
    issuers: TokenIssuers;
    /** The signing keys of an issuer. */
    keyRingOf: (scope: IssuerScope) => SigningKeyRing;
    revocations: AccessTokenRevocations;
  },
  options: AccessTokenServiceOptions,
): AccessTokenService {
  const { clock, issuers, keyRingOf, revocations } = collaborators;
  const defaultAlgorithm = options.algorithms[0] ?? 'EdDSA';
  const algorithms = [...options.algorithms];

  async function issue(input: AccessTokenInput, prepared = false): Promise<IssuedAccessToken> {
    const algorithm = input.algorithm ?? defaultAlgorithm;
    if (!algorithms.includes(algorithm)) {
      throw new AuthError('invalid_request', { detail: `algorithm ${algorithm} is not configured` });
    }
    const ttlSeconds = Math.min(
      input.ttlSeconds ?? options.accessTokenTtlSeconds,
      MAX_ACCESS_TOKEN_TTL_SECONDS,
    );
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new AuthError('invalid_request', { detail: 'ttlSeconds must be a positive integer' });
    }
    const scope = await issuers.scopeOf(input.tenantId);
    const ring = keyRingOf(scope);
    const signer = (prepared ? ring.cachedSigner?.(algorithm) : null) ?? (await ring.signer(algorithm));
    const nowMs = clock.now().getTime();
    const iat = Math.floor(nowMs / 1000);
    // a UUIDv7 made from the same clock: its millisecond tells revocation epochs apart within a second
    const jti = uuidv7(nowMs);
    const claims: AccessTokenClaims = {
      iss: scope.issuer,
      sub: input.subject,
      aud: input.audience ?? scope.issuer,
      exp: iat + ttlSeconds,
      iat,
      jti,
      client_id: input.clientId,
    };
    if (input.tenantId) claims.tid = input.tenantId;
    if (input.sessionId) claims.sid = input.sessionId;
    if (input.scopes && input.scopes.length > 0) claims.scope = input.scopes.join(' ');
    if (input.amr && input.amr.length > 0) claims.amr = [...input.amr];
    if (input.acr) claims.acr = input.acr;
    if (input.authTime !== undefined) {
      claims.auth_time =
        typeof input.authTime === 'number' ? input.authTime : Math.floor(input.authTime.getTime() / 1000);
    }
    if (input.environment) claims.env = input.environment;
    if (input.actor) claims.act = input.actor;

    const header = { alg: signer.alg, typ: ACCESS_TOKEN_TYPE, kid: signer.kid };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = await signer.sign(encoder.encode(signingInput));
    return {
      token: `${signingInput}.${Buffer.from(signature).toString('base64url')}`,
      tokenId: jti,
      expiresAt: new Date(claims.exp * 1000),
      expiresInSeconds: ttlSeconds,
      claims,
      kid: signer.kid,
    };
  }

  async function verify(
    token: string,
    verifyOptions: VerifyAccessTokenOptions = {},
  ): Promise<AccessTokenPrincipal> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 8192) throw invalid();
    // the token's `tid` decides the only issuer (and so the only keys) it may verify under: a
    // tenant's token never passes under another tenant's issuer or the install's, nor theirs here
    let tenantId: unknown;
    try {
      tenantId = decodeJwt(token).tid;
    } catch (error) {
      throw invalid(error);
    }
    if (tenantId !== undefined && typeof tenantId !== 'string') throw invalid();
    const scope = await issuers.scopeOf(tenantId);
    const keyRing = keyRingOf(scope);
    let claims: AccessTokenClaims;
    try {
      const result = await jwtVerify<AccessTokenClaims>(
        token,
        async (header) => {
          // only our own keys, by kid: jku, x5u, jwk and x5c headers are never followed
          const key = header.kid ? await keyRing.verificationKey(header.kid) : null;
          if (!key || key.alg !== header.alg) throw invalid();
          return key.key;
        },
        {
          algorithms,
          typ: ACCESS_TOKEN_TYPE,
          issuer: scope.issuer,
          audience: verifyOptions.audience ?? scope.issuer,
          currentDate: clock.now(),
          clockTolerance: options.clockToleranceSeconds,
          requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'],
        },
      );
      claims = result.payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired)
        throw new AuthError('access_token_invalid', { detail: 'access token has expired', cause: error });
      throw invalid(error);
    }
    if (
      typeof claims.client_id !== 'string' ||
      typeof claims.jti !== 'string' ||
      typeof claims.sub !== 'string'
    ) {
      throw invalid();
    }
    if (claims.exp - claims.iat > MAX_ACCESS_TOKEN_TTL_SECONDS) throw invalid();
    if (await revocations.isRevoked(claims)) throw invalid();
    return principalOf(claims);
  }

  return {
    issue: (input) => issue(input),
    issuePrepared: (input) => issue(input, true),
    verify,
    async prepare(tenantId, algorithm = defaultAlgorithm) {
      if (!algorithms.includes(algorithm)) return;
      await keyRingOf(await issuers.scopeOf(tenantId)).signer(algorithm);
    },
    api: {
      issueAccessToken: (input) => issue(input),
      verifyAccessToken: verify,
      revokeAccessToken: (tokenId, expiresAt) => revocations.revokeTokenId(tokenId, expiresAt),
    },
    revokeAccessToken: (tokenId, expiresAt) => revocations.revokeTokenId(tokenId, expiresAt),
  };
}

/** The typed view of verified claims: a client's own token has `sub` = `client_id` and no `sid`. */
export function principalOf(claims: AccessTokenClaims): AccessTokenPrincipal {
  const isClient = !claims.sid && claims.sub === claims.client_id;
  return {
    type: isClient ? 'client' : 'user',
    id: claims.sub,
    clientId: claims.client_id,
    tenantId: claims.tid ?? null,
    sessionId: claims.sid ?? null,
    scopes: claims.scope ? claims.scope.split(' ').filter(Boolean) : [],
    environment: claims.env ?? null,
    actor: claims.act ?? null,
    amr: claims.amr ?? [],
    authTime: claims.auth_time ?? null,
    expiresAt: new Date(claims.exp * 1000),
    tokenId: claims.jti,
    claims,
  };
}

function invalid(cause?: unknown): AuthError {
  return new AuthError('access_token_invalid', { detail: 'access token is invalid', cause });
}

function base64url(json: string): string {
  return Buffer.from(json, 'utf8').toString('base64url');
}
