import { z } from 'zod';
import type { ClientCredentials } from '../../clients/index.js';
import { AuthError, isAuthError } from '../../errors.js';
import { readFormBody } from '../form-body.js';
import { defineRoute, type RouteResult } from '../route.js';
import { STATUS_BY_CODE } from '../status-codes.js';

/**
 * The OAuth 2.0 endpoints of the authorization server for M2M clients: token (client
 * credentials), introspection (RFC 7662), revocation (RFC 7009) and metadata (RFC 8414). They
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

const oauthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });
const oauthError = (description: string) => ({ description, schema: oauthErrorSchema });
/** Pragma for HTTP/1.0 caches, as RFC 6749 §5.1 shows beside `Cache-Control: no-store`. */
const NO_CACHE = { pragma: 'no-cache' };

/** An error as the OAuth endpoints answer it; server-side failures stay the handler's 5xx. */
function oauthErrorResult(error: unknown, request: Request): RouteResult {
  if (!isAuthError(error)) throw error;
  // a 429 is the handler's, as on every rate-limited route (problem+json, Retry-After and
  // RateLimit headers): RFC 6749 defines no error for it
  if (STATUS_BY_CODE[error.code] >= 500 || error.code === 'rate_limited') throw error;
  const code = OAUTH_ERRORS.has(error.code) ? error.code : 'invalid_request';
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

const formBody = {
  description: 'application/x-www-form-urlencoded parameters (RFC 6749 §3.2)',
};

export const oauthServerRoutes = [
  defineRoute({
    method: 'POST',
    path: '/oauth/token',
    operationId: 'oauthToken',
    summary:
      'Token endpoint (form-encoded): client_credentials for M2M clients; client_secret_basic, client_secret_post or private_key_jwt',
    tag: 'oauth',
    auth: 'none',
    rateLimited: true,
    responses: {
      200: {
        description: `An access token (no refresh token). ${formBody.description}`,
        schema: z.object({
          access_token: z.string(),
          token_type: z.literal('Bearer'),
          expires_in: z.number(),
          scope: z.string(),
        }),
      },
      400: oauthError('invalid_request, invalid_scope, invalid_target or unsupported_grant_type'),
      401: oauthError('invalid_client'),
      429: oauthError('rate_limited'),
    },
    async handle({ api, request, call }) {
      try {
        const form = await readFormBody(request, ['resource']);
        const token = await api.requestClientToken(
          {
            grantType: one(form, 'grant_type'),
            scope: one(form, 'scope'),
            resource: form.get('resource') ?? [],
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
      return { status: 200, body: api.authorizationServerMetadata() };
    },
  }),
];
