import { z } from 'zod';
import { type ClientCredentials, OAUTH_GRANT_TYPES } from '../../clients/index.js';
import { AuthError, isAuthError } from '../../errors.js';
import { ACCESS_TOKEN_TYPE_URN } from '../../tokens/index.js';
import { readFormBody } from '../form-body.js';
import { problemSchema } from '../response-schemas.js';
import { defineRoute, type RouteResult } from '../route.js';
import { STATUS_BY_CODE } from '../status-codes.js';

/**
 * The OAuth 2.0 endpoints of the authorization server: token (client credentials, native apps'
 * authorization codes, refresh and token exchange), introspection (RFC 7662), revocation (RFC 7009) and metadata (RFC 8414). They
 * speak OAuth, not problem+json: form-encoded requests, and errors as RFC 6749 §5.2 bodies
 * `{ error, error_description }`, with `Cache-Control: no-store` (the handler sets it on every
 * response).
 */

/** The error codes an OAuth endpoint answers with as they are: RFC 6749 §5.2 and RFC 8707. */
const OAUTH_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'invalid_scope',
  'invalid_target',
  'unsupported_grant_type',
]);

/**
 * Codes of the domains behind the token endpoint, as RFC 6749 §5.2 names them: a refresh token
 * that is invalid or spent is an `invalid_grant`. Anything else unknown is `invalid_request`
 * (RFC 8693 §2.2.2 asks that of a refused exchange, `forbidden` here).
 */
const OAUTH_ERROR_OF: Readonly<Record<string, string>> = {
  refresh_token_invalid: 'invalid_grant',
  refresh_token_reused: 'invalid_grant',
};

const oauthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });
const oauthError = (description: string) => ({ description, schema: oauthErrorSchema });
/**
 * The metadata changes only with the configuration (a deploy): clients may cache it for an hour,
 * as they do the JWKS for its own time.
 */
const METADATA_CACHE = { 'cache-control': 'public, max-age=3600' };
/** Pragma for HTTP/1.0 caches, as RFC 6749 §5.1 shows beside `Cache-Control: no-store`. */
const NO_CACHE = { pragma: 'no-cache' };

/** An error as the OAuth endpoints answer it; server-side failures stay the handler's 5xx. */
function oauthErrorResult(error: unknown, request: Request): RouteResult {
  if (!isAuthError(error)) throw error;
  // a 429 is the handler's, as on every rate-limited route (problem+json, Retry-After and
  // RateLimit headers): RFC 6749 defines no error for it
  if (STATUS_BY_CODE[error.code] >= 500 || error.code === 'rate_limited') throw error;
  const code = OAUTH_ERRORS.has(error.code) ? error.code : (OAUTH_ERROR_OF[error.code] ?? 'invalid_request');
  const body = { error: code, ...(error.detail ? { error_description: error.detail } : {}) };
  if (code === 'invalid_client') {
    // RFC 6749 §5.2: a client that tried the Authorization header is answered 401 with the
    // scheme it used; otherwise 401 too (it is what clients expect), without a challenge
    const triedBasic = /^Basic\b/i.test(request.headers.get('authorization') ?? '');
    return {
      status: 401,
      body,
      headers: triedBasic
        ? { ...NO_CACHE, 'www-authenticate': 'Basic realm="oauth", charset="UTF-8"' }
        : NO_CACHE,
    };
  }
  return { status: 400, body, headers: NO_CACHE };
}

function one(form: Map<string, string[]>, name: string): string | undefined {
  return form.get(name)?.[0];
}

function credentialsOf(request: Request, form: Map<string, string[]>): ClientCredentials {
  return {
    authorization: request.headers.get('authorization'),
    clientId: one(form, 'client_id'),
    clientSecret: one(form, 'client_secret'),
    clientAssertionType: one(form, 'client_assertion_type'),
    clientAssertion: one(form, 'client_assertion'),
  };
}

function requiredToken(form: Map<string, string[]>): string {
  const token = one(form, 'token');
  if (token === undefined || token.length === 0)
    throw new AuthError('invalid_request', { detail: 'token is missing' });
  return token;
}

// The forms, for the OpenAPI document (the routes read them with readFormBody).
const clientAuthenticationForm = {
  client_id: z
    .string()
    .optional()
    .describe(
      'With client_secret (client_secret_post); alone for the first-party public client (refresh_token grant, revocation of its own tokens); with HTTP Basic, in the Authorization header instead',
    ),
  client_secret: z.string().optional().describe('client_secret_post'),
  client_assertion_type: z
    .literal('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    .optional()
    .describe('private_key_jwt (RFC 7523)'),
  client_assertion: z
    .string()
    .optional()
    .describe('private_key_jwt: a JWT signed by the client, aud the issuer, exp at most 5 min ahead'),
};

const tokenForm = z.object({
  grant_type: z.enum(OAUTH_GRANT_TYPES),
  scope: z
    .string()
    .optional()
    .describe(
      "Space-separated: a subset of the client's allowed scopes (client_credentials), of the family's (refresh_token) or of the subject token's (token exchange)",
    ),
  resource: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe('RFC 8707 resource indicator; repeat the parameter for several: sets aud'),
  refresh_token: z.string().optional().describe('refresh_token grant: the last refresh token; it is spent'),
  code: z
    .string()
    .optional()
    .describe("authorization_code grant: the one-time code of a native app's provider sign-in"),
  redirect_uri: z
    .string()
    .optional()
    .describe('authorization_code grant: the redirect_uri of the sign-in, exactly as sent there'),
  code_verifier: z.string().optional().describe('authorization_code grant: the PKCE verifier (RFC 7636)'),
  subject_token: z.string().optional().describe('Token exchange: the access token of the user acted for'),
  subject_token_type: z.literal(ACCESS_TOKEN_TYPE_URN).optional(),
  actor_token: z.string().optional().describe('Token exchange, delegation: the access token of who acts'),
  actor_token_type: z.literal(ACCESS_TOKEN_TYPE_URN).optional(),
  requested_token_type: z.literal(ACCESS_TOKEN_TYPE_URN).optional(),
  audience: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe('Token exchange: a target service; repeat the parameter for several'),
  ...clientAuthenticationForm,
});

const tokenOperationForm = z.object({
  token: z.string().describe('An access token, or a refresh token (pc_rt_…)'),
  token_type_hint: z.enum(['access_token', 'refresh_token']).optional(),
  ...clientAuthenticationForm,
});

export const oauthServerRoutes = [
  defineRoute({
    method: 'POST',
    path: '/oauth/token',
    operationId: 'oauthToken',
    summary:
      'Token endpoint (form-encoded): client_credentials, authorization_code (native apps, PKCE S256), refresh_token and token exchange (RFC 8693); client_secret_basic, client_secret_post, private_key_jwt, or none for the first-party and native public clients',
    form: tokenForm,
    tag: 'oauth',
    auth: 'none',
    rateLimited: true,
    responses: {
      200: {
        description: 'An access token; a refresh token only for the refresh and authorization-code grants',
        schema: z.object({
          access_token: z.string(),
          token_type: z.literal('Bearer'),
          expires_in: z.number(),
          scope: z.string().optional(),
          refresh_token: z.string().optional(),
          issued_token_type: z.literal(ACCESS_TOKEN_TYPE_URN).optional(),
        }),
      },
      400: oauthError(
        'invalid_request, invalid_grant (a refresh token invalid, expired, revoked or spent; a code used, expired, of another client, or with another redirect_uri or a wrong code_verifier), invalid_scope, invalid_target or unsupported_grant_type',
      ),
      401: oauthError('invalid_client'),
      429: oauthError('rate_limited'),
    },
    async handle({ api, request, call }) {
      try {
        const form = await readFormBody(request, ['resource', 'audience']);
        const token = await api.requestClientToken(
          {
            grantType: one(form, 'grant_type'),
            scope: one(form, 'scope'),
            resource: form.get('resource') ?? [],
            audience: form.get('audience') ?? [],
            refreshToken: one(form, 'refresh_token'),
            code: one(form, 'code'),
            redirectUri: one(form, 'redirect_uri'),
            codeVerifier: one(form, 'code_verifier'),
            subjectToken: one(form, 'subject_token'),
            subjectTokenType: one(form, 'subject_token_type'),
            actorToken: one(form, 'actor_token'),
            actorTokenType: one(form, 'actor_token_type'),
            requestedTokenType: one(form, 'requested_token_type'),
            credentials: credentialsOf(request, form),
          },
          call,
        );
        return { status: 200, body: token, headers: NO_CACHE };
      } catch (error) {
        return oauthErrorResult(error, request);
      }
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/oauth/introspect',
    operationId: 'oauthIntrospect',
    summary:
      "Token introspection (RFC 7662, form-encoded) by an authenticated client: active only for its own tenant's and environment's tokens",
    tag: 'oauth',
    auth: 'none',
    rateLimited: true,
    form: tokenOperationForm,
    responses: {
      200: {
        description: '{ active: false }, or active: true with the token claims',
        schema: z.object({ active: z.boolean() }).catchall(z.unknown()),
      },
      400: oauthError('invalid_request'),
      401: oauthError('invalid_client'),
    },
    async handle({ api, request, call }) {
      try {
        const form = await readFormBody(request);
        const answer = await api.introspectToken(
          {
            token: requiredToken(form),
            tokenTypeHint: one(form, 'token_type_hint'),
            credentials: credentialsOf(request, form),
          },
          call,
        );
        return { status: 200, body: answer, headers: NO_CACHE };
      } catch (error) {
        return oauthErrorResult(error, request);
      }
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/oauth/revoke',
    operationId: 'oauthRevoke',
    summary: 'Token revocation (RFC 7009, form-encoded) by an authenticated client; 200 for unknown tokens',
    tag: 'oauth',
    auth: 'none',
    rateLimited: true,
    form: tokenOperationForm,
    responses: {
      200: { description: 'Revoked, or nothing to revoke' },
      400: oauthError('invalid_request'),
      401: oauthError('invalid_client'),
    },
    async handle({ api, request, call }) {
      try {
        const form = await readFormBody(request);
        await api.revokeToken(
          {
            token: requiredToken(form),
            tokenTypeHint: one(form, 'token_type_hint'),
            credentials: credentialsOf(request, form),
          },
          call,
        );
        return { status: 200, headers: NO_CACHE };
      } catch (error) {
        return oauthErrorResult(error, request);
      }
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/.well-known/oauth-authorization-server',
    operationId: 'oauthAuthorizationServerMetadata',
    summary: 'Authorization server metadata (RFC 8414)',
    tag: 'oauth',
    auth: 'none',
    responses: {
      200: {
        description: 'The metadata',
        schema: z.object({ issuer: z.string(), token_endpoint: z.string() }).catchall(z.unknown()),
      },
    },
    async handle({ api }) {
      return { status: 200, body: await api.authorizationServerMetadata(), headers: METADATA_CACHE };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/tenants/:tenantId/.well-known/oauth-authorization-server',
    operationId: 'oauthTenantAuthorizationServerMetadata',
    summary: "Authorization server metadata (RFC 8414) of an isolated-pool tenant's own issuer",
    tag: 'oauth',
    auth: 'none',
    params: z.object({ tenantId: z.string().min(1).max(64) }),
    responses: {
      200: {
        description: 'The metadata: the tenant issuer and its JWKS, the shared endpoints',
        schema: z.object({ issuer: z.string(), token_endpoint: z.string() }).catchall(z.unknown()),
      },
      404: {
        description:
          'The tenant has no issuer of its own (tenantIssuers off, a shared pool, or no such tenant)',
        schema: problemSchema,
      },
    },
    async handle({ api, params }) {
      const body = await api.authorizationServerMetadata({ tenantId: params.tenantId });
      return { status: 200, body, headers: METADATA_CACHE };
    },
  }),
];
