import type { Auth } from '@portcullis/core';

/** The attributes of the session cookie, in the shape `cookies().set()` takes. */
export interface SessionCookieAttributes {
  httpOnly: true;
  sameSite: 'lax';
  secure: boolean;
  path: '/';
  maxAge: number;
}

/**
 * The attributes core's handler gives the session cookie (HttpOnly, SameSite=Lax, Path=/, Secure
 * on https, where the name carries `__Host-`), lasting until `expiresAt`, or expiring at once
 * when it is null. Max-Age rather than Expires, as core sends: it does not depend on the
 * browser's clock. For sign-ins the helpers of `createSessionHelpers` do not cover.
 *
 * @example
 * // a route handler that signs in through auth.api itself
 * const { token, session } = await auth.api.signIn({ email, password })
 * const jar = await cookies()
 * jar.set(auth.sessionCookieName, token, sessionCookieAttributes(auth, session.expiresAt))
 */
export function sessionCookieAttributes(
  auth: Auth,
  expiresAt: Date | null,
  now: number = Date.now(),
): SessionCookieAttributes {
  const maxAge = expiresAt ? Math.max(0, Math.floor((expiresAt.getTime() - now) / 1000)) : 0;
  return { httpOnly: true, sameSite: 'lax', secure: auth.config.secureCookies, path: '/', maxAge };
}
