/**
 * The session cookie's name and how it is read: the HTTP handler and `getSession` (which reads a
 * request's cookie for server code) must agree on both, so they live here, below both.
 */

/**
 * Reads one cookie from a `Cookie` header; null when absent. The first pair with that exact name
 * wins (names are compared whole and case-sensitively, spaces around them ignored); its value is
 * trimmed, unquoted when wrapped in double quotes, and percent-decoded (null when that fails).
 * One pass over the header: it runs on every protected request.
 */
export function readCookie(header: string | null | undefined, name: string): string | null {
  if (!header) return null;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end && header.slice(start, eq).trim() === name) {
      let value = header.slice(eq + 1, end).trim();
      if (value.length >= 2 && value.charCodeAt(0) === QUOTE && value.charCodeAt(value.length - 1) === QUOTE)
        value = value.slice(1, -1);
      if (!value.includes('%')) return value;
      try {
        return decodeURIComponent(value);
      } catch {
        return null;
      }
    }
    start = end + 1;
  }
  return null;
}

const QUOTE = 34; // "

export interface SessionCookieOptions {
  name: string;
  secure: boolean;
}

/**
 * The session cookie: HttpOnly, SameSite=Lax, Path=/, and on https `Secure` with the `__Host-`
 * prefix (so no subdomain or path can shadow it).
 */
export function sessionCookieName(options: SessionCookieOptions): string {
  return options.secure ? `__Host-${options.name}` : options.name;
}
