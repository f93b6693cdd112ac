import { describe, expect, it } from 'vitest';
import { isAuthError } from '../../errors.js';
import { silentEventLogger } from '../../logging/index.js';
import { createOAuthClient } from './oauth-client.js';
import { githubProvider, microsoftProvider, type OAuthFetch } from './oauth-providers.js';

// Microsoft and GitHub cannot be reached from the tests: these stand-ins answer with the shapes
// their documentation gives, so the parts of the flow that are theirs alone (the `{tenantid}`
// issuer template, GitHub's profile endpoints) are exercised. The protocol itself is tested
// against a real OpenID provider in test/http-oauth.test.ts.

const TENANT_A = '0b6f5c1e-7f3a-4a4e-9d0b-8a3e2f1c0d9a';
const TENANT_B = 'c2a1e5f0-1234-4bcd-8ef0-56789abcdef0';
const REDIRECT_URI = 'https://app.example.com/auth/oauth/microsoft/callback';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An ID token as Microsoft shapes it (the signature is not read: TLS authenticates the token endpoint). */
function idToken(claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  return [
    base64url({ alg: 'RS256', typ: 'JWT', kid: 'k1' }),
    base64url({ aud: 'client-1', iat: now, exp: now + 600, ...claims }),
    'c2lnbmF0dXJl',
  ].join('.');
}

function microsoftStandIn(tokenClaims: () => Record<string, unknown>): OAuthFetch {
  return async (input) => {
    const url = String(input);
    if (url === 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration') {
      return Response.json({
        issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
        authorization_endpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
        token_endpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
        jwks_uri: 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (url === 'https://login.microsoftonline.com/common/oauth2/v2.0/token') {
      return Response.json({ access_token: 'at', token_type: 'Bearer', id_token: idToken(tokenClaims()) });
    }
    return new Response('not found', { status: 404 });
  };
}

async function completeMicrosoft(claims: Record<string, unknown>, params: Record<string, string> = {}) {
  const client = createOAuthClient(
    'microsoft',
    microsoftProvider({ clientId: 'client-1', clientSecret: 's', fetch: microsoftStandIn(() => claims) }),
    silentEventLogger,
  );
  return client.completeCallback({
    redirectUri: REDIRECT_URI,
    params: new URLSearchParams({ code: 'c', state: 's1', ...params }),
    state: 's1',
    nonce: 'n1',
    codeVerifier: 'v'.repeat(43),
  });
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('microsoftProvider: the {tenantid} issuer template', () => {
  it("accepts an ID token whose iss is the template filled with the token's own tid", async () => {
    const profile = await completeMicrosoft({
      iss: `https://login.microsoftonline.com/${TENANT_A}/v2.0`,
      tid: TENANT_A,
      sub: 'ms-sub',
      nonce: 'n1',
      email: 'someone@contoso.test',
      email_verified: true,
    });
    // Microsoft never vouches for `email`: it is never treated as verified
    expect(profile).toEqual({
      subject: 'ms-sub',
      email: 'someone@contoso.test',
      emailVerified: false,
      name: null,
    });
  });

  it("refuses a token whose iss names another tenant than its tid, or the template's own text", async () => {
    for (const iss of [
      `https://login.microsoftonline.com/${TENANT_B}/v2.0`,
      'https://login.microsoftonline.com/{tenantid}/v2.0',
      `https://evil.test/${TENANT_A}/v2.0`,
    ]) {
      const error = await failure(completeMicrosoft({ iss, tid: TENANT_A, sub: 'x', nonce: 'n1' }));
      expect(isAuthError(error, 'oauth_callback_invalid'), String(error)).toBe(true);
    }
    const noTenant = await failure(
      completeMicrosoft({ iss: `https://login.microsoftonline.com/${TENANT_A}/v2.0`, sub: 'x', nonce: 'n1' }),
    );
    expect(isAuthError(noTenant, 'oauth_callback_invalid')).toBe(true);
  });

  it('refuses an authorization response iss outside the template, and holds the token to the one it names', async () => {
    const wrong = await failure(
      completeMicrosoft(
        { iss: `https://login.microsoftonline.com/${TENANT_A}/v2.0`, tid: TENANT_A, sub: 'x', nonce: 'n1' },
        { iss: 'https://evil.test/v2.0' },
      ),
    );
    expect(isAuthError(wrong, 'oauth_callback_invalid')).toBe(true);
    const mismatch = await failure(
      completeMicrosoft(
        { iss: `https://login.microsoftonline.com/${TENANT_A}/v2.0`, tid: TENANT_A, sub: 'x', nonce: 'n1' },
        { iss: `https://login.microsoftonline.com/${TENANT_B}/v2.0` },
      ),
    );
    expect(isAuthError(mismatch, 'oauth_callback_invalid')).toBe(true);
  });

  it('refuses a tenant that is neither a GUID nor a multi-tenant name', () => {
    expect(() =>
      microsoftProvider({ tenant: 'contoso.onmicrosoft.com', clientId: 'a', clientSecret: 'b' }),
    ).toThrow(/tenant/);
  });
});

describe('githubProvider', () => {
  const standIn: OAuthFetch = async (input, init) => {
    const url = String(input);
    if (url === 'https://github.com/login/oauth/access_token') {
      const body = new URLSearchParams(String(init?.body));
      if (body.get('code_verifier') !== 'v'.repeat(43))
        return Response.json({ error: 'bad_verification_code' });
      return Response.json({ access_token: 'gho_x', token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const authorized = new Headers(init?.headers).get('authorization') === 'Bearer gho_x';
    if (url === 'https://api.github.com/user' && authorized) {
      return Response.json({ id: 583231, login: 'octocat', name: null, email: null });
    }
    if (url === 'https://api.github.com/user/emails' && authorized) {
      return Response.json([
        { email: 'old@example.test', primary: false, verified: true },
        { email: 'octocat@github.test', primary: true, verified: true },
      ]);
    }
    return new Response('not found', { status: 404 });
  };
  const client = createOAuthClient(
    'github',
    githubProvider({ clientId: 'gh-client', clientSecret: 'gh-secret', fetch: standIn }),
    silentEventLogger,
  );

  it('asks for the code with PKCE S256 and state, and no nonce (there is no ID token to carry it)', async () => {
    const url = await client.authorizationUrl({
      redirectUri: 'https://app.example.com/auth/oauth/github/callback',
      state: 'st',
      nonce: null,
      codeChallenge: 'ch',
    });
    expect(url.origin + url.pathname).toBe('https://github.com/login/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'gh-client',
      redirect_uri: 'https://app.example.com/auth/oauth/github/callback',
      scope: 'read:user user:email',
      state: 'st',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
  });

  it('reads the numeric user id as subject and the verified primary address, then forgets the token', async () => {
    const profile = await client.completeCallback({
      redirectUri: 'https://app.example.com/auth/oauth/github/callback',
      params: new URLSearchParams({ code: 'c', state: 'st' }),
      state: 'st',
      nonce: null,
      codeVerifier: 'v'.repeat(43),
    });
    expect(profile).toEqual({
      subject: '583231',
      email: 'octocat@github.test',
      emailVerified: true,
      name: 'octocat',
    });
  });

  it('answers a refused code (GitHub answers errors with 200) as oauth_callback_invalid', async () => {
    const error = await failure(
      client.completeCallback({
        redirectUri: 'https://app.example.com/auth/oauth/github/callback',
        params: new URLSearchParams({ code: 'c', state: 'st' }),
        state: 'st',
        nonce: null,
        codeVerifier: 'w'.repeat(43),
      }),
    );
    expect(isAuthError(error, 'oauth_callback_invalid')).toBe(true);
    expect((error as Error).message).toMatch(/bad_verification_code/);
  });
});
