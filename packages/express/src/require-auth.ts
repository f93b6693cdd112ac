import type { Auth, Session, User } from '@portcullis/core';
import { AuthError, isAuthError, readApiKey } from '@portcullis/core';
import type { Decision } from '@portcullis/core/authorization';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem } from './problem-response.js';
import { authenticateApiKey } from './require-api-key.js';

/**
 * What {@link requireAuth} (and the guards built on it) put on `req.auth`. A request with an
 * `Authorization: Bearer <access token>` (token mode) gets the same: the user and the session
 * the token was issued for, read after the token verified (so a revoked session is refused at
 * once, whatever the access token's own revocation state has heard).
 */
export interface RequestAuth {
  user: User;
  session: Session;
  /** The decision that let the request through, set by `requirePermission()`. */
  decision?: Decision;
}

declare global {
  namespace Express {
    interface Request {
      /**
       * The signed-in user and session, set by `requireAuth()`, `requirePermission()` or
       * `requireStepUp()` from `@portcullis/express`; `decision` by `requirePermission()`.
       */
      auth?: RequestAuth;
    }
  }
}

export interface RequireAuthOptions {
  /**
   * Let signed-out requests through with `req.auth` undefined instead of answering 401, for
   * routes that only personalise. Default false.
   */
  optional?: boolean;
  /**
   * Also accept an API key (`x-api-key`, or `Authorization: Bearer` with a key rather than an
   * access token): a request that carries one is authenticated by it alone (a session cookie
   * beside it is not read), verified into `req.apiKey` (see `requireApiKey`), and `req.auth`
   * stays unset. `{ environment: 'live' }` refuses keys of other environments inside the
   * verification, before the key's rate-limit policies and credits count the request. Nothing
   * here decides a permission: a use your own check refuses afterwards has already counted
   * (use `requireApiKey(auth, { permission })`, which decides before counting, where that
   * matters). Default false: sessions and access tokens only.
   */
  apiKeys?: boolean | { environment?: string };
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Middleware that validates the session cookie, or, without one, an `Authorization: Bearer`
 * access token (token mode), and sets `req.auth = { user, session }`. Without a valid session it
 * answers 401 problem+json with `code: 'unauthenticated'` (or, with `optional`, continues
 * without `req.auth`).
 *
 * When the session travels in a cookie, unsafe methods (POST, PUT, PATCH, DELETE) must also
 * come from a trusted origin (`baseURL` or `trustedOrigins`), as on Portcullis's own routes;
 * otherwise 403 `csrf_origin_mismatch`. Bearer-only requests need no Origin.
 *
 * @example
 * app.get('/api/me', requireAuth(auth), (req, res) => {
 *   res.json({ email: req.auth!.user.email })
 * })
 */
export function requireAuth(auth: Auth, options: RequireAuthOptions = {}): RequestHandler {
  return function portcullisRequireAuth(req: Request, res: Response, next: NextFunction) {
    authenticate(auth, req, res, options).then((passed) => {
      if (passed) next();
    }, next);
  };
}

/**
 * `req.auth`, authenticating first (session cookie, and Origin on unsafe methods) unless an
 * earlier `requireAuth()` did; null when it failed and the problem has been sent.
 */
export async function ensureAuthenticated(
  auth: Auth,
  req: Request,
  res: Response,
): Promise<RequestAuth | null> {
  if (req.auth) return req.auth;
  return (await authenticate(auth, req, res, {})) ? (req.auth ?? null) : null;
}

/**
 * True when the request may go on; otherwise the problem has been sent. The cookie and the
 * origin headers are read from `req.headers` as Node parsed them: a Web `Request` is built only
 * for Portcullis's own routes.
 */
async function authenticate(auth: Auth, req: Request, res: Response, options: RequireAuthOptions) {
  if (options.apiKeys && readApiKey(req.headers) !== null) {
    const environment = typeof options.apiKeys === 'object' ? options.apiKeys.environment : undefined;
    try {
      await authenticateApiKey(auth, req, res, environment === undefined ? {} : { environment });
    } catch (error) {
      if (!isAuthError(error)) throw error;
      sendProblem(res, error);
      return false;
    }
    return true;
  }
  const found = await auth.api.getSession(req.headers);
  if (!found) {
    if (options.optional) return true;
    sendProblem(res, new AuthError('unauthenticated'));
    return false;
  }
  if (UNSAFE_METHODS.has(req.method.toUpperCase())) {
    try {
      // a cookie request must prove its origin; a bearer-only one (token mode) need not
      auth.assertTrustedOrigin(req.headers);
    } catch (error) {
      if (!isAuthError(error)) throw error;
      sendProblem(res, error);
      return false;
    }
  }
  req.auth = { user: found.user, session: found.session };
  return true;
}
