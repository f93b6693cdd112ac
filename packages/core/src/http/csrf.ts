import { AuthError } from '../errors.js';
import { headerValue, type RequestHeaders } from '../request-headers.js';

/**
 * CSRF defence for unsafe methods: a browser always sends `Origin` on cross-origin POSTs, so a
 * present, untrusted Origin is refused (`null` included: sandboxed frames and some redirects
 * send it, and it names no origin to trust), as is `Sec-Fetch-Site: cross-site`. A request that
 * carries the session cookie must prove its origin (Origin, or a Referer from a trusted origin
 * when a privacy setting stripped Origin); one without a cookie cannot ride on a victim's
 * session and may omit both. Throws `AuthError('csrf_origin_mismatch')` whose `detail` names
 * what was received and the origins expected (`baseURL` and `trustedOrigins`), so a developer
 * whose `baseURL` is not the origin the pages come from sees why.
 *
 * `headers` may be Web `Headers` or Node's header object (`req.headers`): the same three headers
 * are read, by the same rules.
 */
export function assertTrustedOrigin(
  headers: RequestHeaders,
  trustedOrigins: ReadonlySet<string>,
  hasSessionCookie: boolean,
): void {
  const origin = headerValue(headers, 'origin');
  if (origin && origin !== 'null') {
    if (!trustedOrigins.has(origin)) refuse(`Origin ${quoted(origin)} is not trusted`, trustedOrigins);
    return;
  }
  if (origin === 'null') refuse('Origin "null" is never trusted', trustedOrigins);
  if (headerValue(headers, 'sec-fetch-site') === 'cross-site') {
    refuse('Sec-Fetch-Site: cross-site without a trusted Origin', trustedOrigins);
  }
  if (!hasSessionCookie) return;
  const referer = headerValue(headers, 'referer');
  if (!referer) refuse('a cookie-authenticated request sent neither Origin nor Referer', trustedOrigins);
  const refererOrigin = URL.canParse(referer) ? new URL(referer).origin : null;
  if (!refererOrigin || !trustedOrigins.has(refererOrigin)) {
    refuse(
      `no Origin, and the Referer's origin ${quoted(refererOrigin ?? referer)} is not trusted`,
      trustedOrigins,
    );
  }
}

function refuse(received: string, trustedOrigins: ReadonlySet<string>): never {
  const expected = [...trustedOrigins].map(quoted).join(', ');
  throw new AuthError('csrf_origin_mismatch', {
    detail: `${received}; expected ${expected} (baseURL and trustedOrigins: set baseURL to the origin your pages are served from, or add that origin to trustedOrigins)`,
  });
}

/** A header value as the detail shows it: quoted, and cut short so a huge header stays out. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
}
