import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import {
  AccessTokenError,
  type AccessTokenErrorCode,
  accessTokenErrorResponse,
  type UserAuthenticationRequirement,
} from './access-token-error.js';
import { readAccessTokenPrincipal } from './read-access-token-principal.js';
import { ACCESS_TOKEN_TYPE, type AccessTokenPrincipal, type SigningAlgorithm } from './tokens.js';
import { createVerifiedTokenCache } from './verified-token-cache.js';

/** What a request needs beyond a valid token: scopes, and a recent or strong enough sign-in. */
export interface AccessTokenRequirements {
  /** Every one of these scopes must be in the token's `scope` (else 403 `insufficient_scope`). */
  requiredScopes?: readonly string[];
  /**
   * The user must have authenticated at most this many seconds ago (`auth_time`), else 401
   * `step_up_required` with RFC 9470 `max_age`. A client token (no user) never satisfies it.
   */
  maxAuthAgeSeconds?: number;
  /** The token's `acr` must be one of these, else 401 `step_up_required` with RFC 9470 `acr_values`. */
  acrValues?: readonly string[];
}

export interface VerifierOptions extends AccessTokenRequirements {
  /** The issuer exactly as its tokens' `iss` says (the auth server's origin and base path). */
  issuer: string;
  /** This resource server's identifier: the token's `aud` must name one of these. */
  audience: string | readonly string[];
  /**
   * Where the issuer's JWKS is served. Default `<issuer>/.well-known/jwks.json`. Ignored when
   * `jwks` is given.
   */
  jwksUri?: string | URL;
  /** A fixed key set instead of fetching one (tests, or keys distributed out of band). */
  jwks?: JSONWebKeySet;
  /** Accepted signature algorithms. Default `['EdDSA', 'ES256']`; add `'RS256'` to accept RSA (≥ 3072-bit keys only). */
  algorithms?: readonly SigningAlgorithm[];
  /** Leeway for `exp`, `nbf` and `iat` against clock skew. Default 5, at most 300. */
  clockToleranceSeconds?: number;
  /**
   * Asked on every verification, cached or not, after the signature and claims passed; `true`
   * refuses the token (`access_token_invalid`). A throw refuses it too (503
   * `storage_unavailable`): a revocation check that cannot answer never lets a token through.
   */
  isRevoked?: (principal: AccessTokenPrincipal) => boolean | Promise<boolean>;
  /**
   * The verified-token cache: how many tokens to remember (default 10,000), or `false` for none.
   * An entry lives until the token's `exp` and at most `jwksCacheSeconds`; revocation and
   * requirements are checked on every hit.
   */
  cache?: { maxEntries?: number } | false;
  /** After a fetch, how long an unknown `kid` waits before it may cause another. Default 30. */
  jwksCooldownSeconds?: number;
  /** How long fetched keys are trusted before they are fetched again. Default 600. */
  jwksCacheSeconds?: number;
  /** How long a JWKS fetch may take. Default 5. */
  jwksTimeoutSeconds?: number;
  /** RFC 6750 `realm` for the `WWW-Authenticate` challenge. */
  realm?: string;
  /**
   * The time source for token times, the verified-token cache and the key set's age and cooldown
   * (tests pass `testClock()`). Default the system clock.
   */
  clock?: { now(): Date };
}

/** A resource server's access-token check. Build one per issuer and audience, and reuse it. */
export interface Verifier {
  /**
   * The principal of a valid, unrevoked access token meeting the requirements (the verifier's,
   * or `requirements` in their place, field by field); otherwise throws an {@link AccessTokenError}.
   */
  verify(token: string, requirements?: AccessTokenRequirements): Promise<AccessTokenPrincipal>;
  /**
   * {@link verify} on the request's `Authorization: Bearer` token; a request without one throws
   * `unauthenticated`.
   */
  verifyRequest(request: Request, requirements?: AccessTokenRequirements): Promise<AccessTokenPrincipal>;
  /**
   * {@link verifyRequest}, with every refusal turned into a ready `Response` (problem+json, 401 or
   * 403, `WWW-Authenticate: Bearer …`), for middleware: return it as it is.
   */
  authenticate(
    request: Request,
    requirements?: AccessTokenRequirements,
  ): Promise<AccessTokenPrincipal | Response>;
}

const DEFAULT_ALGORITHMS: readonly SigningAlgorithm[] = ['EdDSA', 'ES256'];
const SUPPORTED_ALGORITHMS: readonly SigningAlgorithm[] = ['EdDSA', 'ES256', 'RS256'];
const MIN_RSA_MODULUS_BITS = 3072;
// A Portcullis access token is well under 2 KiB; far larger input is refused before any parsing.
const MAX_TOKEN_LENGTH = 8192;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// RFC 6750 §2.1: the scheme, then one b64token (the JWS check above comes after)
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * A verifier for Portcullis access tokens (RFC 9068 JWTs) at a resource server: another service,
 * an edge function, a Next.js proxy. Edge-safe: it needs only Web APIs (`fetch`, WebCrypto) and
 * `jose`.
 *
 * It accepts a token only when: it is a compact JWS whose header says `typ: at+jwt`, names a
 * `kid` and an allowed `alg`, and carries no `crit`; the key with that `kid` is in the issuer's
 * JWKS (an unknown `kid` refetches it at most once per cooldown; `jku`, `x5u`, `jwk` and `x5c`
 * headers are never followed); the signature verifies; `iss` and `aud` match; `exp`, `nbf` and
 * `iat` hold within the tolerance; `sub`, `jti` and `client_id` are present; `isRevoked` says no;
 * and the requirements hold.
 *
 * @example
 * import { createVerifier } from '@portcullis/core/tokens'
 *
 * const verifier = createVerifier({
 *   issuer: 'https://app.example.com/auth',
 *   audience: 'https://api.example.com',
 *   requiredScopes: ['invoices:read'],
 * })
 *
 * export async function GET(request: Request) {
 *   const principal = await verifier.authenticate(request)
 *   if (principal instanceof Response) return principal // 401/403 problem+json, WWW-Authenticate set
 *   return Response.json({ user: principal.id, tenant: principal.tenantId })
 * }
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
  for (const algorithm of algorithms) {
    if (!SUPPORTED_ALGORITHMS.includes(algorithm)) {
      throw new TypeError(`createVerifier: unsupported algorithm ${JSON.stringify(algorithm)}`);
    }
  }
  if (algorithms.length === 0) throw new TypeError('createVerifier: algorithms must not be empty');
  const toleranceSeconds = options.clockToleranceSeconds ?? 5;
  if (!(toleranceSeconds >= 0 && toleranceSeconds <= 300)) {
    throw new TypeError('createVerifier: clockToleranceSeconds must be between 0 and 300');
  }
  if (!options.issuer) throw new TypeError('createVerifier: issuer is required');
  const audience = typeof options.audience === 'string' ? [options.audience] : [...options.audience];
  if (audience.length === 0 || audience.some((a) => !a)) {
    throw new TypeError('createVerifier: audience is required');
  }

  const clock = options.clock;
  const getKey = keyResolver(options, clock ? () => clock.now().getTime() : Date.now);
  const keySetTrustMs = options.jwks ? Number.POSITIVE_INFINITY : (options.jwksCacheSeconds ?? 600) * 1000;
  const realm = options.realm;
  const isRevoked = options.isRevoked;
  const maxEntries = options.cache === false ? 0 : (options.cache?.maxEntries ?? 10_000);
  const cache = maxEntries > 0 ? createVerifiedTokenCache(maxEntries) : undefined;
  const fail = (code: AccessTokenErrorCode, detail: string, extra: object = {}) =>
    new AccessTokenError(code, { detail, ...(realm !== undefined ? { realm } : {}), ...extra });

  /**
   * The key for a token, asked by jose once it has decoded the header and checked its `alg`
   * against the allowlist and its `crit` against what it understands: the header checks jose
   * leaves until after the signature come first here, so a token that can never pass costs no
   * JWKS fetch, and the header is decoded once.
   */
  const keyForHeader: JWTVerifyGetKey = (header, token) => {
    if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== ACCESS_TOKEN_TYPE) {
      throw fail('access_token_invalid', 'the token is not an access token (typ must be at+jwt)');
    }
    if (typeof header.kid !== 'string' || header.kid === '') {
      throw fail('access_token_invalid', 'the token names no key (kid)');
    }
    // This verifier understands no JOSE extension, so any critical one is unknown (RFC 7515 §4.1.11).
    if (header.crit !== undefined) {
      throw fail(
        'access_token_invalid',
        'the token has critical header parameters this verifier does not understand',
      );
    }
    return getKey(header, token);
  };

  async function verifySignatureAndClaims(token: string, now: Date): Promise<AccessTokenPrincipal> {
    if (!JWS_COMPACT.test(token)) throw fail('access_token_invalid', 'the token is not a compact JWS');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keyForHeader, {
        issuer: options.issuer,
        audience,
        algorithms,
        typ: ACCESS_TOKEN_TYPE,
        clockTolerance: toleranceSeconds,
        currentDate: now,
        requiredClaims: ['exp', 'iat', 'sub', 'jti', 'client_id'],
      }));
    } catch (error) {
      throw fromJoseError(error, fail);
    }
    const nowSeconds = now.getTime() / 1000;
    if (typeof payload.iat === 'number' && payload.iat > nowSeconds + toleranceSeconds) {
      throw fail('access_token_invalid', 'the token was issued in the future ("iat")');
    }
    const principal = readAccessTokenPrincipal(payload);
    if (typeof principal === 'string') throw fail('access_token_invalid', principal);
    // the cache hands this same object to every caller of the token: none may change it for the next
    Object.freeze(principal.scopes);
    Object.freeze(principal.amr);
    deepFreeze(principal.claims);
    return Object.freeze(principal);
  }

  function checkRequirements(
    principal: AccessTokenPrincipal,
    requirements: AccessTokenRequirements | undefined,
    now: Date,
  ): void {
    const requiredScopes = requirements?.requiredScopes ?? options.requiredScopes;
    const maxAuthAgeSeconds = requirements?.maxAuthAgeSeconds ?? options.maxAuthAgeSeconds;
    const acrValues = requirements?.acrValues ?? options.acrValues;
    if (requiredScopes?.length && !requiredScopes.every((s) => principal.scopes.includes(s))) {
      throw fail('insufficient_scope', 'the token lacks a scope this request needs', {
        scopes: requiredScopes,
      });
    }
    const userAuthentication: UserAuthenticationRequirement = {
      ...(maxAuthAgeSeconds !== undefined ? { maxAgeSeconds: maxAuthAgeSeconds } : {}),
      ...(acrValues?.length ? { acrValues } : {}),
    };
    if (maxAuthAgeSeconds !== undefined) {
      const authTime = principal.authTime;
      if (authTime === null || now.getTime() / 1000 - authTime > maxAuthAgeSeconds) {
        throw fail('step_up_required', 'a more recent authentication is required', { userAuthentication });
      }
    }
    if (
      acrValues?.length &&
      !(principal.claims.acr !== undefined && acrValues.includes(principal.claims.acr))
    ) {
      throw fail('step_up_required', 'a stronger authentication is required', { userAuthentication });
    }
  }

  async function verify(
    token: string,
    requirements?: AccessTokenRequirements,
  ): Promise<AccessTokenPrincipal> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw fail('access_token_invalid', 'the token is malformed');
    }
    const now = clock ? clock.now() : new Date();
    let principal = cache?.get(token, now.getTime());
    if (principal === undefined) {
      principal = await verifySignatureAndClaims(token, now);
      // no longer than the key set is trusted: a key removed from the JWKS (revoked) stops
      // counting for cached tokens too once the key set is fetched again
      cache?.set(token, principal, now.getTime() + keySetTrustMs);
    }
    if (isRevoked) {
      let revoked: boolean;
      try {
        revoked = await isRevoked(principal);
      } catch (cause) {
        throw fail('storage_unavailable', 'the revocation state could not be read', { cause });
      }
      if (revoked) throw fail('access_token_invalid', 'the token has been revoked');
    }
    checkRequirements(principal, requirements, now);
    return principal;
  }

  async function verifyRequest(
    request: Request,
    requirements?: AccessTokenRequirements,
  ): Promise<AccessTokenPrincipal> {
    const authorization = request.headers.get('authorization');
    // RFC 6750 §3.1: a request with no credentials gets a bare challenge, no error code
    if (authorization === null || !/^bearer(?: |$)/i.test(authorization)) {
      throw fail('unauthenticated', 'a bearer access token is required');
    }
    const match = BEARER.exec(authorization);
    if (!match?.[1]) throw fail('access_token_invalid', 'the Authorization header is malformed');
    return verify(match[1], requirements);
  }

  return {
    verify,
    verifyRequest,
    async authenticate(request, requirements) {
      try {
        return await verifyRequest(request, requirements);
      } catch (error) {
        if (error instanceof AccessTokenError) return accessTokenErrorResponse(error, requestIdOf(request));
        throw error;
      }
    },
  };
}

/**
 * The issuer's keys, given or fetched, with RSA keys checked for size. Fetching is jose's remote
 * key set (one fetch at a time, timeout, no redirects); when to fetch is decided here, on the
 * verifier's clock rather than jose's `Date.now()`, so a test clock drives key rotation as it
 * drives token expiry: the set is fetched again once older than `jwksCacheSeconds`, and for an
 * unknown `kid` at most once per `jwksCooldownSeconds`.
 */
function keyResolver(options: VerifierOptions, now: () => number): JWTVerifyGetKey {
  let keys: JWTVerifyGetKey;
  if (options.jwks) {
    keys = createLocalJWKSet(options.jwks);
  } else {
    const url = new URL(options.jwksUri ?? `${options.issuer.replace(/\/+$/, '')}/.well-known/jwks.json`);
    // jose's own timers off: it fetches when told (reload) and on first use only
    const remote = createRemoteJWKSet(url, {
      cooldownDuration: Number.POSITIVE_INFINITY,
      cacheMaxAge: Number.POSITIVE_INFINITY,
      timeoutDuration: Math.round((options.jwksTimeoutSeconds ?? 5) * 1000),
    });
    const cacheMs = (options.jwksCacheSeconds ?? 600) * 1000;
    const cooldownMs = (options.jwksCooldownSeconds ?? 30) * 1000;
    let fetchedAtMs: number | undefined;
    let pending: Promise<void> | undefined;
    const reload = () => {
      pending ??= remote
        .reload()
        .then(() => {
          fetchedAtMs = now();
        })
        .finally(() => {
          pending = undefined;
        });
      return pending;
    };
    keys = async (header, token) => {
      if (fetchedAtMs === undefined || now() - fetchedAtMs >= cacheMs) await reload();
      try {
        return await remote(header, token);
      } catch (error) {
        if (
          error instanceof errors.JWKSNoMatchingKey &&
          fetchedAtMs !== undefined &&
          now() - fetchedAtMs >= cooldownMs
        ) {
          await reload();
          return await remote(header, token);
        }
        throw error;
      }
    };
  }
  return async (header, token) => {
    let key: Awaited<ReturnType<JWTVerifyGetKey>>;
    try {
      key = await keys(header, token);
    } catch (error) {
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSEAlgNotAllowed ||
        error instanceof errors.JOSENotSupported
      ) {
        throw error;
      }
      // timeouts, network failures, a non-200 answer or a malformed key set
      throw new JwksUnavailable(error);
    }
    const modulusLength = (key as { algorithm?: { modulusLength?: unknown } }).algorithm?.modulusLength;
    if (typeof modulusLength === 'number' && modulusLength < MIN_RSA_MODULUS_BITS) {
      throw new WeakKey();
    }
    return key;
  };
}

class JwksUnavailable extends Error {
  constructor(cause: unknown) {
    super('the JWKS could not be fetched', { cause });
  }
}

class WeakKey extends Error {}

function fromJoseError(
  error: unknown,
  fail: (code: AccessTokenErrorCode, detail: string, extra?: object) => AccessTokenError,
): AccessTokenError {
  // the header checks of the key lookup
  if (error instanceof AccessTokenError) return error;
  if (error instanceof JwksUnavailable) {
    return fail('jwks_unavailable', "the issuer's signing keys could not be fetched", { cause: error.cause });
  }
  if (error instanceof WeakKey)
    return fail('access_token_invalid', 'the token is signed with an RSA key under 3072 bits');
  if (error instanceof errors.JWTExpired) return fail('access_token_invalid', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = error.claim;
    if (claim === 'nbf') return fail('access_token_invalid', 'the token is not valid yet ("nbf")');
    return fail('access_token_invalid', `the token's "${claim}" claim is missing or not accepted here`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return fail('access_token_invalid', "the token's key (kid) is not in the issuer's key set");
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return fail('access_token_invalid', 'the token signature is invalid');
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return fail('access_token_invalid', 'the token is signed with an algorithm that is not accepted');
  }
  if (error instanceof errors.JOSENotSupported && /Extension Header Parameter/.test(error.message)) {
    return fail(
      'access_token_invalid',
      'the token has critical header parameters this verifier does not understand',
    );
  }
  if (error instanceof errors.JWSInvalid)
    return fail('access_token_invalid', 'the token header is malformed');
  if (error instanceof errors.JOSEError) return fail('access_token_invalid', 'the token is invalid');
  // jose throws TypeError for a key that does not fit the algorithm (an RSA key under 2048 bits, a
  // curve mismatch): the token's fault, not ours
  if (error instanceof TypeError) return fail('access_token_invalid', 'the token does not fit its key');
  throw error;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  for (const member of Object.values(value)) deepFreeze(member);
  Object.freeze(value);
}

function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

// An id a proxy in front set is kept for correlation, when it looks like one; otherwise a new one.
function requestIdOf(request: Request): string | undefined {
  const id = request.headers.get('x-request-id');
  return id !== null && /^[A-Za-z0-9._:-]{1,128}$/.test(id) ? id : undefined;
}
