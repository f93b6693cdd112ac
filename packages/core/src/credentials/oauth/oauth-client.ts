import * as oauth from 'oauth4webapi';
import { AuthError } from '../../errors.js';
import type { EventLogger } from '../../logging/event-logger.js';
import type { OAuthProfile } from './oauth.js';
import type { OAuthFetch, OAuthProvider } from './oauth-providers.js';

/** How long one request to a provider may take. */
const PROVIDER_TIMEOUT_MS = 10_000;

/** A successful discovery is reused this long; a failed one is retried at the next sign-in. */
const DISCOVERY_TTL_MS = 3_600_000;

/**
 * How far the provider's clock may run ahead of ours: an ID token's `exp`, `nbf` and `iat` are
 * judged with this much slack (oauth4webapi's default, set here because `iat` is checked here too).
 */
const ID_TOKEN_CLOCK_TOLERANCE_SECONDS = 30;

/**
 * The protocol side of one provider, over `oauth4webapi`: the authorization URL, and a callback
 * checked and exchanged into an {@link OAuthProfile}. Every failure is an `AuthError`:
 * `oauth_callback_invalid` for what the browser brought (a provider error, a wrong `iss`, a code
 * the provider refuses, an ID token that fails its checks) and `oauth_provider_unavailable` when
 * the provider cannot be reached or answers nonsense.
 */
export interface OAuthClient {
  authorizationUrl(input: {
    redirectUri: string;
    state: string;
    /** Null for plain OAuth 2.0 providers (no ID token to carry it). */
    nonce: string | null;
    codeChallenge: string;
  }): Promise<URL>;
  completeCallback(input: {
    redirectUri: string;
    params: URLSearchParams;
    state: string;
    nonce: string | null;
    codeVerifier: string;
  }): Promise<OAuthProfile>;
}

export function createOAuthClient(id: string, provider: OAuthProvider, logger: EventLogger): OAuthClient {
  const client: oauth.Client = {
    client_id: provider.clientId,
    [oauth.clockTolerance]: ID_TOKEN_CLOCK_TOLERANCE_SECONDS,
  };
  const clientAuth = oauth.ClientSecretPost(provider.clientSecret);
  const fetchImpl: OAuthFetch = provider.fetch ?? ((input, init) => fetch(input, init));
  // plain http only for an issuer on this machine (a development identity provider)
  const allowHttp = isLoopbackHttp(provider.issuer);
  const http = () => ({
    signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    [oauth.customFetch]: (url: string, init: RequestInit) => fetchImpl(url, init),
    ...(allowHttp ? { [oauth.allowInsecureRequests]: true } : {}),
  });

  /** For the token endpoint: GitHub answers a refused code with 200 and `{ error }`; read it as the 400 it is. */
  const tokenHttp = () => ({
    ...http(),
    [oauth.customFetch]: async (url: string, init: RequestInit) => {
      const response = await fetchImpl(url, init);
      if (response.status !== 200) return response;
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as { error?: unknown } | null;
      if (typeof body?.error !== 'string') return response;
      return new Response(JSON.stringify(body), {
        status: 400,
        headers: { 'content-type': 'application/json' },
      });
    },
  });

  let discovered: { server: Promise<oauth.AuthorizationServer>; at: number } | undefined;
  function server(): Promise<oauth.AuthorizationServer> {
    if (provider.protocol === 'oauth2') {
      return Promise.resolve({
        issuer: provider.issuer,
        authorization_endpoint: provider.authorizationEndpoint,
        token_endpoint: provider.tokenEndpoint,
      });
    }
    if (discovered && Date.now() - discovered.at < DISCOVERY_TTL_MS) return discovered.server;
    const issuer = new URL(provider.issuer);
    const expected = new URL(provider.discoveredIssuer ?? provider.issuer);
    const pending: Promise<oauth.AuthorizationServer> = oauth
      .discoveryRequest(issuer, { ...http(), algorithm: 'oidc' })
      .then((response) => oauth.processDiscoveryResponse(expected, response))
      .catch((error: unknown) => {
        // forget the failure: the next sign-in tries again
        if (discovered?.server === pending) discovered = undefined;
        logger.warn('portcullis.oauth.discovery_failed', { provider: id, error: String(error) });
        throw new AuthError('oauth_provider_unavailable', {
          detail: 'the provider could not be discovered',
          cause: error,
        });
      });
    discovered = { server: pending, at: Date.now() };
    return pending;
  }

  return {
    async authorizationUrl({ redirectUri, state, nonce, codeChallenge }) {
      const as = await server();
      if (!as.authorization_endpoint) {
        throw new AuthError('oauth_provider_unavailable', {
          detail: 'the provider has no authorization endpoint',
        });
      }
      const url = new URL(as.authorization_endpoint);
      for (const [name, value] of Object.entries(provider.authorizationParams ?? {})) {
        url.searchParams.set(name, value);
      }
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', provider.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('scope', provider.scopes.join(' '));
      url.searchParams.set('state', state);
      if (nonce !== null) url.searchParams.set('nonce', nonce);
      url.searchParams.set('code_challenge', codeChallenge);
      url.searchParams.set('code_challenge_method', 'S256');
      return url;
    },

    async completeCallback({ redirectUri, params, state, nonce, codeVerifier }) {
      const discoveredServer = await server();
      // a `{tenantid}` issuer template: this response's issuer is the template filled with the
      // tenant it names; everything after compares against that exact value
      let as = discoveredServer;
      const templated = discoveredServer.issuer.includes('{tenantid}');
      if (templated) {
        const iss = params.get('iss');
        if (iss !== null) as = { ...discoveredServer, issuer: matchTemplate(discoveredServer.issuer, iss) };
      }
      let callback: URLSearchParams;
      try {
        callback = oauth.validateAuthResponse(as, client, params, state);
      } catch (error) {
        throw callbackError(error);
      }
      let tokens: oauth.TokenEndpointResponse;
      try {
        const response = await oauth.authorizationCodeGrantRequest(
          as,
          client,
          clientAuth,
          callback,
          redirectUri,
          codeVerifier,
          tokenHttp(),
        );
        if (templated && provider.protocol === 'oidc') as = await issuerOfTenant(as, response);
        tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
          expectedNonce: nonce ?? oauth.expectNoNonce,
          requireIdToken: provider.protocol === 'oidc',
        });
      } catch (error) {
        throw exchangeError(error);
      }
      if (provider.protocol === 'oauth2') {
        try {
          return await provider.fetchProfile(tokens.access_token, fetchImpl);
        } catch (error) {
          throw new AuthError('oauth_provider_unavailable', {
            detail: 'the profile could not be read',
            cause: error,
          });
        }
      }
      const claims = oauth.getValidatedIdTokenClaims(tokens);
      if (!claims) throw new AuthError('oauth_callback_invalid', { detail: 'no ID token' });
      // oauth4webapi checks that `iat` is a number, not when it is: a token "issued" in the future
      // was minted by a provider whose clock is wrong, or for a replay later
      if (claims.iat > Date.now() / 1000 + ID_TOKEN_CLOCK_TOLERANCE_SECONDS) {
        throw new AuthError('oauth_callback_invalid', {
          detail: 'the ID token "iat" (issued at) claim is in the future',
        });
      }
      let profileClaims: Record<string, unknown> = claims;
      // some providers keep email out of the ID token: the userinfo endpoint has it for the same `sub`
      if (typeof claims.email !== 'string' && as.userinfo_endpoint) {
        try {
          const response = await oauth.userInfoRequest(as, client, tokens.access_token, http());
          profileClaims = {
            ...(await oauth.processUserInfoResponse(as, client, claims.sub, response)),
            ...claims,
          };
        } catch (error) {
          logger.warn('portcullis.oauth.userinfo_failed', { provider: id, error: String(error) });
        }
      }
      const email = typeof profileClaims.email === 'string' ? profileClaims.email : null;
      return {
        subject: claims.sub,
        email,
        emailVerified: provider.trustEmailVerified && email !== null && profileClaims.email_verified === true,
        name: typeof profileClaims.name === 'string' ? profileClaims.name : null,
      };
    },
  };
}

/**
 * The issuer this token response is from, for a `{tenantid}` template: the template filled with
 * the ID token's `tid`. Read before the checks, from a clone; the checks that follow then compare
 * `iss` with this exact value, so a token of one tenant cannot pass as another's.
 */
async function issuerOfTenant(
  as: oauth.AuthorizationServer,
  response: Response,
): Promise<oauth.AuthorizationServer> {
  if (!as.issuer.includes('{tenantid}')) return as; // already fixed by the authorization response
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { id_token?: unknown } | null;
  const payload = typeof body?.id_token === 'string' ? body.id_token.split('.')[1] : undefined;
  let tid: unknown;
  try {
    tid = payload
      ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { tid?: unknown }).tid
      : undefined;
  } catch {
    tid = undefined;
  }
  if (typeof tid !== 'string' || !/^[0-9a-f-]{36}$/i.test(tid)) {
    throw new AuthError('oauth_callback_invalid', { detail: 'the ID token names no tenant' });
  }
  return { ...as, issuer: as.issuer.replace('{tenantid}', tid) };
}

/** The concrete issuer `iss` when it fills the template with a tenant id; otherwise a refusal. */
function matchTemplate(template: string, iss: string): string {
  const [before, after] = template.split('{tenantid}') as [string, string];
  const tid =
    iss.startsWith(before) && iss.endsWith(after) ? iss.slice(before.length, iss.length - after.length) : '';
  if (!/^[0-9a-f-]{36}$/i.test(tid)) {
    throw new AuthError('oauth_callback_invalid', {
      detail: 'unexpected "iss" in the authorization response',
    });
  }
  return iss;
}

function callbackError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof oauth.AuthorizationResponseError) {
    return new AuthError('oauth_callback_invalid', {
      detail: `the provider answered ${error.error}`,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AuthError('oauth_callback_invalid', { detail: message, cause: error });
}

function exchangeError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof oauth.ResponseBodyError) {
    // invalid_grant: a used, expired or foreign code, or a code_verifier that does not match
    return new AuthError('oauth_callback_invalid', {
      detail: `the provider refused the code (${error.error})`,
      cause: error,
    });
  }
  if (error instanceof oauth.OperationProcessingError && error.code === oauth.JWT_CLAIM_COMPARISON) {
    return new AuthError('oauth_callback_invalid', { detail: error.message, cause: error });
  }
  if (error instanceof oauth.OperationProcessingError && error.code === oauth.JWT_TIMESTAMP_CHECK) {
    return new AuthError('oauth_callback_invalid', { detail: error.message, cause: error });
  }
  // a claim the ID token must carry is missing or of the wrong type (no `nonce` though one was
  // sent, say): the token was read, so this is a token that fails its checks, not an outage
  if (
    error instanceof oauth.OperationProcessingError &&
    error.code === oauth.INVALID_RESPONSE &&
    isClaimsCause(error.cause)
  ) {
    return new AuthError('oauth_callback_invalid', { detail: error.message, cause: error });
  }
  return new AuthError('oauth_provider_unavailable', {
    detail: 'the provider could not be reached or answered unexpectedly',
    cause: error,
  });
}

/** oauth4webapi's cause of a claim check failure: the claims it read from the JWT. */
function isClaimsCause(cause: unknown): boolean {
  return typeof cause === 'object' && cause !== null && 'claims' in cause;
}

function isLoopbackHttp(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === 'http:' &&
      (parsed.hostname === 'localhost' || parsed.hostname === '127.0.0.1' || parsed.hostname === '[::1]')
    );
  } catch {
    return false;
  }
}
