import { z } from 'zod';
import {
  authorizationErrorParams,
  authorizationResponseUri,
  nativeErrorTarget,
} from '../../credentials/oauth/index.js';
import {
  oauthCallbackQuerySchema,
  oauthProviderParamsSchema,
  startOAuthInputSchema,
} from '../../credentials/oauth/oauth-schemas.js';
import { isAuthError } from '../../errors.js';
import { readCookie, sessionCookieName } from '../../sessions/session-cookie.js';
import { serializeSessionCookie } from '../cookies.js';
import { problemSchema } from '../response-schemas.js';
import type { RouteContext } from '../route.js';
import { defineRoute } from '../route.js';

const problem = (description: string) => ({ description, schema: problemSchema });

/**
 * The binding cookie of a started flow: shaped like the session cookie (HttpOnly, SameSite=Lax so
 * it comes back on the provider's top-level redirect, `__Host-portcullis.oauth` on https).
 */
function bindingCookie(config: RouteContext<unknown, unknown, unknown>['config']) {
  const options = { name: 'portcullis.oauth', secure: config.secureCookies };
  return { options, name: sessionCookieName(options) };
}

/** `target` with `#key=value&…` appended: a fragment never reaches a server or its logs. */
function withFragment(target: string, values: Record<string, string>): string {
  const fragment = new URLSearchParams(values).toString();
  return `${target}${target.includes('#') ? '&' : '#'}${fragment}`;
}

function callbackParams(query: Record<string, string | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value);
  return params;
}

const accountSchema = z.object({
  id: z.string(),
  provider: z.string(),
  email: z.string().nullable(),
  createdAt: z.string(),
});

export const oauthRoutes = [
  defineRoute({
    method: 'GET',
    path: '/oauth/providers',
    operationId: 'listOAuthProviders',
    summary: 'The configured social/OIDC providers, for "Sign in with …" buttons',
    tag: 'passwordless',
    auth: 'none',
    responses: {
      200: {
        description: 'Each provider with the path that starts its sign-in',
        schema: z.object({
          providers: z.array(z.object({ id: z.string(), name: z.string(), startPath: z.string() })),
        }),
      },
    },
    async handle({ api, config }) {
      const base = config.basePath === '/' ? '' : config.basePath;
      const providers = api.listOAuthProviders().map((p) => ({
        ...p,
        startPath: `${base}/oauth/${encodeURIComponent(p.id)}`,
      }));
      return { status: 200, body: { providers } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/oauth/accounts',
    operationId: 'listOAuthAccounts',
    summary: "The signed-in user's linked provider accounts",
    tag: 'passwordless',
    auth: 'session',
    responses: {
      200: { description: 'Linked accounts', schema: z.object({ accounts: z.array(accountSchema) }) },
      401: problem('No session'),
    },
    async handle({ api, auth }) {
      const accounts = await api.listOAuthAccounts(auth.user.id);
      return {
        status: 200,
        body: {
          accounts: accounts.map((a) => ({
            id: a.id,
            provider: a.provider,
            email: a.email,
            createdAt: a.createdAt.toISOString(),
          })),
        },
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/oauth/accounts/:id',
    operationId: 'unlinkOAuthAccount',
    summary: 'Unlink a provider account (never the last way to sign in of a user without a password)',
    tag: 'passwordless',
    auth: 'session',
    params: z.object({ id: z.string().min(1).max(64) }),
    responses: {
      204: { description: 'Unlinked' },
      401: problem('No session, or step_up_required: authenticate again first'),
      404: problem('No such account of this user'),
      409: problem('It is the only way this user signs in'),
    },
    async handle({ api, auth, params, call }) {
      await api.unlinkOAuthAccount(auth.session, params.id, call);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/oauth/:provider',
    operationId: 'startOAuth',
    summary:
      'Start a social/OIDC sign-in (or, with intent=link and a session, link a provider): a redirect to the provider with state, nonce and an S256 PKCE challenge. A native app (RFC 8252) adds client_id, redirect_uri, code_challenge (S256) and its state: the sign-in ends at its redirect_uri with a one-time code',
    tag: 'passwordless',
    auth: 'none',
    params: oauthProviderParamsSchema,
    query: startOAuthInputSchema,
    responses: {
      302: {
        description:
          "To the provider's authorization endpoint; sets the flow's binding cookie. A native sign-in whose client and redirect_uri are configured but whose request is not valid goes back to its redirect_uri with `error` (RFC 6749 §4.1.2.1)",
      },
      400: problem(
        'Invalid query, redirect_not_allowed, or invalid_request: an unknown client_id or a redirect_uri not registered for it (never redirected to)',
      ),
      401: problem('intent=link without a session, or step_up_required'),
      404: problem('oauth_provider_unknown'),
      502: problem('oauth_provider_unavailable: discovery failed'),
    },
    async handle({ api, params, query, sessionToken, call, config }) {
      const current =
        query.intent === 'link' && sessionToken ? await api.validateSessionToken(sessionToken) : null;
      let started: Awaited<ReturnType<typeof api.startOAuth>>;
      try {
        started = await api.startOAuth(params.provider, query, current, call);
      } catch (error) {
        // a native app's request with its own redirect URI is answered there (RFC 6749 §4.1.2.1)
        // (a failure of the server's own stays the handler's logged 500)
        const target = nativeErrorTarget(query, config.refreshTokens.nativeClients);
        if (!target || !isAuthError(error)) throw error;
        return { status: 302, location: authorizationResponseUri(target, authorizationErrorParams(error)) };
      }
      const cookie = bindingCookie(config);
      return {
        status: 302,
        location: started.authorizationUrl.href,
        cookies: [serializeSessionCookie(cookie.options, started.binding, started.expiresInSeconds)],
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/oauth/:provider/callback',
    operationId: 'completeOAuth',
    summary:
      "The provider's redirect back: checks the browser binding, state (single use), iss and the ID token, then signs in (or up, or links) and redirects to the flow's redirectTo",
    tag: 'passwordless',
    auth: 'none',
    params: oauthProviderParamsSchema,
    query: oauthCallbackQuerySchema,
    responses: {
      302: {
        description:
          "Signed in: the session cookie is set. With a second factor: no session, the target gets `#mfa_challenge=<id>&methods=…` (complete with POST /mfa/verify). Linked: `#oauth_linked=<provider>`. A native app's sign-in: no cookie; its redirect_uri gets `?code=…&state=…` (for POST /oauth/token), `?mfa_challenge=…&methods=…&state=…`, or `?error=…&error_description=<code>&state=…`",
      },
      400: problem('oauth_state_invalid, oauth_callback_invalid or oauth_email_missing'),
      403: problem(
        'user_suspended, oauth_email_unverified (no sign-up from an address the provider does not vouch for), or sign-up is disabled',
      ),
      404: problem('oauth_provider_unknown'),
      409: problem('oauth_account_not_linked, or the provider account is linked to another user'),
      502: problem('oauth_provider_unavailable'),
    },
    async handle({ api, params, query, request, sessionToken, call, config }) {
      const cookie = bindingCookie(config);
      const binding = readCookie(request.headers.get('cookie'), cookie.name);
      // a link flow must end in the session of the user who started it; a sign-in replaces any
      const current = sessionToken ? await api.validateSessionToken(sessionToken) : null;
      const result = await api.completeOAuth(
        params.provider,
        { params: callbackParams(query), binding, current },
        call,
      );
      const cleared = serializeSessionCookie(cookie.options, '', 0);
      if ('outcome' in result && result.outcome === 'native') {
        return { status: 302, location: result.redirectTo, cookies: [cleared] };
      }
      if ('mfaRequired' in result) {
        return {
          status: 302,
          location: withFragment(result.redirectTo, {
            mfa_challenge: result.challengeId,
            methods: result.methods.join(','),
          }),
          cookies: [cleared],
        };
      }
      if (result.outcome === 'linked') {
        return {
          status: 302,
          location: withFragment(result.redirectTo, { oauth_linked: params.provider }),
          cookies: [cleared],
        };
      }
      return {
        status: 302,
        location: result.redirectTo,
        cookies: [cleared],
        session: { token: result.token, expiresAt: result.session.expiresAt },
      };
    },
  }),
];
