/**
 * The session cookie's name and how it is read: the HTTP handler and `getSession` (which reads a
 * request's cookie for server code) must agree on both, so they live here, below both.
 */

/** Reads one cookie from a `Cookie` header; null when absent. */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value.replace(/^"(.*)"$/, '$1'));
    } catch {
      return null;
    }
  }
  return null;
}

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
