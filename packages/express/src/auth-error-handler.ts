import { AuthError, isAuthError } from '@portcullis/core';
import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import { sendProblem } from './problem-response.js';

/** What body-parser (`express.json()` and friends) attaches to the errors it raises. */
interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

/**
 * Error middleware that answers an `AuthError` thrown by an app route (for example from
 * `auth.api.getTenant()`) as problem+json, with the status and body core uses. The errors of
 * `express.json()` become the same problems core gives: malformed JSON → 400 `invalid_json`,
 * too large → 413 `payload_too_large`. Anything else goes on to the next error handler.
 *
 * Register it after your routes. In Express 4, async route handlers must pass errors to `next`.
 *
 * @example
 * app.get('/api/tenants/:id', requireAuth(auth), async (req, res, next) => {
 *   try {
 *     res.json(await auth.api.getTenant(req.params.id, req.auth!.user.id))
 *   } catch (error) {
 *     next(error) // AuthError('not_found') → 404 problem+json
 *   }
 * })
 * app.use(authErrorHandler())
 */
export function authErrorHandler(): ErrorRequestHandler {
  return function portcullisErrorHandler(error: unknown, _req: Request, res: Response, next: NextFunction) {
    const problem = isAuthError(error) ? error : fromBodyParser(error);
    if (!problem || res.headersSent) {
      next(error);
      return;
    }
    sendProblem(res, problem);
  };
}

function fromBodyParser(error: unknown): AuthError | null {
  if (typeof error !== 'object' || error === null) return null;
  const { type, status } = error as BodyParserError;
  if (type === 'entity.parse.failed' && status === 400) {
    return new AuthError('invalid_json', { detail: 'the body is not valid JSON' });
  }
  if (type === 'entity.too.large' && status === 413) return new AuthError('payload_too_large');
  return null;
}
