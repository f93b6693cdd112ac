import { AuthError, isAuthError } from '../../errors.js';
import {
  findNativeClient,
  isRegisteredRedirectUri,
  type NativeClient,
  S256_CODE_CHALLENGE,
} from '../../tokens/index.js';
import type { StartOAuthInput } from './oauth-schemas.js';

/**
 * A native app's provider sign-in (RFC 8252 with PKCE, RFC 7636): who asked, where its
 * authorization response goes, and the proof its code exchange must bring.
 */
export interface NativeAuthorizationRequest {
  clientId: string;
  /** As the app sent it (a loopback one with the port it listens on). */
  redirectUri: string;
  /** S256 only. */
  codeChallenge: string;
  /** The app's `state`, returned as is; null when it sent none. */
  state: string | null;
}

/**
 * Where errors of a native sign-in may be sent: its redirect URI once it is known to be the
 * client's (RFC 6749 §4.1.2.1; before that, never to a URI nobody vouched for). Null for a
 * browser sign-in, an unknown client or an unregistered redirect URI.
 */
export function nativeErrorTarget(
  input: Pick<StartOAuthInput, 'client_id' | 'redirect_uri' | 'state'>,
  clients: readonly NativeClient[],
): Pick<NativeAuthorizationRequest, 'redirectUri' | 'state'> | null {
  const client = findNativeClient(clients, input.client_id);
  if (!client || input.redirect_uri === undefined || !isRegisteredRedirectUri(client, input.redirect_uri)) {
    return null;
  }
  return { redirectUri: input.redirect_uri, state: input.state ?? null };
}

/**
 * The native request an authorization request carries, null for a browser sign-in, or
 * `invalid_request`: a client or redirect URI that is not configured, no S256 challenge, or a
 * browser-only parameter (`redirectTo`, `intent=link`) beside `client_id`.
 */
export function nativeRequestOf(
  input: StartOAuthInput,
  clients: readonly NativeClient[],
): NativeAuthorizationRequest | null {
  const { client_id, redirect_uri, code_challenge, code_challenge_method, state } = input;
  if (client_id === undefined) {
    if ([redirect_uri, code_challenge, code_challenge_method, state].some((v) => v !== undefined)) {
      throw new AuthError('invalid_request', { detail: 'client_id is missing' });
    }
    return null;
  }
  const client = findNativeClient(clients, client_id);
  if (!client) throw new AuthError('invalid_request', { detail: 'unknown client_id' });
  if (redirect_uri === undefined || !isRegisteredRedirectUri(client, redirect_uri)) {
    throw new AuthError('invalid_request', { detail: 'redirect_uri is not registered for this client' });
  }
  if (code_challenge_method !== 'S256') {
    throw new AuthError('invalid_request', { detail: 'code_challenge_method must be S256' });
  }
  if (code_challenge === undefined || !S256_CODE_CHALLENGE.test(code_challenge)) {
    throw new AuthError('invalid_request', { detail: 'code_challenge must be 43 base64url characters' });
  }
  if (input.redirectTo !== undefined || input.intent === 'link') {
    throw new AuthError('invalid_request', { detail: 'redirectTo and intent=link are for browser sign-ins' });
  }
  return {
    clientId: client.id,
    redirectUri: redirect_uri,
    codeChallenge: code_challenge,
    state: state ?? null,
  };
}

/** The authorization response at the app's redirect URI (RFC 6749 §4.1.2): `params` and `state`. */
export function authorizationResponseUri(
  target: Pick<NativeAuthorizationRequest, 'redirectUri' | 'state'>,
  params: Record<string, string>,
): string {
  const query = new URLSearchParams(params);
  if (target.state !== null) query.set('state', target.state);
  const { redirectUri } = target;
  return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${query}`;
}

/** Codes that mean "try again later", not "refused". */
const UNAVAILABLE = new Set(['oauth_provider_unavailable', 'rate_limited', 'storage_unavailable']);

/**
 * An error as an authorization error response (RFC 6749 §4.1.2.1): `access_denied` for a
 * refused sign-in, `invalid_request` for a malformed request, `temporarily_unavailable` and
 * `server_error`; `error_description` is Portcullis's code, for the app to branch on.
 */
export function authorizationErrorParams(error: unknown): Record<string, string> {
  if (!isAuthError(error)) return { error: 'server_error' };
  const code = error.code;
  if (code === 'invalid_request') {
    return { error: 'invalid_request', error_description: error.detail ?? code };
  }
  if (UNAVAILABLE.has(code)) return { error: 'temporarily_unavailable', error_description: code };
  return { error: 'access_denied', error_description: code };
}
