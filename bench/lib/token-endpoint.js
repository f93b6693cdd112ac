import { createHash, randomBytes } from 'node:crypto';
import { oauthProvider } from '@better-auth/oauth-provider';
import { jwt } from 'better-auth/plugins';

/**
 * The token-endpoint setup both libraries share in the HTTP token bench (`http/token-run.js`):
 * M2M clients that ask for a JWT access token for one resource with the client-credentials grant,
 * and first-party public clients that renew a user's pair with the refresh-token grant.
 */

/** The protected resource both libraries issue access tokens for (`resource=`, RFC 8707). */
export const TOKEN_RESOURCE = 'https://api.bench.example.test';
/** The one scope the M2M clients hold, on both sides. */
export const CLIENT_SCOPE = 'invoices:read';

/**
 * What Portcullis needs beyond the bench's base config to answer `POST /auth/oauth/token`: the
 * scope and resource M2M clients may ask for, and signing keys kept in the database (wrapped
 * under a key-encryption key other than the app secret), so that the runner that seeds and the
 * server process that answers share them, as several instances would.
 */
export function portcullisTokenConfig(secret) {
  return {
    clients: { scopes: { [CLIENT_SCOPE]: ['invoice.read'] }, resources: [TOKEN_RESOURCE] },
    authorization: {},
    tokens: {
      signingKeys: {
        keyEncryptionKeys: [
          { version: 'k1', secret: createHash('sha256').update(`kek:${secret}`).digest('base64') },
        ],
      },
    },
  };
}

/**
 * better-auth's OAuth 2.1 provider (`@better-auth/oauth-provider`, the version matching
 * better-auth's) with the JWT plugin, as its docs set it up: access tokens for a configured
 * resource are JWTs signed with the JWT plugin's key (kept in its `jwks` table, so shared by every
 * process on the database), refresh tokens are opaque and stored hashed, client secrets hashed.
 * `/token` (the JWT plugin's session-to-JWT route) is disabled as the docs ask.
 */
export function betterAuthTokenConfig() {
  return {
    disabledPaths: ['/token'],
    plugins: [
      jwt(),
      oauthProvider({
        loginPage: '/sign-in',
        consentPage: '/consent',
        scopes: ['openid', 'profile', 'email', 'offline_access', CLIENT_SCOPE],
        resources: [TOKEN_RESOURCE],
        // who may manage clients is the app's call; giving a client client-credentials scopes
        // is refused unless this hook exists. The bench's seeding user is its administrator.
        clientPrivileges: () => true,
        resourcePrivileges: () => true, // likewise for linking a client to the resource
      }),
    ],
  };
}

/**
 * Seeds Portcullis for the token bench: `clientCount` M2M clients (each its own tenant, owned by
 * a seeded user, created through `auth.api.createClient`, secret shown once) and one refresh
 * token per seeded session (`auth.api.issueTokens`, as a token-mode sign-in makes it).
 *
 * @param {{ auth: import('@portcullis/core').Auth, users: { userId: string, token: string }[] }} portcullis
 */
export async function seedPortcullisTokenEndpoint(portcullis, { clientCount }) {
  const { auth, users } = portcullis;
  const clients = [];
  for (let i = 0; i < clientCount; i++) {
    const owner = users[i % users.length];
    const tenant = await auth.api.createTenant(owner.userId, { slug: `bench-${i}`, name: `Bench ${i}` });
    const { client, secret } = await auth.api.createClient(tenant.id, owner.userId, {
      name: `Bench worker ${i}`,
      scopes: [CLIENT_SCOPE],
    });
    clients.push({ id: client.id, secret });
  }
  const refreshTokens = [];
  for (const user of users) {
    const pair = await auth.api.issueTokens(user.token);
    refreshTokens.push({ userId: user.userId, refreshToken: pair.refreshToken });
  }
  return { clients, refreshTokens, firstPartyClientId: auth.config.refreshTokens.firstPartyClientId };
}

/**
 * Seeds better-auth for the token bench through its own endpoints: `clientCount` confidential
 * clients allowed the client-credentials grant for {@link CLIENT_SCOPE}
 * (`auth.api.adminCreateOAuthClient`, as a seeded user: it needs a session), and one public first-party client (`none`, consent
 * skipped) through which every seeded user goes the authorization-code flow with PKCE once
 * (`GET /oauth2/authorize` with the user's session cookie, then `POST /oauth2/token`), scope
 * `offline_access`, so that each user holds a refresh token as a real app would.
 *
 * @param {{ auth: ReturnType<import('better-auth').betterAuth>, users: { userId: string, headers: Headers }[] }} betterAuth
 */
export async function seedBetterAuthTokenEndpoint(betterAuth, { clientCount, baseURL }) {
  const { auth, users } = betterAuth;
  const clients = [];
  for (let i = 0; i < clientCount; i++) {
    const created = await auth.api.adminCreateOAuthClient({
      headers: users[i % users.length].headers,
      body: {
        client_name: `Bench worker ${i}`,
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_post',
        client_credentials_scopes: [CLIENT_SCOPE],
        resources: [TOKEN_RESOURCE],
        skip_consent: true,
      },
    });
    clients.push({ id: created.client_id, secret: created.client_secret });
  }
  const redirectUri = 'http://127.0.0.1/callback';
  const app = await auth.api.adminCreateOAuthClient({
    headers: users[0].headers,
    body: {
      client_name: 'First-party app',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      resources: [TOKEN_RESOURCE],
      skip_consent: true,
    },
  });
  const base = `${baseURL}/api/auth`;
  const refreshTokens = new Array(users.length);
  const seedOne = async (i) => {
    const user = users[i];
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authorize = new URL(`${base}/oauth2/authorize`);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: app.client_id,
      redirect_uri: redirectUri,
      scope: 'offline_access', // no `openid`: Portcullis issues no ID token on refresh either
      state: randomBytes(8).toString('hex'),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      resource: TOKEN_RESOURCE,
    }))
      authorize.searchParams.set(k, v);
    const answer = await auth.handler(new Request(authorize, { headers: user.headers, redirect: 'manual' }));
    const location = answer.headers.get('location');
    const code = location ? new URL(location, base).searchParams.get('code') : null;
    if (!code)
      throw new Error(
        `better-auth authorize for user ${i}: ${answer.status} ${location ?? (await answer.text()).slice(0, 300)}`,
      );
    const token = await auth.handler(
      new Request(`${base}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          code_verifier: verifier,
          client_id: app.client_id,
          redirect_uri: redirectUri,
          resource: TOKEN_RESOURCE,
        }),
      }),
    );
    const body = await token.json();
    if (token.status !== 200 || !body.refresh_token)
      throw new Error(`better-auth code exchange for user ${i}: ${token.status} ${JSON.stringify(body)}`);
    refreshTokens[i] = { userId: user.userId, refreshToken: body.refresh_token };
  };
  for (let first = 0; first < users.length; first += 8)
    await Promise.all(
      Array.from({ length: Math.min(8, users.length - first) }, (_, k) => seedOne(first + k)),
    );
  return { clients, refreshTokens, firstPartyClientId: app.client_id };
}
