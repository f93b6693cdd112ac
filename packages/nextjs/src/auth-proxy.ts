import { type NextRequest, NextResponse } from 'next/server';

export interface AuthProxyOptions {
  /** Where signed-out visitors are sent. Default `/login`; never itself redirected. */
  loginPath?: string;
  /**
   * Path prefixes to guard (`/dashboard` guards `/dashboard` and `/dashboard/…`). Default: every
   * request the file's `config.matcher` lets through.
   */
  protectedPaths?: string[];
  /**
   * `session.cookieName` as given to `createAuth`. Default `portcullis.session`; the `__Host-`
   * name used on https is recognised as well.
   */
  cookieName?: string;
  /** Query parameter carrying the requested path and query to the login page, or false. Default `returnTo`. */
  returnToParam?: string | false;
}

/**
 * A `proxy` (Next.js 16; `middleware` before) that redirects requests without a session cookie
 * to the login page. It only looks at whether the cookie is there: no database, no Node.js API,
 * so it runs on the edge runtime too and costs nothing. A present but revoked or expired cookie
 * passes, so it is a convenience for redirecting early, not the access check: pages and
 * actions must still call `getSession()` / `requireSession()`, which validate the session.
 * Import it from `@portcullis/nextjs/proxy`, which pulls in nothing else.
 *
 * It answers nothing (the request goes on) when it lets a request through, so it composes.
 *
 * @example
 * // proxy.ts (middleware.ts before Next.js 16: `export const middleware = …`)
 * import { authProxy } from '@portcullis/nextjs/proxy'
 *
 * export const proxy = authProxy({ loginPath: '/login' })
 * export const config = { matcher: ['/dashboard/:path*', '/settings/:path*'] }
 */
export function authProxy(
  options: AuthProxyOptions = {},
): (request: NextRequest) => NextResponse | undefined {
  const loginPath = options.loginPath ?? '/login';
  const name = options.cookieName ?? 'portcullis.session';
  const returnToParam = options.returnToParam ?? 'returnTo';
  const guards = options.protectedPaths?.map((p) => p.replace(/\/+$/, '') || '/');

  return function portcullisProxy(request) {
    const { pathname, search } = request.nextUrl;
    if (pathname === loginPath) return undefined;
    if (guards && !guards.some((p) => p === '/' || pathname === p || pathname.startsWith(`${p}/`))) {
      return undefined;
    }
    if (request.cookies.get(name)?.value || request.cookies.get(`__Host-${name}`)?.value) return undefined;

    const login = request.nextUrl.clone();
    login.pathname = loginPath;
    login.search = '';
    if (returnToParam) login.searchParams.set(returnToParam, pathname + search);
    return NextResponse.redirect(login);
  };
}
