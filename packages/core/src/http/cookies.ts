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
