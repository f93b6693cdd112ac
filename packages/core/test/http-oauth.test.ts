import { randomBytes } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type IdpAccount,
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../../../test-support/oidc-identity-provider.js';
import { totpCodeAt, totpStep } from '../src/credentials/totp/totp-code.js';
import { type AuthConfig, oidcProvider } from '../src/index.js';
import { memoryStorage } from '../src/memory/index.js';
import type { StorageStores } from '../src/ports/storage.js';
import { ORIGIN, PASSWORD, testAuth } from './support.js';

const CALLBACK = `${ORIGIN}/auth/oauth/acme/callback`;

/** A cookie jar per origin: the browser's side of both the app and the identity provider. */
class Browser {
  readonly cookies = new Map<string, Map<string, string>>();

  cookieHeader(url: string): string | null {
    const jar = this.cookies.get(new URL(url).origin);
    return jar && jar.size > 0 ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : null;
  }

  store(url: string, headers: Headers): void {
    const origin = new URL(url).origin;
    const jar = this.cookies.get(origin) ?? new Map<string, string>();
    this.cookies.set(origin, jar);
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
  }

  appCookie(name: string): string | undefined {
    return this.cookies.get(ORIGIN)?.get(name);
  }
}

let idp: TestIdentityProvider;
let otherIdp: TestIdentityProvider;

beforeAll(async () => {
  idp = await startTestIdentityProvider({ redirectUris: [CALLBACK] });
  otherIdp = await startTestIdentityProvider({ redirectUris: [CALLBACK] });
});
afterAll(async () => {
  await idp?.close();
  await otherIdp?.close();
});

function aPerson(overrides: Partial<IdpAccount> = {}): IdpAccount {
  const id = randomBytes(6).toString('hex');
  return { sub: `sub-${id}`, email: `person-${id}@idp.test`, emailVerified: true, name: 'Ada', ...overrides };
}

function setup(overrides: Partial<AuthConfig> = {}, fetchOverride?: typeof fetch) {
  const storage = memoryStorage();
  const config: Partial<AuthConfig> = {
    storage,
    emailLinks: { redirectAllowlist: ['/home', 'http://localhost:3000/settings'] },
    ...overrides,
    oauth: {
      ...overrides.oauth,
      providers: {
        acme: oidcProvider({
          issuer: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
          name: 'Acme SSO',
          ...(fetchOverride ? { fetch: fetchOverride } : {}),
        }),
        ...overrides.oauth?.providers,
      },
    },
  };
  const { auth, client } = testAuth(config);
  const browser = new Browser();

  /** One request as the browser: the app in process, the identity provider over the network. */
  async function request(url: string, jar = browser): Promise<Response> {
    const cookie = jar.cookieHeader(url);
    const headers = new Headers(cookie ? { cookie } : {});
    const response = url.startsWith(ORIGIN)
      ? await auth.handler(new Request(url, { headers }), { clientIp: '127.0.0.1' })
      : await fetch(url, { headers, redirect: 'manual' });
    jar.store(url, response.headers);
    return response;
  }

  /** Follows redirects from `url` until the provider sends the browser back to the callback. */
  async function toCallback(url: string, jar = browser): Promise<string> {
    let next = url;
    for (let hops = 0; hops < 10; hops++) {
      if (next.startsWith(CALLBACK)) return next;
      const response = await request(next, jar);
      const location = response.headers.get('location');
      if (!location) throw new Error(`no redirect from ${next}: ${response.status} ${await response.text()}`);
      next = new URL(location, next).href;
    }
    throw new Error('too many redirects');
  }

  /** `GET /oauth/acme` → the provider's authorization URL (the binding cookie is now set). */
  async function start(query = '', jar = browser): Promise<URL> {
    const response = await request(`${ORIGIN}/auth/oauth/acme${query}`, jar);
    expect(response.status, await response.clone().text()).toBe(302);
    return new URL(response.headers.get('location')!);
  }

  async function callback(url: string, jar = browser) {
    const response = await request(url, jar);
    const text = await response.text();
    return {
      status: response.status,
      location: response.headers.get('location'),
      body: text ? JSON.parse(text) : null,
      headers: response.headers,
    };
  }

  /** The whole flow for `person`: start, log in at the provider, come back. */
  async function signInAs(person: IdpAccount, query = '?redirectTo=/home', jar = browser) {
    idp.loginAs(person);
    return callback(await toCallback((await start(query, jar)).href, jar), jar);
  }

  const sessionCookie = (jar = browser) => {
    const value = jar.appCookie(auth.sessionCookieName);
    return value ? `${auth.sessionCookieName}=${value}` : null;
  };

  return { auth, client, storage, browser, request, toCallback, start, callback, signInAs, sessionCookie };
}

/** Everything the stores hold about `email`: a user and their provider accounts. */
async function footprint(stores: StorageStores, email: string) {
  const user = await stores.users.findByEmail(null, email.toLowerCase());
  return { user, accounts: user ? await stores.oauthAccounts.listByUser(user.id) : [] };
}

describe('OIDC login against a real identity provider (oidc-provider)', () => {
  it('redirects to the provider with S256 PKCE, state and nonce, and binds the flow to the browser', async () => {
    const { start, browser } = setup();
    const url = await start('?redirectTo=/home');

    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe(idp.clientId);
    expect(url.searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(url.searchParams.get('scope')).toBe('openid email profile');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(browser.appCookie('portcullis.oauth')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('signs a new person up (email verified as the provider says), then signs them in again', async () => {
    const { signInAs, client, sessionCookie, auth, storage, browser } = setup();
    const person = aPerson();

    const first = await signInAs(person);

    expect(first.status).toBe(302);
    expect(first.location).toBe('/home');
    expect(browser.appCookie('portcullis.oauth')).toBeUndefined();
    const session = await client.get('/session', sessionCookie());
    expect(session.status).toBe(200);
    expect(session.body.user.email).toBe(person.email);
    expect(session.body.user.emailVerifiedAt).not.toBeNull();
    expect(session.body.session.amr).toEqual(['fed']);
    const { user, accounts } = await footprint(storage, person.email);
    expect(accounts).toMatchObject([{ provider: 'acme', subject: person.sub, email: person.email }]);
    // one transaction wrote the user, the account, the session and their audit entries
    const audit = await storage.audit.list(`user:${user!.id}`, { limit: 10 });
    expect(audit.map((e) => e.action).reverse()).toEqual([
      'user.created',
      'oauth.account_linked',
      'oauth.signed_in',
      'session.created',
    ]);
    expect(audit.find((e) => e.action === 'oauth.account_linked')?.data).toMatchObject({
      provider: 'acme',
      via: 'signup',
    });

    const again = new Browser();
    const second = await signInAs(person, '', again);
    expect(second.status).toBe(302);
    expect(second.location).toBe('/');
    const returning = await client.get('/session', sessionCookie(again));
    expect(returning.body.user.id).toBe(user!.id);
    expect(await auth.api.listOAuthAccounts(user!.id)).toHaveLength(1);
  });

  it('refuses a tampered state and leaves the real flow usable', async () => {
    const { start, toCallback, callback, storage } = setup();
    const person = aPerson();
    idp.loginAs(person);
    const url = new URL(await toCallback((await start()).href));
    const tampered = new URL(url);
    tampered.searchParams.set('state', `${url.searchParams.get('state')!.slice(0, -2)}xx`);

    const refused = await callback(tampered.href);

    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body.code).toBe('oauth_state_invalid');
    expect(refused.headers.getSetCookie().some((c) => c.includes('portcullis.session'))).toBe(false);
    expect((await footprint(storage, person.email)).user).toBeNull();
    expect((await callback(url.href)).status).toBe(302);
  });

  it('refuses a callback in a browser that did not start the flow (no or another binding cookie)', async () => {
    const { start, toCallback, callback, storage } = setup();
    const person = aPerson();
    idp.loginAs(person);
    const url = await toCallback((await start()).href);

    const elsewhere = new Browser();
    const noCookie = await callback(url, elsewhere);
    expect(noCookie.status).toBe(400);
    expect(noCookie.body.code).toBe('oauth_state_invalid');

    // an attacker's own binding: they started a flow of their own in their browser
    const attacker = setup();
    await attacker.start('', elsewhere);
    const otherCookie = await callback(url, elsewhere);
    expect(otherCookie.status).toBe(400);
    expect(otherCookie.body.code).toBe('oauth_state_invalid');
    expect((await footprint(storage, person.email)).user).toBeNull();
  });

  it('always sends PKCE: the provider refuses a request without a challenge and a code exchanged without the verifier', async () => {
    const { start, toCallback, callback, storage } = setup();
    const person = aPerson();
    idp.loginAs(person);

    const withoutChallenge = await start();
    withoutChallenge.searchParams.delete('code_challenge');
    withoutChallenge.searchParams.delete('code_challenge_method');
    const refusedAtProvider = await callback(await toCallback(withoutChallenge.href));
    expect(refusedAtProvider.status).toBe(400);
    expect(refusedAtProvider.body.code).toBe('oauth_callback_invalid');
    expect(refusedAtProvider.body.detail).toMatch(/invalid_request/);

    // a code exchanged by someone who has the code but not the verifier
    const url = new URL(await toCallback((await start()).href));
    const response = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: url.searchParams.get('code')!,
        redirect_uri: CALLBACK,
        client_id: idp.clientId,
        client_secret: idp.clientSecret,
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_grant');
    expect((await footprint(storage, person.email)).user).toBeNull();
  });

  it('refuses an authorization response without iss from a provider that advertises it (RFC 9207)', async () => {
    const { start, toCallback, callback } = setup();
    idp.loginAs(aPerson());
    const url = new URL(await toCallback((await start()).href));
    url.searchParams.delete('iss');

    const refused = await callback(url.href);

    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('oauth_callback_invalid');
    expect(refused.body.detail).toMatch(/iss/);
  });

  it('refuses an authorization response whose iss names another issuer', async () => {
    const { start, toCallback, callback, storage } = setup();
    const person = aPerson();
    idp.loginAs(person);
    const url = new URL(await toCallback((await start()).href));
    expect(url.searchParams.get('iss')).toBe(idp.issuer);
    url.searchParams.set('iss', otherIdp.issuer);

    const refused = await callback(url.href);

    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('oauth_callback_invalid');
    expect(refused.body.detail).toMatch(/iss/);
    expect((await footprint(storage, person.email)).user).toBeNull();
  });

  it('refuses an ID token issued by another provider, even with the right audience and nonce', async () => {
    const person = aPerson();
    let foreignIdToken: string | undefined;
    // the token endpoint's answer arrives with a genuine ID token of the other issuer in it
    const swapIdToken: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).endsWith('/token') || !foreignIdToken) return response;
      const body = (await response.json()) as Record<string, unknown>;
      return Response.json({ ...body, id_token: foreignIdToken }, { status: response.status });
    };
    const { start, toCallback, callback, storage } = setup({}, swapIdToken);
    idp.loginAs(person);
    const authorizationUrl = await start();
    const url = await toCallback(authorizationUrl.href);
    foreignIdToken = await idTokenFrom(otherIdp, person, authorizationUrl.searchParams.get('nonce')!);

    const refused = await callback(url);

    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('oauth_callback_invalid');
    expect(refused.body.detail).toMatch(/"iss"/);
    expect((await footprint(storage, person.email)).user).toBeNull();
  });

  it('refuses an ID token issued an hour in the future, and one without the nonce it was asked for, with 400 (not 502)', async () => {
    // the real provider's token, its claims rewritten on the way (the code flow reads the token
    // from the token endpoint over TLS: its claims are checked, its signature is not)
    const cases: Array<[string, (claims: Record<string, unknown>) => void, RegExp]> = [
      ['iat an hour ahead', (claims) => void (claims.iat = (claims.iat as number) + 3600), /"iat"/],
      ['no nonce', (claims) => void delete claims.nonce, /"nonce"/],
    ];
    for (const [name, rewrite, detail] of cases) {
      const person = aPerson();
      const rewriteIdToken: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (!String(input).endsWith('/token')) return response;
        const body = (await response.json()) as { id_token: string };
        const [header, payload, signature] = body.id_token.split('.') as [string, string, string];
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        rewrite(claims);
        const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
        return Response.json(
          { ...body, id_token: `${header}.${forged}.${signature}` },
          { status: response.status },
        );
      };
      const { signInAs, storage } = setup({}, rewriteIdToken);

      const refused = await signInAs(person);

      expect(refused.status, name).toBe(400);
      expect(refused.body.code, name).toBe('oauth_callback_invalid');
      expect(refused.body.detail, name).toMatch(detail);
      expect((await footprint(storage, person.email)).user, name).toBeNull();
    }
  });

  it('never accepts a callback or a code twice', async () => {
    const { start, toCallback, callback, storage } = setup();
    const person = aPerson();
    idp.loginAs(person);
    const url = new URL(await toCallback((await start()).href));
    expect((await callback(url.href)).status).toBe(302);

    const replayedCallback = await callback(url.href);
    expect(replayedCallback.status).toBe(400);
    expect(replayedCallback.body.code).toBe('oauth_state_invalid');

    // the used code in a fresh flow of the same browser: the provider refuses it
    idp.loginAs(person);
    const fresh = new URL(await toCallback((await start()).href));
    fresh.searchParams.set('code', url.searchParams.get('code')!);
    const replayedCode = await callback(fresh.href);
    expect(replayedCode.status).toBe(400);
    expect(replayedCode.body.code).toBe('oauth_callback_invalid');
    expect(replayedCode.body.detail).toMatch(/invalid_grant/);
    expect((await footprint(storage, person.email)).accounts).toHaveLength(1);
  });

  it('of concurrent callbacks with one state exactly one signs in', async () => {
    const { start, toCallback, callback } = setup();
    idp.loginAs(aPerson());
    const url = await toCallback((await start()).href);

    const results = await Promise.all(Array.from({ length: 5 }, () => callback(url)));

    expect(results.filter((r) => r.status === 302)).toHaveLength(1);
    expect(results.filter((r) => r.body?.code === 'oauth_state_invalid')).toHaveLength(4);
  });
});

describe('OIDC login: existing users and linking', () => {
  async function existingUser(auth: ReturnType<typeof setup>['auth'], email: string, emailVerified: boolean) {
    return auth.api.createUser({ email, password: PASSWORD, emailVerified });
  }

  it('by default never links to an existing user by email, and writes nothing', async () => {
    const { auth, signInAs, storage } = setup();
    const person = aPerson();
    const user = await existingUser(auth, person.email, true);

    const refused = await signInAs(person);

    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('oauth_account_not_linked');
    expect(await storage.oauthAccounts.listByUser(user.id)).toEqual([]);
  });

  it('links by verified email when the config allows it and both sides are verified', async () => {
    const { auth, signInAs, client, sessionCookie } = setup({
      oauth: { providers: {}, linking: { mode: 'verified-email' } },
    });
    const person = aPerson();
    const user = await existingUser(auth, person.email, true);

    const linked = await signInAs(person);

    expect(linked.status).toBe(302);
    expect((await client.get('/session', sessionCookie())).body.user.id).toBe(user.id);
    expect(await auth.api.listOAuthAccounts(user.id)).toMatchObject([
      { provider: 'acme', subject: person.sub },
    ]);
  });

  it('never links an email the provider does not vouch for; onto an unverified local address it links by claiming it', async () => {
    const { auth, signInAs, storage } = setup({
      oauth: { providers: {}, linking: { mode: 'verified-email' } },
    });
    const unverifiedAtProvider = aPerson({ emailVerified: false });
    const local = await existingUser(auth, unverifiedAtProvider.email, true);
    const refused = await signInAs(unverifiedAtProvider);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('oauth_account_not_linked');
    expect(await storage.oauthAccounts.listByUser(local.id)).toEqual([]);

    // someone registered the address first and never proved it: the provider proves it for its
    // owner, whose account it becomes without the password set before (see the pre-hijacking tests)
    const owner = aPerson();
    const squatted = await existingUser(auth, owner.email, false);
    const claimed = await signInAs(owner, '', new Browser());
    expect(claimed.status).toBe(302);
    expect(await storage.oauthAccounts.listByUser(squatted.id)).toMatchObject([{ subject: owner.sub }]);
    expect(await storage.passwords.findHash(squatted.id)).toBeNull();
    expect((await auth.api.getUser(squatted.id))?.emailVerifiedAt).not.toBeNull();
  });

  it('refuses linking by email for a provider outside trustedProviders', async () => {
    const { auth, signInAs } = setup({
      oauth: {
        providers: { other: oidcProvider({ issuer: otherIdp.issuer, clientId: 'x', clientSecret: 'y' }) },
        linking: { mode: 'verified-email', trustedProviders: ['other'] },
      },
    });
    const person = aPerson();
    await existingUser(auth, person.email, true);
    expect((await signInAs(person)).body.code).toBe('oauth_account_not_linked');
  });

  it('links a provider to the signed-in user on request, then signs them in with it', async () => {
    const { auth, client, start, toCallback, callback, browser, signInAs, sessionCookie } = setup();
    const user = await existingUser(auth, `local-${randomBytes(4).toString('hex')}@example.test`, true);
    const login = await client.post('/login', { email: user.email, password: PASSWORD });
    browser.store(ORIGIN, login.headers);
    const person = aPerson(); // another address at the provider: linking does not need the same one

    idp.loginAs(person);
    const linked = await callback(await toCallback((await start('?intent=link&redirectTo=/home')).href));

    expect(linked.status).toBe(302);
    expect(linked.location).toBe('/home#oauth_linked=acme');
    expect(await auth.api.listOAuthAccounts(user.id)).toMatchObject([
      { provider: 'acme', subject: person.sub },
    ]);
    const elsewhere = new Browser();
    expect((await signInAs(person, '', elsewhere)).status).toBe(302);
    expect((await client.get('/session', sessionCookie(elsewhere))).body.user.id).toBe(user.id);
  });

  it('refuses to link when another user has signed in on this browser since the link started', async () => {
    const { auth, client, start, toCallback, callback, browser } = setup();
    const first = await existingUser(auth, `first-${randomBytes(4).toString('hex')}@example.test`, true);
    const second = await existingUser(auth, `second-${randomBytes(4).toString('hex')}@example.test`, true);
    browser.store(ORIGIN, (await client.post('/login', { email: first.email, password: PASSWORD })).headers);
    idp.loginAs(aPerson());
    const url = await toCallback((await start('?intent=link')).href);
    browser.store(ORIGIN, (await client.post('/login', { email: second.email, password: PASSWORD })).headers);

    const refused = await callback(url);

    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('unauthenticated');
    expect(await auth.api.listOAuthAccounts(first.id)).toEqual([]);
    expect(await auth.api.listOAuthAccounts(second.id)).toEqual([]);
  });

  it('asks for the second factor of a user who has one instead of opening a session', async () => {
    const { signInAs, client, sessionCookie } = setup();
    const person = aPerson();
    await signInAs(person);
    const cookie = sessionCookie();
    const setup1 = await client.post('/mfa/totp/setup', {}, cookie);
    const confirmed = await client.post(
      '/mfa/totp/confirm',
      { code: totpCodeAt(setup1.body.secret, totpStep(new Date())) },
      cookie,
    );

    const fresh = new Browser();
    const result = await signInAs(person, '?redirectTo=/home', fresh);

    expect(result.status).toBe(302);
    const fragment = new URLSearchParams(result.location!.split('#')[1]);
    expect(result.location!.startsWith('/home#')).toBe(true);
    expect(fragment.get('methods')).toBe('totp,recovery_code');
    expect(sessionCookie(fresh)).toBeNull();
    const challengeId = fragment.get('mfa_challenge')!;
    const verified = await client.post('/mfa/verify', {
      challengeId,
      method: 'recovery_code',
      code: confirmed.body.recoveryCodes[0],
    });
    expect(verified.status).toBe(200);
    expect(verified.body.session.amr).toEqual(['fed', 'otp']);
  });
});

describe('OIDC login: review regressions', () => {
  it('never signs a new person up from an email the provider does not vouch for (pre-registration takeover)', async () => {
    const { signInAs, storage } = setup();
    const person = aPerson({ emailVerified: false });

    const refused = await signInAs(person);

    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('oauth_email_unverified');
    expect(await storage.users.findByEmail(null, person.email)).toBeNull();
  });

  it('asks a user whose only second factor is a passkey for it (a provider login is one factor)', async () => {
    const { signInAs, client, sessionCookie, storage } = setup();
    const person = aPerson();
    await signInAs(person);
    const me = (await client.get('/session', sessionCookie())).body.user;
    const now = new Date();
    await storage.passkeys.create({
      id: crypto.randomUUID(),
      userId: me.id,
      credentialId: 'cred-1',
      credentialIdHash: randomBytes(32).toString('hex'),
      publicKey: randomBytes(77).toString('base64url'),
      counter: 0,
      transports: ['internal'],
      deviceType: 'multiDevice',
      backedUp: true,
      aaguid: '00000000-0000-0000-0000-000000000000',
      name: 'Laptop',
      createdAt: now,
      lastUsedAt: null,
      updatedAt: now,
    });

    const fresh = new Browser();
    const result = await signInAs(person, '', fresh);

    expect(result.status).toBe(302);
    const fragment = new URLSearchParams(result.location!.split('#')[1]);
    expect(fragment.get('methods')).toBe('passkey');
    expect(sessionCookie(fresh)).toBeNull();
  });

  it('does not link by email to a user with a second factor before it is proven (nothing is written)', async () => {
    const { auth, signInAs, storage, client } = setup({
      oauth: { providers: {}, linking: { mode: 'verified-email' } },
    });
    const person = aPerson();
    const user = await auth.api.createUser({ email: person.email, password: PASSWORD, emailVerified: true });
    const login = await client.post('/login', { email: person.email, password: PASSWORD });
    const cookie = login.cookie;
    const started = await client.post('/mfa/totp/setup', {}, cookie);
    await client.post(
      '/mfa/totp/confirm',
      { code: totpCodeAt(started.body.secret, totpStep(new Date())) },
      cookie,
    );

    const refused = await signInAs(person, '', new Browser());

    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('oauth_account_not_linked');
    expect(await storage.oauthAccounts.listByUser(user.id)).toEqual([]);
  });
});

describe('OAuth routes: bad input', () => {
  it('answers an unknown provider with 404 problem+json on both routes', async () => {
    const { client } = setup();
    for (const path of ['/oauth/nope', '/oauth/nope/callback?state=x&code=y']) {
      const res = await client.get(path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.code).toBe('oauth_provider_unknown');
    }
  });

  it('never redirects off the allowlist', async () => {
    const { client } = setup();
    for (const target of [
      '//evil.com',
      '/\\evil.com',
      'https://app@evil.com',
      'https://evil.com',
      '%2F%2Fevil.com',
      '/home/',
      '/HOME',
      'javascript:alert(1)',
      'http://localhost:3000/settings.evil.com',
    ]) {
      const res = await client.get(`/oauth/acme?redirectTo=${encodeURIComponent(target)}`);
      expect(res.status, target).toBe(400);
      expect(res.body.code).toBe('redirect_not_allowed');
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('answers a callback without state, or with a provider error, with a clear code', async () => {
    const { client, start, callback } = setup();
    expect((await client.get('/oauth/acme/callback?code=abc')).body.code).toBe('oauth_state_invalid');
    const url = await start();
    const denied = await callback(
      `${CALLBACK}?error=access_denied&state=${url.searchParams.get('state')}&iss=${encodeURIComponent(idp.issuer)}`,
    );
    expect(denied.status).toBe(400);
    expect(denied.body.code).toBe('oauth_callback_invalid');
    expect(denied.body.detail).toMatch(/access_denied/);
  });

  it('answers 502 when the provider cannot be discovered, and tries again at the next sign-in', async () => {
    const { client } = setup({
      oauth: {
        providers: { down: oidcProvider({ issuer: 'http://127.0.0.1:9', clientId: 'a', clientSecret: 'b' }) },
      },
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await client.get('/oauth/down');
      expect(res.status).toBe(502);
      expect(res.body.code).toBe('oauth_provider_unavailable');
    }
  });

  it('needs a session and a recent authentication to link', async () => {
    const { client } = setup();
    const res = await client.get('/oauth/acme?intent=link');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthenticated');
  });

  it('lists the providers for sign-in buttons', async () => {
    const { client } = setup();
    const res = await client.get('/oauth/providers');
    expect(res.body).toEqual({
      providers: [{ id: 'acme', name: 'Acme SSO', startPath: '/auth/oauth/acme' }],
    });
  });

  it('fails fast on a bad provider config', () => {
    expect(() =>
      setup({
        oauth: { providers: { Bad: oidcProvider({ issuer: idp.issuer, clientId: 'a', clientSecret: 'b' }) } },
      }),
    ).toThrow(/config_invalid/);
    expect(() =>
      setup({
        oauth: {
          providers: {
            x: oidcProvider({ issuer: 'http://idp.example.com', clientId: 'a', clientSecret: 'b' }),
          },
        },
      }),
    ).toThrow(/https/);
    expect(() => setup({ oauth: { providers: {}, linking: { trustedProviders: ['nope'] } } })).toThrow(
      /not a provider/,
    );
  });
});

/** A genuine ID token of `provider` for `person`, with `nonce`: a whole code flow at that provider. */
async function idTokenFrom(
  provider: TestIdentityProvider,
  person: IdpAccount,
  nonce: string,
): Promise<string> {
  const verifier = oauth.generateRandomCodeVerifier();
  const authorize = new URL(`${provider.issuer}/auth`);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: provider.clientId,
    redirect_uri: CALLBACK,
    scope: 'openid email',
    state: 'other-state',
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  provider.loginAs(person);
  const jar = new Browser();
  let next = authorize.href;
  while (!next.startsWith(CALLBACK)) {
    const cookie = jar.cookieHeader(next);
    const response = await fetch(next, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
    jar.store(next, response.headers);
    next = new URL(response.headers.get('location')!, next).href;
  }
  const code = new URL(next).searchParams.get('code')!;
  const response = await fetch(`${provider.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      client_id: provider.clientId,
      client_secret: provider.clientSecret,
      code_verifier: verifier,
    }),
  });
  return ((await response.json()) as { id_token: string }).id_token;
}
