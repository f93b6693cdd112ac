import { AuthError } from '../../errors.js';
import type { OAuthProfile } from './oauth.js';

/** The `fetch` a provider uses; injectable for tests and egress proxies. */
export type OAuthFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

interface OAuthProviderBase {
  /** Shown to people, e.g. on a "Sign in with …" button. */
  name: string;
  clientId: string;
  clientSecret: string;
  /** Scopes to ask for. */
  scopes: string[];
  /** Extra authorization request parameters (`prompt`, `hd`, `login_hint`…); never state/nonce/PKCE. */
  authorizationParams?: Record<string, string>;
  /** Replaces the global `fetch` for every request to this provider (tests, proxies). */
  fetch?: OAuthFetch;
}

/**
 * An OpenID Connect provider found by discovery (`<issuer>/.well-known/openid-configuration`,
 * fetched once per instance and cached). The ID token's `iss`, `aud`, `nonce` and times are
 * checked; the person is its `sub`.
 */
export interface OidcProvider extends OAuthProviderBase {
  protocol: 'oidc';
  /** The issuer identifier, e.g. `https://accounts.google.com`. */
  issuer: string;
  /**
   * The `issuer` the discovery document must name, when it is not `issuer` itself: Microsoft's
   * multi-tenant endpoints name the template `https://login.microsoftonline.com/{tenantid}/v2.0`.
   * A `{tenantid}` template is resolved per sign-in with the ID token's `tid` claim, so `iss`
   * is still compared exactly (see `microsoftProvider`).
   */
  discoveredIssuer?: string;
  /**
   * Whether the provider's `email_verified: true` may be believed. False makes every email of
   * this provider unverified: it never links to an existing user and new users start unverified.
   */
  trustEmailVerified: boolean;
}

/**
 * A plain OAuth 2.0 provider (no ID token, so no nonce and no `iss` in a token): the endpoints
 * are fixed and `fetchProfile` reads the person with the access token.
 */
export interface OAuth2Provider extends OAuthProviderBase {
  protocol: 'oauth2';
  /** Names the authorization server; compared with an RFC 9207 `iss` response parameter if sent. */
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** Reads the person with the access token, then forgets the token. */
  fetchProfile(accessToken: string, fetch: OAuthFetch): Promise<OAuthProfile>;
}

/** One configured login provider: build it with the factories below. */
export type OAuthProvider = OidcProvider | OAuth2Provider;

export interface OidcProviderOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Default `['openid', 'email', 'profile']`; `openid` is added when missing. */
  scopes?: string[];
  /** Default the issuer's host. */
  name?: string;
  /** Default true: the provider's `email_verified` claim is believed. */
  trustEmailVerified?: boolean;
  authorizationParams?: Record<string, string>;
  fetch?: OAuthFetch;
}

function withOpenId(scopes: string[] | undefined): string[] {
  const list = scopes ?? ['openid', 'email', 'profile'];
  return list.includes('openid') ? list : ['openid', ...list];
}

/**
 * A generic OpenID Connect provider, configured by discovery from its issuer.
 *
 * @example
 * oauth: { providers: { acme: oidcProvider({ issuer: 'https://sso.acme.test', clientId, clientSecret }) } }
 */
export function oidcProvider(options: OidcProviderOptions): OidcProvider {
  return {
    protocol: 'oidc',
    name: options.name ?? safeHost(options.issuer),
    issuer: options.issuer,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scopes: withOpenId(options.scopes),
    trustEmailVerified: options.trustEmailVerified ?? true,
    ...(options.authorizationParams ? { authorizationParams: options.authorizationParams } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
}

export type GoogleProviderOptions = Omit<OidcProviderOptions, 'issuer' | 'trustEmailVerified'>;

/**
 * Google (OpenID Connect, issuer `https://accounts.google.com`). Google's `email_verified` is
 * believed.
 *
 * @example
 * googleProvider({ clientId: process.env.GOOGLE_CLIENT_ID!, clientSecret: process.env.GOOGLE_CLIENT_SECRET! })
 */
export function googleProvider(options: GoogleProviderOptions): OidcProvider {
  return oidcProvider({ name: 'Google', ...options, issuer: 'https://accounts.google.com' });
}

export interface MicrosoftProviderOptions extends Omit<OidcProviderOptions, 'issuer' | 'trustEmailVerified'> {
  /**
   * `common` (default: work, school and personal accounts), `organizations`, `consumers`, or one
   * directory's tenant id (a GUID: its discovery document names that id, never a domain).
   */
  tenant?: string;
}

/** The tenant id of Microsoft's personal-account (consumers) directory. */
const MICROSOFT_CONSUMERS_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

/**
 * Microsoft Entra ID / Microsoft accounts (OpenID Connect v2.0 endpoints).
 *
 * The multi-tenant endpoints (`common`, `organizations`) publish the issuer template
 * `https://login.microsoftonline.com/{tenantid}/v2.0`: each ID token is checked against the
 * template filled with the token's own `tid` claim. Microsoft's `email` claim is not verified by
 * Microsoft (an admin of any directory can set it), so this provider never vouches for an email:
 * it never links to an existing user by email. Sign in with a Microsoft account and link it
 * explicitly instead.
 *
 * @example
 * microsoftProvider({ clientId, clientSecret })                          // any account
 * microsoftProvider({ tenant: '7c5e…', clientId, clientSecret })         // one directory only
 */
export function microsoftProvider(options: MicrosoftProviderOptions): OidcProvider {
  const { tenant = 'common', ...rest } = options;
  if (
    !/^(common|organizations|consumers|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.test(
      tenant,
    )
  ) {
    throw new AuthError('config_invalid', {
      detail: 'microsoftProvider: tenant must be common, organizations, consumers or a tenant id (GUID)',
    });
  }
  const issuer = `https://login.microsoftonline.com/${encodeURIComponent(tenant)}/v2.0`;
  const templated = tenant === 'common' || tenant === 'organizations';
  const discoveredIssuer = templated
    ? 'https://login.microsoftonline.com/{tenantid}/v2.0'
    : tenant === 'consumers'
      ? `https://login.microsoftonline.com/${MICROSOFT_CONSUMERS_TENANT}/v2.0`
      : undefined;
  return {
    ...oidcProvider({ name: 'Microsoft', ...rest, issuer }),
    trustEmailVerified: false,
    ...(discoveredIssuer ? { discoveredIssuer } : {}),
  };
}

export type GithubProviderOptions = Omit<OidcProviderOptions, 'issuer' | 'trustEmailVerified' | 'scopes'> & {
  /** Default `['read:user', 'user:email']` (the email scope is needed for the verified address). */
  scopes?: string[];
  /** GitHub Enterprise Server: its web and API base URLs. Default github.com. */
  baseUrl?: string;
  apiUrl?: string;
};

/**
 * GitHub (plain OAuth 2.0 with PKCE: no ID token, so no nonce; the person is GitHub's numeric
 * user id, read from `GET /user`, and the email is the primary address of `GET /user/emails`,
 * verified only when GitHub says so).
 *
 * @example
 * githubProvider({ clientId: process.env.GITHUB_CLIENT_ID!, clientSecret: process.env.GITHUB_CLIENT_SECRET! })
 */
export function githubProvider(options: GithubProviderOptions): OAuth2Provider {
  const base = (options.baseUrl ?? 'https://github.com').replace(/\/+$/, '');
  const api = (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  return {
    protocol: 'oauth2',
    name: options.name ?? 'GitHub',
    issuer: `${base}/login/oauth`,
    authorizationEndpoint: `${base}/login/oauth/authorize`,
    tokenEndpoint: `${base}/login/oauth/access_token`,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scopes: options.scopes ?? ['read:user', 'user:email'],
    ...(options.authorizationParams ? { authorizationParams: options.authorizationParams } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    async fetchProfile(accessToken, fetch) {
      const headers = {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${accessToken}`,
        'user-agent': 'portcullis',
      };
      const userResponse = await fetch(`${api}/user`, { headers });
      if (!userResponse.ok) throw new Error(`GitHub GET /user answered ${userResponse.status}`);
      const user = (await userResponse.json()) as { id?: unknown; name?: unknown; login?: unknown };
      if (typeof user.id !== 'number' && typeof user.id !== 'string')
        throw new Error('GitHub user has no id');
      const emailsResponse = await fetch(`${api}/user/emails`, { headers });
      const emails = emailsResponse.ok
        ? ((await emailsResponse.json()) as { email?: unknown; primary?: unknown; verified?: unknown }[])
        : [];
      const primary = Array.isArray(emails) ? emails.find((e) => e.primary === true) : undefined;
      return {
        subject: String(user.id),
        email: typeof primary?.email === 'string' ? primary.email : null,
        emailVerified: primary?.verified === true,
        name: typeof user.name === 'string' ? user.name : typeof user.login === 'string' ? user.login : null,
      };
    },
  };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
