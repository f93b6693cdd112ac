import { AuthError } from '@portcullis/core';
import { authErrorHandler } from '@portcullis/express';

/**
 * Error handling for the app's own `/api` routes, which answer every failure as problem+json, the
 * way Portcullis's routes do, never as Express's HTML page (which carries a stack trace outside
 * production):
 *
 * - `AuthError`s (from `auth.api`, the guards, the documents' input checks) and the errors of
 *   `express.json()` become core's problems, through `authErrorHandler()`;
 * - an `/api` path no route takes is a 404 `not_found`;
 * - the other client errors Express's body parser raises (an unsupported charset or encoding, an
 *   aborted body) keep their 4xx status with the matching code;
 * - anything else is logged and answered as a bare 500 `internal_error`, its message and stack
 *   kept out of the response.
 *
 * @param {import('@portcullis/core').Logger | undefined} logger
 * @returns {import('express').RequestHandler[] | import('express').ErrorRequestHandler[]}
 * @example
 * app.use('/api', ...apiErrors(logger)) // after the /api routes
 */
export function apiErrors(logger) {
  const answerProblem = authErrorHandler();
  return [
    (_req, _res, next) => next(new AuthError('not_found', { detail: 'no such route' })),
    (error, req, res, next) => answerProblem(clientError(error) ?? error, req, res, next),
    (error, req, res, next) => {
      if (res.headersSent) {
        next(error);
        return;
      }
      const fields = {
        requestId: res.getHeader('x-request-id'),
        method: req.method,
        path: req.originalUrl,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      };
      if (logger) logger.error(fields, 'unexpected error in an /api route');
      else console.error('[portcullis example] unexpected error in an /api route', fields);
      answerProblem(new AuthError('internal_error'), req, res, next);
    },
  ];
}

/** A 4xx error of Express's body parser that `authErrorHandler()` does not know, as an AuthError. */
function clientError(error) {
  if (typeof error !== 'object' || error === null) return null;
  const { status, type } = error;
  if (typeof type !== 'string' || typeof status !== 'number' || status < 400 || status >= 500) return null;
  if (type === 'entity.parse.failed' || type === 'entity.too.large') return null; // authErrorHandler's
  if (status === 415) return new AuthError('unsupported_media_type', { detail: 'send UTF-8 JSON' });
  return new AuthError('invalid_request', { detail: 'the request body could not be read' });
}
