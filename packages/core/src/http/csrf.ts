import { AuthError } from '../errors.js';

/**
 * CSRF defence for unsafe methods: a browser always sends `Origin` on cross-origin POSTs, so a
 * present, untrusted Origin is refused, as is `Sec-Fetch-Site: cross-site`. A request that
 * carries the session cookie must prove its origin (Origin, or Referer when a privacy setting
 * stripped Origin); one without a cookie cannot ride on a victim's session and may omit both.
 * Throws `AuthError('csrf_origin_mismatch')`.
 */
export function assertTrustedOrigin(
  headers: Headers,
  trustedOrigins: ReadonlySet<string>,
  hasSessionCookie: boolean,
): void {
  const origin = headers.get('origin');
  if (origin && origin !== 'null') {
    if (!trustedOrigins.has(origin)) throw new AuthError('csrf_origin_mismatch');
    return;
  }
  if (headers.get('sec-fetch-site') === 'cross-site' || origin === 'null') {
    throw new AuthError('csrf_origin_mismatch');
  }
  if (!hasSessionCookie) return;
  const referer = headers.get('referer');
  let refererOrigin: string | null = null;
  try {
    refererOrigin = referer ? new URL(referer).origin : null;
  } catch {
    refererOrigin = null;
  }
  if (!refererOrigin || !trustedOrigins.has(refererOrigin)) {
    throw new AuthError('csrf_origin_mismatch', { detail: 'cookie-authenticated requests must send Origin' });
  }
}
