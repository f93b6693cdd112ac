import { githubProvider, googleProvider, microsoftProvider, oidcProvider } from '@portcullis/core';

/**
 * The sign-in providers the environment configures, for `oauth.providers`; empty when none is.
 * Register `<BASE_URL>/auth/oauth/<id>/callback` as the redirect URI at each provider.
 *
 * - `OIDC_ISSUER`, `OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET` (`OIDC_NAME` for the button): any
 *   OpenID Connect provider, by discovery (id `oidc`)
 * - `GOOGLE_CLIENT_ID`, `GOOGLE_CLIENT_SECRET` (id `google`)
 * - `MICROSOFT_CLIENT_ID`, `MICROSOFT_CLIENT_SECRET`, optional `MICROSOFT_TENANT` (id `microsoft`)
 * - `GITHUB_CLIENT_ID`, `GITHUB_CLIENT_SECRET` (id `github`)
 *
 * @param {Record<string, string | undefined>} env
 * @returns {Record<string, import('@portcullis/core').OAuthProvider>}
 */
export function oauthProvidersFromEnv(env) {
  /** @type {Record<string, import('@portcullis/core').OAuthProvider>} */
  const providers = {};
  if (env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET) {
    providers.oidc = oidcProvider({
      issuer: env.OIDC_ISSUER,
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET,
      ...(env.OIDC_NAME ? { name: env.OIDC_NAME } : {}),
    });
  }
  if (env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET) {
    providers.google = googleProvider({
      clientId: env.GOOGLE_CLIENT_ID,
      clientSecret: env.GOOGLE_CLIENT_SECRET,
    });
  }
  if (env.MICROSOFT_CLIENT_ID && env.MICROSOFT_CLIENT_SECRET) {
    providers.microsoft = microsoftProvider({
      clientId: env.MICROSOFT_CLIENT_ID,
      clientSecret: env.MICROSOFT_CLIENT_SECRET,
      ...(env.MICROSOFT_TENANT ? { tenant: env.MICROSOFT_TENANT } : {}),
    });
  }
  if (env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET) {
    providers.github = githubProvider({
      clientId: env.GITHUB_CLIENT_ID,
      clientSecret: env.GITHUB_CLIENT_SECRET,
    });
  }
  return providers;
}
