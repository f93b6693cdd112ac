import { AuthError, isAuthError, problemResponse } from '@portcullis/core';

/**
 * Wraps a route handler of the app's own `/api` so that every failure is answered as
 * problem+json, the way Portcullis's routes answer: an `AuthError` with its status and code
 * (`problemResponse`), anything else logged on the server and answered as a bare 500
 * `internal_error`, never as Next.js's HTML error page (which shows a stack trace in development).
 *
 * @example
 * // app/api/me/route.ts
 * export const GET = apiRoute(async () => {
 *   const found = await getSession()
 *   if (!found) throw new AuthError('unauthenticated')
 *   return Response.json({ user: found.user.id })
 * })
 */
export function apiRoute<Args extends unknown[]>(
  handler: (...args: Args) => Promise<Response>,
): (...args: Args) => Promise<Response> {
  return async (...args) => {
    try {
      return await handler(...args);
    } catch (error) {
      if (isAuthError(error)) return problemResponse(error);
      console.error('[portcullis example] unexpected error in an /api route', error);
      return problemResponse(new AuthError('internal_error'));
    }
  };
}
