import { z } from 'zod';

/**
 * A first-party native app (RFC 8252): a public client, known by configuration rather than
 * registered at run time, that signs in in token mode. It holds no secret; what it may be sent
 * back to is its list of redirect URIs.
 */
export interface NativeClient {
  /** Its `client_id`: what its sign-ins, its tokens' `client_id` claim and its refreshes name. */
  id: string;
  /** Where an authorization response may be sent (see {@link redirectUriProblem}). */
  redirectUris: string[];
}

/** The loopback interface literals of RFC 8252 §7.3 (`localhost` is refused: §8.3). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);

/**
 * Why `uri` cannot be a native client's redirect URI, or null when it can. Accepted (RFC 8252
 * §7): a private-use scheme named after a reversed domain (`com.example.app:/oauth/callback`,
 * §7.1: the dot keeps it out of the generic schemes such as `javascript:` or `data:`), `http`
 * on the loopback literals `127.0.0.1` and `[::1]` (§7.3; any port is allowed at request time),
 * and `https` (claimed URLs, §7.2). Never a fragment (RFC 6749 §3.1.2) nor user info.
 */
export function redirectUriProblem(uri: string): string | null {
  const url = URL.parse(uri);
  if (!url) return 'is not an absolute URI';
  if (uri.includes('#')) return 'has a fragment';
  if (url.username !== '' || url.password !== '') return 'has user info';
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https') return url.hostname === '' ? 'names no host' : null;
  if (scheme === 'http') {
    return LOOPBACK_HOSTS.has(url.hostname)
      ? null
      : 'uses http off the loopback literals 127.0.0.1 and [::1] (RFC 8252 §7.3, §8.3)';
  }
  if (!scheme.includes('.')) {
    return 'uses a private-use scheme that is not a reversed domain name, e.g. com.example.app (RFC 8252 §7.1)';
  }
  return null;
}

/** A loopback redirect URI without its port: the part RFC 8252 §7.3 compares. */
function loopbackWithoutPort(uri: string): string | null {
  const url = URL.parse(uri);
  if (!url || url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) return null;
  if (url.username !== '' || url.password !== '' || uri.includes('#')) return null;
  return `http://${url.hostname}${url.pathname}${url.search}`;
}

/**
 * Whether `presented` is one of `client`'s redirect URIs: exactly equal (RFC 6749 §3.1.2.3,
 * simple string comparison), or, for a loopback one, equal but for the port, which the app
 * picks when it listens (RFC 8252 §7.3).
 */
export function isRegisteredRedirectUri(client: NativeClient, presented: string): boolean {
  if (client.redirectUris.includes(presented)) return true;
  const loopback = loopbackWithoutPort(presented);
  return loopback !== null && client.redirectUris.some((uri) => loopbackWithoutPort(uri) === loopback);
}

/** The configured native client with this id, if any. */
export function findNativeClient(
  clients: readonly NativeClient[],
  id: string | undefined,
): NativeClient | undefined {
  return id === undefined ? undefined : clients.find((client) => client.id === id);
}

/** The shape of a client id in configuration (`refreshTokens.firstPartyClientId` too). */
export const clientIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,255}$/);

/** One entry of `refreshTokens.nativeClients`. */
export const nativeClientSchema = z.strictObject({
  /** The app's `client_id`. */
  id: clientIdSchema,
  /** Its redirect URIs: private-use scheme, loopback http or https (RFC 8252 §7). */
  redirectUris: z
    .array(
      z
        .string()
        .max(2048)
        .superRefine((uri, ctx) => {
          const problem = redirectUriProblem(uri);
          if (problem) ctx.addIssue({ code: 'custom', message: `redirect URI ${problem}` });
        }),
    )
    .min(1)
    .max(20),
});
