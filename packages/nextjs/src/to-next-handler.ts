import { type AuthSource, resolveAuth } from './auth-source.js';

/** A route handler as the App Router calls it. */
export type NextRouteHandler = (request: Request) => Promise<Response>;

/** The exports of `app/api/auth/[...portcullis]/route.ts`. */
export interface NextRouteHandlers {
  GET: NextRouteHandler;
  POST: NextRouteHandler;
  PUT: NextRouteHandler;
  PATCH: NextRouteHandler;
  DELETE: NextRouteHandler;
}

/**
 * Route handlers serving every Portcullis route from a catch-all App Router route. The folder
 * must match `basePath`: with `app/api/auth/[...portcullis]/route.ts`, create the instance with
 * `basePath: '/api/auth'` (core answers 404 `not_found` for paths outside its base path). HEAD
 * and OPTIONS are answered by Next.js from GET.
 *
 * The request goes to `auth.handler` untouched. Next.js gives route handlers no socket address:
 * behind `next start` or a proxy, set `trustProxy` in `createAuth` and core reads the client IP
 * from `X-Forwarded-For`.
 *
 * @example
 * // app/api/auth/[...portcullis]/route.ts
 * import { toNextHandler } from '@portcullis/nextjs'
 * import { auth } from '@/lib/auth' // createAuth({ ..., basePath: '/api/auth' })
 *
 * export const { GET, POST, PUT, PATCH, DELETE } = toNextHandler(auth)
 */
export function toNextHandler(auth: AuthSource): NextRouteHandlers {
  const handle: NextRouteHandler = async (request) => (await resolveAuth(auth)).handler(request);
  return { GET: handle, POST: handle, PUT: handle, PATCH: handle, DELETE: handle };
}
