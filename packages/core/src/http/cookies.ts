import { type SessionCookieOptions, sessionCookieName } from '../sessions/session-cookie.js';

export function serializeSessionCookie(
  options: SessionCookieOptions,
  token: string,
  maxAgeSeconds: number,
): string {
  const parts = [
    `${sessionCookieName(options)}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
  ];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

export function serializeClearedSessionCookie(options: SessionCookieOptions): string {
  return serializeSessionCookie(options, '', 0);
}
