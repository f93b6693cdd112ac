import { createLocalJWKSet, decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import type { CallContext } from '../call-context.js';
import { sha256Hex } from '../crypto/random.js';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { KeyValue } from '../ports/key-value.js';
import type { Storage } from '../ports/storage.js';
import type { RateLimiter } from '../rate-limit/index.js';
import { matchClientSecret } from './client-secrets.js';
import type { Client, ClientSecretSlot } from './clients.js';

/** `client_assertion_type` of a JWT assertion (RFC 7523 §2.2). */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** How far ahead a client assertion's `exp` may lie: short-lived assertions only. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
/** Clock skew tolerated on an assertion's `exp`, `nbf` and `iat`. */
const ASSERTION_SKEW_SECONDS = 30;
/** A client's last use is written at most this often (a token request is not a write each). */
const LAST_USE_WRITE_INTERVAL_MS = 60_000;
const MAX_CLIENT_ID_LENGTH = 64;
const MAX_SECRET_LENGTH = 256;
const MAX_ASSERTION_LENGTH = 8192;

/** The client authentication methods a token, introspection or revocation request may use. */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export type ClientAuthenticationMethod = (typeof CLIENT_AUTH_METHODS)[number];

/**
 * What a request carries to authenticate its client, as the HTTP layer found it: the
 * `Authorization` header's value and the form's parameters. Nothing is decoded yet.
 */
export interface ClientCredentials {
  authorization?: string | null;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  clientAssertionType?: string | undefined;
  clientAssertion?: string | undefined;
}

/** A client that proved itself, and how. */
export interface AuthenticatedClient {
  client: Client;
  method: ClientAuthenticationMethod;
}

export interface ClientAuthenticator {
  /**
   * Authenticates the client of an OAuth request by exactly one method: `client_secret_basic`,
   * `client_secret_post` or `private_key_jwt`. Every failure is `invalid_client` (the detail
   * never says whether the id exists); `invalid_request` when several methods are used at once
   * (RFC 6749 §2.3). Rate-limited per client id and per IP (`clientAuth`) before any check.
   * The client must be active and its tenant active; the caller checks environment and scope.
   */
  authenticate(credentials: ClientCredentials, context: CallContext): Promise<AuthenticatedClient>;
}

export interface ClientAuthenticatorDeps {
  storage: Storage;
  clock: Clock;
  /** The replay cache of assertion `jti`s (shared across instances when the app sets one). */
  keyValue: KeyValue;
  rateLimiter: RateLimiter;
}

export interface ClientAuthenticatorOptions {
  /**
   * The audiences an assertion may name, each as its whole `aud`: the issuer identifier (what
   * RFC 7523bis requires) and the token endpoint's URL (what RFC 7523 allowed).
   */
  assertionAudiences: readonly string[];
}

/**
 * Client authentication at the OAuth endpoints (RFC 6749 §2.3, RFC 7523 §2.2). One rule module:
 * what counts as proof of a client, and nothing about what it may then do.
 *
 * @example
 * const { client } = await authenticator.authenticate({ authorization: request.headers.get('authorization'), ...form }, call)
 */
export function createClientAuthenticator(
  { storage, clock, keyValue, rateLimiter }: ClientAuthenticatorDeps,
  { assertionAudiences }: ClientAuthenticatorOptions,
): ClientAuthenticator {
  const refused = (detail = 'client authentication failed') => new AuthError('invalid_client', { detail });

  async function limit(clientId: string, context: CallContext) {
    // per client id (guessing one client's secret) and per address (trying many clients)
    const states = [await rateLimiter.consume('clientAuth', `client:${sha256Hex(clientId)}`)];
    if (context.ip) states.push(await rateLimiter.consume('clientAuth', `ip:${context.ip}`));
    for (const state of states) if (state) (context.rateLimits ??= []).push(state);
  }

  async function findActiveClient(clientId: string): Promise<Client> {
    const client = await storage.clients.findById(clientId);
    if (!client || client.status !== 'active') throw refused();
    const tenant = await storage.tenants.findById(client.tenantId);
    if (tenant?.status !== 'active') throw refused();
    return client;
  }

  async function recordUse(client: Client, slot: ClientSecretSlot | null) {
    const now = clock.now();
    const last =
      slot === 'current'
        ? client.secretLastUsedAt
        : slot === 'previous'
          ? client.previousSecretLastUsedAt
          : client.lastUsedAt;
    if (last !== null && now.getTime() - last.getTime() < LAST_USE_WRITE_INTERVAL_MS) return;
    await storage.clients.recordUse(client.id, slot, now);
  }

  async function bySecret(
    clientId: string,
    secret: string,
    method: ClientAuthenticationMethod,
    context: CallContext,
  ): Promise<AuthenticatedClient> {
    if (
      clientId.length === 0 ||
      clientId.length > MAX_CLIENT_ID_LENGTH ||
      secret.length > MAX_SECRET_LENGTH
    ) {
      throw refused();
    }
    await limit(clientId, context);
    const client = await findActiveClient(clientId);
    if (client.authMethod !== 'client_secret') throw refused();
    const slot = matchClientSecret(client, secret, clock.now());
    if (slot === null) throw refused();
    await recordUse(client, slot);
    return { client, method };
  }

  async function byAssertion(
    assertion: string,
    formClientId: string | undefined,
    context: CallContext,
  ): Promise<AuthenticatedClient> {
    if (assertion.length > MAX_ASSERTION_LENGTH) throw refused();
    let unverified: ReturnType<typeof decodeJwt>;
    try {
      unverified = decodeJwt(assertion);
    } catch {
      throw refused('client_assertion is not a JWT');
    }
    const clientId = unverified.sub;
    if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > MAX_CLIENT_ID_LENGTH) {
      throw refused();
    }
    if (formClientId !== undefined && formClientId !== clientId) throw refused();
    await limit(clientId, context);
    const client = await findActiveClient(clientId);
    if (client.authMethod !== 'private_key_jwt' || client.jwks === null) throw refused();
    const now = clock.now();
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(assertion, createLocalJWKSet({ keys: client.jwks as never }), {
        issuer: clientId,
        subject: clientId,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'jti'],
        currentDate: now,
        clockTolerance: ASSERTION_SKEW_SECONDS,
        // asymmetric algorithms only: a MAC over a public key must never verify
        algorithms: ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'RS256', 'PS256'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) throw refused('client_assertion could not be verified');
      throw error;
    }
    // one audience, exactly this server (RFC 7523bis §4: a list or another value is refused)
    if (typeof payload.aud !== 'string' || !assertionAudiences.includes(payload.aud)) {
      throw refused('client_assertion has the wrong audience');
    }
    const exp = payload.exp ?? 0;
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (exp - nowSeconds > MAX_ASSERTION_LIFETIME_SECONDS + ASSERTION_SKEW_SECONDS) {
      throw refused(`client_assertion expires more than ${MAX_ASSERTION_LIFETIME_SECONDS} s ahead`);
    }
    const jti = payload.jti;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw refused();
    // each assertion once: remembered until it would expire anyway
    const fresh = await keyValue.setIfAbsent(
      `client-assertion:${sha256Hex(`${clientId}\u0000${jti}`)}`,
      '1',
      {
        ttlSeconds: Math.max(1, exp - nowSeconds + ASSERTION_SKEW_SECONDS),
      },
    );
    if (!fresh) throw refused('client_assertion was already used');
    await recordUse(client, null);
    return { client, method: 'private_key_jwt' };
  }

  return {
    async authenticate(credentials, context) {
      const basic = parseBasicAuthorization(credentials.authorization);
      const usesPost = credentials.clientSecret !== undefined;
      const usesAssertion =
        credentials.clientAssertion !== undefined || credentials.clientAssertionType !== undefined;
      if ([basic !== null, usesPost, usesAssertion].filter(Boolean).length > 1) {
        throw new AuthError('invalid_request', { detail: 'use one client authentication method' });
      }
      if (basic) {
        if (credentials.clientId !== undefined && credentials.clientId !== basic.clientId) throw refused();
        return bySecret(basic.clientId, basic.clientSecret, 'client_secret_basic', context);
      }
      if (usesPost) {
        if (credentials.clientId === undefined) throw refused('client_id is missing');
        return bySecret(credentials.clientId, credentials.clientSecret ?? '', 'client_secret_post', context);
      }
      if (usesAssertion) {
        if (credentials.clientAssertionType !== JWT_BEARER_ASSERTION_TYPE) {
          throw refused(`client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}`);
        }
        return byAssertion(credentials.clientAssertion ?? '', credentials.clientId, context);
      }
      throw refused('no client authentication');
    },
  };
}

/**
 * The client id and secret of an `Authorization: Basic` header, each form-urlencoded before
 * base64 (RFC 6749 §2.3.1: `+` is a space, `%XX` a byte of UTF-8); null when the header is not
 * Basic. A malformed one is `invalid_client`.
 */
export function parseBasicAuthorization(
  header: string | null | undefined,
): { clientId: string; clientSecret: string } | null {
  if (!header) return null;
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(header);
  if (!match) {
    if (/^Basic\b/i.test(header))
      throw new AuthError('invalid_client', { detail: 'malformed Basic credentials' });
    return null;
  }
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new AuthError('invalid_client', { detail: 'malformed Basic credentials' });
  try {
    return {
      clientId: formDecode(decoded.slice(0, colon)),
      clientSecret: formDecode(decoded.slice(colon + 1)),
    };
  } catch {
    throw new AuthError('invalid_client', { detail: 'malformed Basic credentials' });
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}
