import {
  type ApiKeyToAuthorize,
  type Auth,
  AuthError,
  rateLimitHeaders,
  readApiKey,
  type VerifiedApiKey,
} from '@portcullis/core';
import type { AuthorizationResource } from '@portcullis/core/authorization';
import type { Request, RequestHandler, Response } from 'express';
import { runGuard } from './run-guard.js';

type MaybePromise<T> = T | Promise<T>;

declare global {
  namespace Express {
    interface Request {
      /**
       * The API key that authenticated the request, set by `requireApiKey()` (or by
       * `requireAuth({ apiKeys: true })` when the request carried a key instead of a session).
       */
      apiKey?: VerifiedApiKey;
    }
  }
}

export interface RequireApiKeyOptions {
  /**
   * The environment this route serves (`live`, `test`…): a key of another one is refused with
   * 403 `api_key_wrong_environment`, whatever it may do. Default: any configured environment.
   */
  environment?: string;
  /**
   * An action the key must be allowed (`auth.api.authorize` with the key as principal, this
   * request's IP as `context.ip`): its permissions, its own condition, its owner's current
   * permissions and the tenant's deny policies all apply. Denied: 403 `forbidden` with the
   * reason. Decided inside the verification, before the key's rate-limit policies and credits
   * count the request, so a refused use (e.g. from outside the key's CIDR) spends nothing.
   */
  permission?: string;
  /**
   * The resource acted on, for conditions and policies that read `resource.*`. Called once the
   * key is found valid and before it is counted: `req.apiKey` is not set yet, the key (its
   * tenant, its summary) is the second argument.
   */
  resource?: (req: Request, key: ApiKeyToAuthorize) => MaybePromise<AuthorizationResource | undefined>;
}

/**
 * Middleware that authenticates a request by API key, from `x-api-key` or
 * `Authorization: Bearer <key>`, and sets `req.apiKey` (the key, its tenant and its principal).
 * No key: 401 `unauthenticated`. A key that does not verify: 401 with its own code
 * (`api_key_malformed`, `api_key_invalid`, `api_key_expired`, `api_key_revoked`); a key of
 * another environment: 403 `api_key_wrong_environment`. Over one of the key's rate-limit
 * policies: 429 `rate_limited`; out of credits: 429 `api_key_credits_exhausted`; both with
 * `Retry-After`. The response carries the `RateLimit-Policy` / `RateLimit` fields of the policies
 * that counted the request, on success and on refusal.
 *
 * @example
 * app.get('/api/v1/invoices', requireApiKey(auth, { environment: 'live', permission: 'invoice.read' }), (req, res) => {
 *   res.json(await invoices.list(req.apiKey!.tenantId))
 * })
 */
export function requireApiKey(auth: Auth, options: RequireApiKeyOptions = {}): RequestHandler {
  return function portcullisRequireApiKey(req, res, next) {
    runGuard(res, next, async () => {
      await authenticateApiKey(auth, req, res, options);
      return true;
    });
  };
}

/**
 * Verifies the request's API key into `req.apiKey` (throwing the refusal as an `AuthError`, whose
 * problem carries its own rate-limit fields), with `options.permission` decided by the
 * verification before the key's limits count it, and sets the `RateLimit` fields of a key that
 * passed.
 */
export async function authenticateApiKey(
  auth: Auth,
  req: Request,
  res: Response,
  options: RequireApiKeyOptions,
): Promise<void> {
  const presented = readApiKey(req.headers);
  if (!presented) {
    throw new AuthError('unauthenticated', {
      detail: 'an API key is required (x-api-key or Authorization: Bearer)',
    });
  }
  const call = auth.callContext(req.headers, { clientIp: req.socket.remoteAddress ?? null });
  const { permission, resource } = options;
  const verified = await auth.api.verifyApiKey(presented, {
    ...(options.environment !== undefined ? { environment: options.environment } : {}),
    ...(permission !== undefined
      ? { authorize: { action: permission, ...(resource ? { resource: (key) => resource(req, key) } : {}) } }
      : {}),
    context: call,
  });
  req.apiKey = verified;
  const fields = rateLimitHeaders(call.rateLimits ?? []);
  if (fields) {
    res.setHeader('ratelimit-policy', fields.policy);
    res.setHeader('ratelimit', fields.limit);
  }
}

/**
 * Middleware for routes of one environment: a request authenticated by an API key of another
 * environment is refused with 403 `api_key_wrong_environment` (a `test` key never reaches a
 * `live` route). Place it after `requireApiKey()` or `requireAuth({ apiKeys: true })`. A request
 * signed in with a session (a person, not a credential of an environment) passes.
 *
 * @example
 * app.use('/api/v1', requireAuth(auth, { apiKeys: true }), requireEnvironment('live'))
 */
export function requireEnvironment(environment: string): RequestHandler {
  return function portcullisRequireEnvironment(req, res, next) {
    runGuard(res, next, async () => {
      if (req.apiKey) {
        if (req.apiKey.environment !== environment) {
          throw new AuthError('api_key_wrong_environment', {
            detail: `a ${req.apiKey.environment} key cannot be used for ${environment}`,
          });
        }
        return true;
      }
      if (req.auth) return true;
      throw new AuthError('unauthenticated');
    });
  };
}
