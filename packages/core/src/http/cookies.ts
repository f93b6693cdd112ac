import { DEVICE_COOKIE_MAX_AGE_SECONDS } from '../rate-limit/index.js';
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

/**
 * The device cookie's name: `device.` and the session cookie's (so two apps on one host with
 * their own session cookies keep their own, and no code looking for the session cookie by its
 * name's start finds this one), with `__Host-` on https.
 */
export function deviceCookieName(options: SessionCookieOptions): string {
  return sessionCookieName({ ...options, name: `device.${options.name}` });
}

/**
 * The device cookie (see `rate-limit/known-devices.ts`): HttpOnly, SameSite=Lax (an OAuth
 * callback is a cross-site navigation and must still carry it), Path=/, Secure on https, for a
 * year after the sign-in that last set it. It grants nothing but failure counters of its own.
 */
export function serializeDeviceCookie(options: SessionCookieOptions, value: string): string {
  const parts = [
    `${deviceCookieName(options)}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${DEVICE_COOKIE_MAX_AGE_SECONDS}`,
  ];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
