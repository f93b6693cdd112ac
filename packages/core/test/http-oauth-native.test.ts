import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type IdpAccount,
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../../../test-support/oidc-identity-provider.js';
import { totpCodeAt, totpStep } from '../src/credentials/totp/totp-code.js';
import { type Auth, type AuthConfig, createAuth, oidcProvider } from '../src/index.js';
import { memoryStorage } from '../src/memory/index.js';
import { silentLogger } from '../src/ports/logger.js';
import { testClock } from '../src/testing/index.js';
import { serveHandler } from './support/handler-server.js';
import { PASSWORD, SECRET, uniqueEmail } from './support.js';

/**
 * Token mode for native apps (RFC 8252): a provider sign-in in the system browser that ends at
 * the app's redirect URI with a one-time code, traded at `POST /oauth/token` with PKCE by
 * `openid-client`; and sign-in bodies naming a configured native client. The app runs behind a
 * real HTTP server, the provider is `oidc-provider`.
 */

const APP_REDIRECT = 'com.example.app:/oauth/callback';
const LOOPBACK_REDIRECT = 'http://127.0.0.1/callback';

let auth: Auth | undefined;
let server: Awaited<ReturnType<typeof serveHandler>>;
let baseURL: string;
let idp: TestIdentityProvider;

beforeAll(async () => {
  server = await serveHandler(() => auth);
  baseURL = server.baseURL;
  idp = await startTestIdentityProvider({ redirectUris: [`${baseURL}/auth/oauth/acme/callback`] });
});
afterAll(async () => {
  await idp?.close();
  await server?.close();
});

function aPerson(): IdpAccount {
  const id = randomBytes(6).toString('hex');
  return { sub: `sub-${id}`, email: `person-${id}@idp.test`, emailVerified: true, name: 'Ada' };
}

function setup(overrides: Partial<AuthConfig> = {}) {
  const storage = memoryStorage();
  auth = createAuth({
    storage,
    secret: SECRET,
    baseURL,
    logger: silentLogger,
    outbox: { autoStart: false },
    mailer: { send: async () => {} },
    refreshTokens: {
      graceSeconds: 0,
      nativeClients: [{ id: 'ios-app', redirectUris: [APP_REDIRECT, LOOPBACK_REDIRECT] }],
    },
    oauth: {
      providers: {
        acme: oidcProvider({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }),
      },
    },
    ...overrides,
  });
  return { auth, storage };
}

/** The system browser: a cookie jar per origin, following redirects by hand. */
function systemBrowser() {
  const jars = new Map<string, Map<string, string>>();
  async function get(url: string): Promise<Response> {
    const origin = new URL(url).origin;
    const jar = jars.get(origin) ?? new Map<string, string>();
    jars.set(origin, jar);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const value = pair!.slice(eq + 1);
      if (value === '') jar.delete(pair!.slice(0, eq));
      else jar.set(pair!.slice(0, eq), value);
    }
    return response;
  }
  /** Opens `url` and follows redirects until one leaves for `redirectUri` (the app), or a page. */
  async function open(url: string, redirectUri: string) {
    let next = url;
    for (let hops = 0; hops < 12; hops++) {
      const response = await get(next);
      const location = response.headers.get('location');
      if (!location) return { response, location: null, setCookies: [] as string[] };
      const target = new URL(location, next).href;
      if (target.startsWith(redirectUri.replace(/\/callback$/, ''))) {
        return { response, location: target, setCookies: response.headers.getSetCookie() };
      }
      next = target;
    }
    throw new Error('too many redirects');
  }
  return { open };
}

/** What the app does: PKCE verifier and challenge, its state, and the system browser's trip. */
async function nativeSignIn(
  person: IdpAccount,
  options: { redirectUri?: string; query?: Record<string, string> } = {},
) {
  const redirectUri = options.redirectUri ?? APP_REDIRECT;
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const query = new URLSearchParams({
    client_id: 'ios-app',
    redirect_uri: redirectUri,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    ...options.query,
  });
  idp.loginAs(person);
  const trip = await systemBrowser().open(`${baseURL}/auth/oauth/acme?${query}`, redirectUri);
  return { ...trip, codeVerifier, state, redirectUri };
}

function discover(clientId: string) {
  return oidc.discovery(
    new URL(`${baseURL}/auth/.well-known/oauth-authorization-server`),
    clientId,
    undefined,
    oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
}

async function postForm(form: Record<string, string>) {
  const response = await fetch(`${baseURL}/auth/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: await response.json() };
}

/** The `code` of an authorization response at the app's redirect URI. */
function codeOf(location: string | null): string {
  const code = location ? new URL(location).searchParams.get('code') : null;
  if (!code) throw new Error(`no code in ${location}`);
  return code;
}

const sessionStatus = async (accessToken: string) =>
  (await fetch(`${baseURL}/auth/session`, { headers: { authorization: `Bearer ${accessToken}` } })).status;

describe('provider sign-in for a native app (RFC 8252, PKCE S256)', () => {
  it('ends at the app redirect URI with a code and the app state, sets no session cookie, and openid-client trades the code for a pair of the app', async () => {
    setup();
    const person = aPerson();
    const trip = await nativeSignIn(person);

    expect(trip.response.status).toBe(302);
    const back = new URL(trip.location!);
    expect(`${back.protocol}${back.pathname}`).toBe(APP_REDIRECT);
    expect(back.searchParams.get('state')).toBe(trip.state);
    expect(back.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(trip.setCookies.some((c) => c.startsWith('portcullis.session='))).toBe(false);

    const app = await discover('ios-app');
    const tokens = await oidc.authorizationCodeGrant(app, back, {
      pkceCodeVerifier: trip.codeVerifier,
      expectedState: trip.state,
    });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.refresh_token).toMatch(/^pc_rt_/);
    const principal = await auth!.api.verifyAccessToken(tokens.access_token);
    expect(principal).toMatchObject({ type: 'user', clientId: 'ios-app', amr: ['fed'] });
    expect(await sessionStatus(tokens.access_token)).toBe(200);

    // the app refreshes as a public client by its own client_id
    const renewed = await oidc.refreshTokenGrant(app, tokens.refresh_token!);
    expect((await auth!.api.verifyAccessToken(renewed.access_token)).clientId).toBe('ios-app');
    // the first-party id cannot refresh the app's tokens
    const firstParty = await discover('first-party');
    await expect(oidc.refreshTokenGrant(firstParty, renewed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('accepts a code once: a second use is invalid_grant and ends the session the code opened', async () => {
    setup();
    const trip = await nativeSignIn(aPerson());
    const code = codeOf(trip.location);
    const exchange = {
      grant_type: 'authorization_code',
      client_id: 'ios-app',
      code,
      redirect_uri: APP_REDIRECT,
      code_verifier: trip.codeVerifier,
    };

    const first = await postForm(exchange);
    expect(first.status).toBe(200);
    expect(await sessionStatus(first.body.access_token)).toBe(200);

    const second = await postForm(exchange);
    expect(second).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await sessionStatus(first.body.access_token)).toBe(401);
    expect(
      await postForm({
        grant_type: 'refresh_token',
        client_id: 'ios-app',
        refresh_token: first.body.refresh_token,
      }),
    ).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it.each([
    ['a wrong code_verifier', { code_verifier: oidc.randomPKCECodeVerifier() }],
    ['another redirect_uri', { redirect_uri: 'com.example.app:/other' }],
    ['another client', { client_id: 'first-party' }],
    ['no code_verifier', { code_verifier: '' }],
  ])('refuses %s with invalid_grant, and the code is spent', async (_name, change) => {
    setup();
    const trip = await nativeSignIn(aPerson());
    const exchange = {
      grant_type: 'authorization_code',
      client_id: 'ios-app',
      code: codeOf(trip.location),
      redirect_uri: APP_REDIRECT,
      code_verifier: trip.codeVerifier,
    };
    const refused = await postForm({ ...exchange, ...change });
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await postForm(exchange)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('of concurrent exchanges of one code exactly one gets tokens', async () => {
    setup();
    const trip = await nativeSignIn(aPerson());
    const exchange = {
      grant_type: 'authorization_code',
      client_id: 'ios-app',
      code: codeOf(trip.location),
      redirect_uri: APP_REDIRECT,
      code_verifier: trip.codeVerifier,
    };
    const answers = await Promise.all(Array.from({ length: 5 }, () => postForm(exchange)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.body.error === 'invalid_grant')).toHaveLength(4);
  });

  it('lets a code expire after 60 seconds', async () => {
    const clock = testClock(new Date());
    setup({ clock });
    const exchange = (trip: Awaited<ReturnType<typeof nativeSignIn>>) =>
      postForm({
        grant_type: 'authorization_code',
        client_id: 'ios-app',
        code: codeOf(trip.location),
        redirect_uri: APP_REDIRECT,
        code_verifier: trip.codeVerifier,
      });
    const inTime = await nativeSignIn(aPerson());
    clock.advanceSeconds(59);
    expect((await exchange(inTime)).status).toBe(200);
    const late = await nativeSignIn(aPerson());
    clock.advanceSeconds(61);
    expect(await exchange(late)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('hands a pending second factor to the app, which completes it with POST /mfa/verify and its client_id', async () => {
    setup();
    const person = aPerson();
    const first = await nativeSignIn(person);
    const tokens = await postForm({
      grant_type: 'authorization_code',
      client_id: 'ios-app',
      code: codeOf(first.location),
      redirect_uri: APP_REDIRECT,
      code_verifier: first.codeVerifier,
    });
    const bearer = {
      authorization: `Bearer ${tokens.body.access_token}`,
      'content-type': 'application/json',
    };
    const totp = await (
      await fetch(`${baseURL}/auth/mfa/totp/setup`, { method: 'POST', headers: bearer, body: '{}' })
    ).json();
    const confirmed = await (
      await fetch(`${baseURL}/auth/mfa/totp/confirm`, {
        method: 'POST',
        headers: bearer,
        body: JSON.stringify({ code: totpCodeAt(totp.secret, totpStep(new Date())) }),
      })
    ).json();

    const second = await nativeSignIn(person);
    const back = new URL(second.location!);
    expect(back.searchParams.get('state')).toBe(second.state);
    expect(back.searchParams.has('code')).toBe(false);
    expect(back.searchParams.get('methods')).toBe('totp,recovery_code');
    const verified = await fetch(`${baseURL}/auth/mfa/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        challengeId: back.searchParams.get('mfa_challenge'),
        method: 'recovery_code',
        code: confirmed.recoveryCodes[0],
        client_id: 'ios-app',
      }),
    });
    const pair = await verified.json();
    expect(verified.status).toBe(200);
    const principal = await auth!.api.verifyAccessToken(pair.access_token);
    expect(principal).toMatchObject({ clientId: 'ios-app', amr: ['fed', 'otp'] });
  });

  it('matches a loopback redirect URI whatever its port (RFC 8252 §7.3)', async () => {
    setup();
    const redirectUri = 'http://127.0.0.1:53682/callback';
    const trip = await nativeSignIn(aPerson(), { redirectUri });
    const back = new URL(trip.location!);
    expect(back.origin + back.pathname).toBe(redirectUri);
    const tokens = await oidc.authorizationCodeGrant(await discover('ios-app'), back, {
      pkceCodeVerifier: trip.codeVerifier,
      expectedState: trip.state,
    });
    expect(tokens.refresh_token).toMatch(/^pc_rt_/);
  });

  it.each([
    ['an unknown client', { client_id: 'android-app' }],
    ['an unregistered redirect URI', { redirect_uri: 'com.evil.app:/oauth/callback' }],
    ['localhost instead of a loopback literal', { redirect_uri: 'http://localhost:53682/callback' }],
    ['a registered URI with another path', { redirect_uri: 'com.example.app:/oauth/callback/x' }],
  ])('never redirects to the app for %s: 400 problem+json', async (_name, query) => {
    setup();
    const trip = await nativeSignIn(aPerson(), { query });
    expect(trip.location).toBeNull();
    expect(trip.response.status).toBe(400);
    expect(trip.response.headers.get('content-type')).toBe('application/problem+json');
    expect((await trip.response.json()).code).toBe('invalid_request');
  });

  it.each([
    ['plain PKCE', { code_challenge_method: 'plain' }],
    ['a malformed challenge', { code_challenge: 'short' }],
    ['a browser-only parameter', { redirectTo: '/home' }],
  ])('answers %s at the validated redirect URI with error=invalid_request and the state', async (_n, query) => {
    setup();
    const trip = await nativeSignIn(aPerson(), { query });
    const back = new URL(trip.location!);
    expect(`${back.protocol}${back.pathname}`).toBe(APP_REDIRECT);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('state')).toBe(trip.state);
    expect(back.searchParams.has('code')).toBe(false);
  });

  it('sends a refused sign-in back to the app as error=access_denied with the Portcullis code, and writes nothing', async () => {
    const { storage } = setup({ signup: { enabled: false } });
    const person = aPerson();
    const trip = await nativeSignIn(person);
    const back = new URL(trip.location!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('error_description')).toBe('forbidden');
    expect(back.searchParams.get('state')).toBe(trip.state);
    expect(await storage.users.findByEmail(null, person.email)).toBeNull();
  });

  it('publishes the authorization_code grant and S256 in the metadata', async () => {
    setup();
    const app = await discover('ios-app');
    const metadata = app.serverMetadata();
    expect(metadata.grant_types_supported).toContain('authorization_code');
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
  });
});

describe('sign-in bodies naming a native client', () => {
  async function post(path: string, body: unknown) {
    const response = await fetch(`${baseURL}/auth${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  }

  it('answers in token mode with the client_id in the tokens, no delivery needed; the app refreshes by its id', async () => {
    setup();
    const email = uniqueEmail('native');
    const signedUp = await post('/signup', { email, password: PASSWORD, client_id: 'ios-app' });
    expect(signedUp.status).toBe(201);
    expect(signedUp.headers.getSetCookie().some((c) => c.startsWith('portcullis.session='))).toBe(false);
    expect((await auth!.api.verifyAccessToken(signedUp.body.access_token)).clientId).toBe('ios-app');

    const login = await post('/login', { email, password: PASSWORD, client_id: 'ios-app' });
    expect(login.body).toMatchObject({
      token_type: 'Bearer',
      refresh_token: expect.stringMatching(/^pc_rt_/),
    });
    const renewed = await postForm({
      grant_type: 'refresh_token',
      client_id: 'ios-app',
      refresh_token: login.body.refresh_token,
    });
    expect(renewed.status).toBe(200);
    expect((await auth!.api.verifyAccessToken(renewed.body.access_token)).clientId).toBe('ios-app');
    // delivery: "token" alone is still the first-party client
    const firstParty = await post('/login', { email, password: PASSWORD, delivery: 'token' });
    expect((await auth!.api.verifyAccessToken(firstParty.body.access_token)).clientId).toBe('first-party');
  });

  it('refuses an unknown client_id, or a client_id with delivery "cookie", before signing in', async () => {
    setup();
    const email = uniqueEmail('native');
    await post('/signup', { email, password: PASSWORD });
    const sessionsBefore = (await auth!.api.signIn({ email, password: PASSWORD })) as {
      user: { id: string };
    };
    const count = async () => (await auth!.api.listSessions(sessionsBefore.user.id)).length;
    const before = await count();

    const unknown = await post('/login', { email, password: PASSWORD, client_id: 'android-app' });
    expect(unknown).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    const contradictory = await post('/login', {
      email,
      password: PASSWORD,
      client_id: 'ios-app',
      delivery: 'cookie',
    });
    expect(contradictory).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    expect(await count()).toBe(before);
  });
});

describe('native client configuration', () => {
  it.each([
    ['localhost (RFC 8252 §8.3)', 'http://localhost/callback'],
    ['http off the loopback', 'http://app.example.com/callback'],
    ['a scheme that is no reversed domain', 'myapp:/callback'],
    ['javascript:', 'javascript:alert(1)'],
    ['a fragment', 'https://app.example.com/callback#x'],
    ['a relative URI', '/callback'],
  ])('refuses %s as a redirect URI at start', (_name, uri) => {
    expect(() =>
      createAuth({
        storage: memoryStorage(),
        secret: SECRET,
        baseURL: 'https://app.example.com',
        logger: silentLogger,
        refreshTokens: { nativeClients: [{ id: 'ios-app', redirectUris: [uri] }] },
      }),
    ).toThrow(/redirect URI/);
  });

  it('refuses two native clients with one id', () => {
    expect(() =>
      createAuth({
        storage: memoryStorage(),
        secret: SECRET,
        baseURL: 'https://app.example.com',
        logger: silentLogger,
        refreshTokens: {
          nativeClients: [
            { id: 'ios-app', redirectUris: [APP_REDIRECT] },
            { id: 'ios-app', redirectUris: [LOOPBACK_REDIRECT] },
          ],
        },
      }),
    ).toThrow(/unique/);
  });
});
