import { decodeJwt } from 'jose';
import { recordChange } from '../audit/index.js';
import type { CallContext } from '../call-context.js';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Storage } from '../ports/storage.js';
import type { RateLimiter } from '../rate-limit/index.js';
import {
  type ACCESS_TOKEN_TYPE_URN,
  type AccessTokenService,
  type AuthorizationCodeService,
  type ExchangeTokensApi,
  type NativeClient,
  parseScopeParameter,
  type RefreshTokenService,
  TOKEN_EXCHANGE_GRANT_TYPE,
  type TokenIssuers,
} from '../tokens/index.js';
import type { AccessTokenClaims, AccessTokenPrincipal } from '../tokens/tokens.js';
import {
  CLIENT_AUTH_METHODS,
  type ClientAuthenticator,
  type ClientCredentials,
} from './client-authentication.js';
import type { ResolvedClientsOptions } from './client-options.js';
import type { Client } from './clients.js';

/** The grants `POST /oauth/token` answers. */
export const OAUTH_GRANT_TYPES = [
  'client_credentials',
  'authorization_code',
  'refresh_token',
  TOKEN_EXCHANGE_GRANT_TYPE,
] as const;

/**
 * `POST /oauth/token`'s request, decoded from the form and camelCased (`grantType` is
 * `grant_type`, …). Which fields count depends on the grant.
 */
export interface ClientTokenRequest {
  /**
   * `client_credentials`, `authorization_code`, `refresh_token` or
   * `urn:ietf:params:oauth:grant-type:token-exchange`.
   */
  grantType: string | undefined;
  /**
   * Space-separated scopes: for client credentials, all the client's allowed ones when absent;
   * for a refresh, a subset of the family's; for an exchange, of the subject token's.
   */
  scope?: string | undefined;
  /** RFC 8707 resource indicators (the form may repeat `resource`). */
  resource?: readonly string[];
  /** The `refresh_token` grant's token. */
  refreshToken?: string | undefined;
  /** The `authorization_code` grant's parameters (RFC 6749 §4.1.3, RFC 7636 §4.5). */
  code?: string | undefined;
  redirectUri?: string | undefined;
  codeVerifier?: string | undefined;
  /** The token-exchange grant's parameters (RFC 8693 §2.1). */
  subjectToken?: string | undefined;
  subjectTokenType?: string | undefined;
  actorToken?: string | undefined;
  actorTokenType?: string | undefined;
  requestedTokenType?: string | undefined;
  /** Logical names of the target services (RFC 8693; the form may repeat `audience`). */
  audience?: readonly string[];
  credentials: ClientCredentials;
}

/**
 * A successful token response (RFC 6749 §5.1): a `refresh_token` only for the refresh and
 * authorization-code grants (client credentials never get one), `issued_token_type` only for a token exchange.
 */
export interface ClientTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  issued_token_type?: typeof ACCESS_TOKEN_TYPE_URN;
}

/** An RFC 7662 introspection answer; only `active` when the token is not the caller's to see. */
export type IntrospectionResponse =
  | { active: false }
  | ({ active: true; token_type: 'Bearer'; env?: string } & Omit<AccessTokenClaims, 'env'>);

/** RFC 8414 authorization server metadata. */
export interface AuthorizationServerMetadata {
  issuer: string;
  token_endpoint: string;
  introspection_endpoint: string;
  revocation_endpoint: string;
  jwks_uri: string;
  grant_types_supported: string[];
  response_types_supported: string[];
  /** PKCE (RFC 7636) of the `authorization_code` grant: S256 only. */
  code_challenge_methods_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  token_endpoint_auth_signing_alg_values_supported: string[];
  introspection_endpoint_auth_methods_supported: string[];
  revocation_endpoint_auth_methods_supported: string[];
  scopes_supported: string[];
}

/** The OAuth endpoint operations of `auth.api`: the token, introspection and revocation. */
export interface ClientTokensApi {
  /**
   * The token endpoint (`POST /oauth/token`), by grant:
   * - `client_credentials` (RFC 6749 §4.4), for M2M clients: authenticates the client, checks the
   *   scopes it asks for against its allowed scopes (`invalid_scope`) and the resource indicators
   *   against `clients.resources` (`invalid_target`), and returns an access token carrying `tid`,
   *   `env`, `client_id` and `scope` (no refresh token).
   * - `authorization_code` (RFC 6749 §4.1.3 with PKCE, RFC 7636): a native app
   *   (`refreshTokens.nativeClients`, a public client: `client_id` alone) trades the one-time
   *   code of its provider sign-in, with `redirect_uri` and `code_verifier`, for a token pair.
   *   A used, expired or foreign code, another redirect URI or a wrong verifier is `invalid_grant`.
   * - `refresh_token` (RFC 6749 §6): the rotation of `refreshTokens` (same grace, reuse detection
   *   and rate limit). The first-party app and the native apps are public clients: they send only
   *   their `client_id`; any other client authenticates, and a token of another client is
   *   `refresh_token_invalid` (answered over HTTP as `invalid_grant`).
   * - token exchange (RFC 8693): an authenticated client is the caller of `exchangeToken`.
   *
   * Other grants are `unsupported_grant_type`.
   *
   * @example
   * const token = await auth.api.requestClientToken({ grantType: 'client_credentials',
   *   credentials: { clientId, clientSecret } })
   */
  requestClientToken(request: ClientTokenRequest, context?: CallContext): Promise<ClientTokenResponse>;
  /**
   * Token introspection (RFC 7662) by an authenticated client: `active: true` and the claims only
   * for a valid access token of the caller's own tenant and environment (issued to a client that
   * still exists); everything else is `{ active: false }`.
   *
   * @example
   * const { active } = await auth.api.introspectToken({ token, credentials: { clientId, clientSecret } })
   */
  introspectToken(
    request: { token: string; tokenTypeHint?: string | undefined; credentials: ClientCredentials },
    context?: CallContext,
  ): Promise<IntrospectionResponse>;
  /**
   * Token revocation (RFC 7009) by an authenticated client (or the first-party public client,
   * by its `client_id` alone, for its refresh tokens): an access token it was issued is denied
   * until its expiry; a refresh token it was issued revokes its family. Anything else, including
   * another client's token, is ignored: the answer is the same.
   *
   * @example
   * await auth.api.revokeToken({ token, credentials: { clientId, clientSecret } })
   */
  revokeToken(
    request: { token: string; tokenTypeHint?: string | undefined; credentials: ClientCredentials },
    context?: CallContext,
  ): Promise<void>;
  /**
   * The RFC 8414 metadata `GET /.well-known/oauth-authorization-server` serves; with `tenantId`,
   * that of an isolated-pool tenant's own issuer (`tokens.tenantIssuers`), served at
   * `GET /tenants/:tenantId/.well-known/oauth-authorization-server`: its `issuer` and `jwks_uri`,
   * the same endpoints. Throws `not_found` when the tenant has no issuer of its own.
   *
   * @example
   * const { issuer, jwks_uri } = await auth.api.authorizationServerMetadata({ tenantId })
   */
  authorizationServerMetadata(options?: { tenantId?: string }): Promise<AuthorizationServerMetadata>;
}

export interface ClientTokenService {
  api: ClientTokensApi;
}

export interface ClientTokenServiceDeps {
  storage: Storage;
  clock: Clock;
  authenticator: ClientAuthenticator;
  accessTokens: AccessTokenService;
  rateLimiter: RateLimiter;
  /** The `refresh_token` grant and refresh-token revocation: the refresh-token domain's. */
  refreshTokens: Pick<RefreshTokenService, 'refresh' | 'revoke'>;
  /** The token-exchange grant: the exchange domain's, with the client as its caller. */
  exchangeToken: ExchangeTokensApi['exchangeToken'];
  /** Isolated-pool tenants' own issuers, for their metadata. */
  issuers: Pick<TokenIssuers, 'tenantScope'>;
  /** The `authorization_code` grant: the codes native apps' provider sign-ins end with. */
  authorizationCodes: Pick<AuthorizationCodeService, 'redeem'>;
}

/** The endpoints' absolute URLs. */
export interface OAuthServerUrls {
  issuer: string;
  tokenEndpoint: string;
  introspectionEndpoint: string;
  revocationEndpoint: string;
  jwksUri: string;
}

/**
 * The OAuth endpoints' URLs: the issuer (`tokens.issuer`, by default the handler's mount point)
 * and the endpoints where `auth.handler` serves them, under `<baseURL origin><basePath>`.
 */
export function oauthServerUrls(issuer: string, baseURL: URL, basePath: string): OAuthServerUrls {
  const mount = `${baseURL.origin}${basePath === '/' ? '' : basePath}`;
  return {
    issuer,
    tokenEndpoint: `${mount}/oauth/token`,
    introspectionEndpoint: `${mount}/oauth/introspect`,
    revocationEndpoint: `${mount}/oauth/revoke`,
    jwksUri: `${mount}/.well-known/jwks.json`,
  };
}

const MAX_TOKEN_LENGTH = 8192;
const MAX_RESOURCES = 10;

export interface ClientTokenServiceOptions {
  clients: ResolvedClientsOptions;
  urls: OAuthServerUrls;
  /** `refreshTokens.firstPartyClientId`: the public client of token mode. */
  firstPartyClientId: string;
  /** `refreshTokens.nativeClients`: public clients too, each by its id. */
  nativeClients?: readonly NativeClient[];
}

export function createClientTokenService(
  deps: ClientTokenServiceDeps,
  { clients: options, urls, firstPartyClientId, nativeClients = [] }: ClientTokenServiceOptions,
): ClientTokenService {
  const {
    storage,
    clock,
    authenticator,
    accessTokens,
    rateLimiter,
    refreshTokens,
    exchangeToken,
    issuers,
    authorizationCodes,
  } = deps;
  const publicClientIds = new Set([firstPartyClientId, ...nativeClients.map((client) => client.id)]);

  /**
   * The first-party app and the configured native apps identify themselves by `client_id` alone
   * (public clients, RFC 6749 §2.1): they hold no secret. Anything more (a secret, an assertion,
   * an Authorization header) is an attempt to authenticate, and goes to the authenticator.
   */
  function isFirstPartyPublic(credentials: ClientCredentials): credentials is ClientCredentials & {
    clientId: string;
  } {
    return (
      credentials.clientId !== undefined &&
      publicClientIds.has(credentials.clientId) &&
      !credentials.authorization &&
      credentials.clientSecret === undefined &&
      credentials.clientAssertion === undefined &&
      credentials.clientAssertionType === undefined
    );
  }

  /** The client a refresh or revocation of a refresh token is made for. */
  async function refreshingClient(credentials: ClientCredentials, context: CallContext): Promise<string> {
    if (isFirstPartyPublic(credentials)) return credentials.clientId;
    return (await authenticator.authenticate(credentials, context)).client.id;
  }

  async function refreshGrant(
    request: ClientTokenRequest,
    context: CallContext,
  ): Promise<ClientTokenResponse> {
    const clientId = await refreshingClient(request.credentials, context);
    if (request.refreshToken === undefined || request.refreshToken === '')
      throw new AuthError('invalid_request', { detail: 'refresh_token is missing' });
    if (request.resource?.length) {
      // RFC 8707 allows narrowing a refresh to a resource; the family's audience is kept instead
      throw new AuthError('invalid_target', { detail: 'a refresh keeps the audience of its sign-in' });
    }
    const scopes = parseScopeParameter(request.scope);
    const pair = await refreshTokens.refresh(request.refreshToken, { clientId, scopes }, context);
    return {
      access_token: pair.accessToken,
      token_type: 'Bearer',
      expires_in: pair.expiresIn,
      refresh_token: pair.refreshToken,
      ...(scopes ? { scope: scopes.join(' ') } : {}),
    };
  }

  /**
   * The code a native app's provider sign-in ended with (RFC 8252): only a public client redeems
   * one; any other authenticates, and never holds a code (`invalid_grant`).
   */
  async function authorizationCodeGrant(
    request: ClientTokenRequest,
    context: CallContext,
  ): Promise<ClientTokenResponse> {
    const clientId = await refreshingClient(request.credentials, context);
    const pair = await authorizationCodes.redeem(
      {
        code: request.code,
        clientId,
        redirectUri: request.redirectUri,
        codeVerifier: request.codeVerifier,
      },
      context,
    );
    return {
      access_token: pair.accessToken,
      token_type: 'Bearer',
      expires_in: pair.expiresIn,
      refresh_token: pair.refreshToken,
    };
  }

  async function exchangeGrant(
    client: Client,
    request: ClientTokenRequest,
    context: CallContext,
  ): Promise<ClientTokenResponse> {
    if (request.subjectToken === undefined || request.subjectTokenType === undefined) {
      throw new AuthError('invalid_request', { detail: 'subject_token and subject_token_type are required' });
    }
    const exchanged = await exchangeToken(
      {
        subjectToken: request.subjectToken,
        subjectTokenType: request.subjectTokenType as typeof ACCESS_TOKEN_TYPE_URN,
        ...(request.actorToken !== undefined ? { actorToken: request.actorToken } : {}),
        ...(request.actorTokenType !== undefined
          ? { actorTokenType: request.actorTokenType as typeof ACCESS_TOKEN_TYPE_URN }
          : {}),
        ...(request.requestedTokenType !== undefined
          ? { requestedTokenType: request.requestedTokenType as typeof ACCESS_TOKEN_TYPE_URN }
          : {}),
        ...(request.scope !== undefined ? { scope: request.scope } : {}),
        ...(request.audience?.length ? { audience: [...request.audience] } : {}),
        ...(request.resource?.length ? { resource: [...request.resource] } : {}),
        caller: { type: 'client', id: client.id, tenantId: client.tenantId, environment: client.environment },
      },
      context,
    );
    return exchanged;
  }

  function grantedScopes(client: Client, requested: string | undefined): string[] {
    const allowed = client.allowedScopes.filter((scope) => Object.hasOwn(options.scopes, scope));
    const asked = parseScopeParameter(requested);
    if (asked === undefined) return allowed;
    if (asked.some((scope) => !allowed.includes(scope))) {
      throw new AuthError('invalid_scope', { detail: 'a requested scope is not allowed for this client' });
    }
    return asked;
  }

  function audienceOf(resources: readonly string[]): string[] {
    if (resources.length > MAX_RESOURCES)
      throw new AuthError('invalid_target', { detail: 'too many resources' });
    for (const resource of resources) {
      // RFC 8707 §2: an absolute URI without a fragment, and here one the server knows
      const url = URL.parse(resource);
      if (!url || resource.includes('#') || !options.resources.includes(resource)) {
        throw new AuthError('invalid_target', { detail: 'unknown resource' });
      }
    }
    return [...new Set(resources)];
  }

  /** The install's issuer, or a tenant's own (`tokens.tenantIssuers`) with its JWKS under the mount. */
  async function issuerOf(tenantId: string | undefined): Promise<{ issuer: string; jwksUri: string }> {
    if (tenantId === undefined) return { issuer: urls.issuer, jwksUri: urls.jwksUri };
    const scope = await issuers.tenantScope(tenantId);
    if (!scope) throw new AuthError('not_found', { detail: 'this tenant has no issuer of its own' });
    const mount = urls.jwksUri.slice(0, -'/.well-known/jwks.json'.length);
    return { issuer: scope.issuer, jwksUri: `${mount}/tenants/${scope.tenantId}/.well-known/jwks.json` };
  }

  /** The verified token, whatever audience it was issued for; null when it does not verify. */
  async function verifiedToken(token: string): Promise<AccessTokenPrincipal | null> {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
    // whatever audience it was issued for (the resource server asking may be any of them): the
    // signature, issuer, expiry and revocation are what decide
    let audience: string | undefined;
    try {
      const { aud } = decodeJwt(token);
      audience = typeof aud === 'string' ? aud : aud?.[0];
    } catch {
      return null;
    }
    return accessTokens.verify(token, audience === undefined ? {} : { audience }).catch(() => null);
  }

  /** The verified token if the caller may learn about it: its own tenant and environment. */
  async function visibleToken(token: string, caller: Client): Promise<AccessTokenPrincipal | null> {
    const principal = await verifiedToken(token);
    if (!principal) return null;
    if (principal.tenantId !== caller.tenantId || principal.environment !== caller.environment) return null;
    if (principal.type === 'client') {
      // a deleted client's tokens are over, here at least
      const holder = await storage.clients.findById(principal.clientId);
      if (!holder || holder.status !== 'active' || holder.tenantId !== caller.tenantId) return null;
    }
    return principal;
  }

  /** The token is denied until its expiry: the revocation and its audit entry commit together. */
  function revokeAudited(
    principal: AccessTokenPrincipal,
    tenantId: string | null,
    actor: { type: 'client' | 'user'; id: string },
    context: CallContext,
  ) {
    return storage.transaction(async (tx) => {
      const now = clock.now();
      await tx.revokedAccessTokens.add({
        tokenId: principal.tokenId,
        expiresAt: principal.expiresAt,
        revokedAt: now,
      });
      await recordChange(tx, clock, context, {
        tenantId,
        action: actor.type === 'client' ? 'client.token_revoked' : 'access_token.revoked',
        actor,
        target: { type: 'access_token', id: principal.tokenId },
        data: { expiresAt: principal.expiresAt.toISOString() },
      });
    });
  }

  const api: ClientTokensApi = {
    async requestClientToken(request, context = {}) {
      if (request.grantType === undefined || request.grantType === '') {
        throw new AuthError('invalid_request', { detail: 'grant_type is missing' });
      }
      if (request.grantType === 'refresh_token') return refreshGrant(request, context);
      if (request.grantType === 'authorization_code') return authorizationCodeGrant(request, context);
      const { client } = await authenticator.authenticate(request.credentials, context);
      if (request.grantType === TOKEN_EXCHANGE_GRANT_TYPE) return exchangeGrant(client, request, context);
      if (request.grantType !== 'client_credentials') {
        throw new AuthError('unsupported_grant_type', {
          detail: `supported: ${OAUTH_GRANT_TYPES.join(', ')}`,
        });
      }
      const scopes = grantedScopes(client, request.scope);
      const audience = audienceOf(request.resource ?? []);
      // the client acts as itself: `sub` is its id, and `tid` and `env` are its own, never asked for
      const issued = await accessTokens.issue({
        subject: client.id,
        clientId: client.id,
        tenantId: client.tenantId,
        environment: client.environment,
        scopes,
        ...(audience.length > 0 ? { audience } : {}),
      });
      return {
        access_token: issued.token,
        token_type: 'Bearer',
        expires_in: issued.expiresInSeconds,
        scope: scopes.join(' '),
      };
    },

    async introspectToken(request, context = {}) {
      const { client } = await authenticator.authenticate(request.credentials, context);
      const principal = await visibleToken(request.token, client);
      if (!principal) return { active: false };
      return { ...principal.claims, active: true, token_type: 'Bearer' };
    },

    async revokeToken(request, context = {}) {
      if (request.token.startsWith('pc_rt_')) {
        // refresh tokens: the refresh-token domain's to revoke, for the client they were issued to
        const clientId = await refreshingClient(request.credentials, context);
        await refreshTokens.revoke(request.token, { clientId }, context);
        return;
      }
      if (isFirstPartyPublic(request.credentials)) {
        // the first-party app signs out an access token of its own (a user's, in token mode)
        const limited = await rateLimiter.consume(
          'tokenRefresh',
          context.ip ? `ip:${context.ip}` : 'first-party-revoke',
        );
        if (limited) (context.rateLimits ??= []).push(limited);
        const principal = await verifiedToken(request.token);
        const caller = request.credentials.clientId;
        if (!principal || principal.type !== 'user' || principal.clientId !== caller) return;
        await revokeAudited(principal, principal.tenantId, { type: 'user', id: principal.id }, context);
        return;
      }
      const { client } = await authenticator.authenticate(request.credentials, context);
      const principal = await visibleToken(request.token, client);
      // only a token issued to this client (RFC 7009 §2.1); anything else changes nothing
      if (!principal || principal.clientId !== client.id) return;
      await revokeAudited(principal, client.tenantId, { type: 'client', id: client.id }, context);
    },

    async authorizationServerMetadata(metadataOptions = {}) {
      const methods = [...CLIENT_AUTH_METHODS];
      const { issuer, jwksUri } = await issuerOf(metadataOptions.tenantId);
      return {
        issuer,
        token_endpoint: urls.tokenEndpoint,
        introspection_endpoint: urls.introspectionEndpoint,
        revocation_endpoint: urls.revocationEndpoint,
        jwks_uri: jwksUri,
        grant_types_supported: [...OAUTH_GRANT_TYPES],
        response_types_supported: [],
        code_challenge_methods_supported: ['S256'],
        // `none`: the first-party and native apps, public clients, refresh and revoke by client_id
        token_endpoint_auth_methods_supported: [...methods, 'none'],
        token_endpoint_auth_signing_alg_values_supported: ['ES256', 'EdDSA', 'RS256', 'PS256'],
        introspection_endpoint_auth_methods_supported: methods,
        revocation_endpoint_auth_methods_supported: [...methods, 'none'],
        scopes_supported: Object.keys(options.scopes),
      };
    },
  };

  return { api };
}
