import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Auth, AuthError, createAuth, silentLogger } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authErrorHandler,
  authRouter,
  mountAuth,
  requireAuth,
  requirePermission,
  requireStepUp,
  sendWebResponse,
  toWebRequest,
} from '../src/index.js';

const BASE_URL = 'http://localhost:3000';
const ORIGIN = { origin: BASE_URL };
const PASSWORD = 'correct horse battery staple';
const JSON_HEADERS = { 'content-type': 'application/json', ...ORIGIN };

type ExpressFactory = typeof express5;

const frameworks: Array<[string, ExpressFactory]> = [
  ['express 4', express4],
  ['express 5', express5],
];
const parserPlacements = [
  { name: 'without a body parser', jsonFirst: false },
  { name: 'after express.json()', jsonFirst: true },
];

describe.each(frameworks)('%s', (_name, express) => {
  describe.each(parserPlacements)('mounted $name', ({ jsonFirst }) => {
    let auth: Auth;
    let server: Server;
    let url: string;
    let emailCount = 0;
    const nextEmail = () => `user${++emailCount}@example.com`;

    beforeAll(async () => {
      auth = createAuth({
        storage: memoryStorage(),
        secret: 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz',
        baseURL: BASE_URL,
        rateLimit: { enabled: false },
        logger: silentLogger,
      });
      const app = express();
      if (jsonFirst) app.use(express.json());
      app.use((req, res, next) => {
        // an app cookie set before Portcullis answers must survive next to the session cookie
        if (req.get('x-set-app-cookie')) res.append('Set-Cookie', 'theme=dark; Path=/');
        next();
      });
      mountAuth(app, auth);
      app.get('/api/me', requireAuth(auth), (req, res) => {
        res.json({ email: req.auth?.user.email, sessionId: req.auth?.session.id });
      });
      app.get('/api/hello', requireAuth(auth, { optional: true }), (req, res) => {
        res.json({ signedIn: req.auth !== undefined });
      });
      app.post('/api/notes', requireAuth(auth), (_req, res) => {
        res.status(201).json({ ok: true });
      });
      app.get('/api/tenants/:id', requireAuth(auth), async (req, res, next) => {
        try {
          res.json(await auth.api.getTenant(String(req.params.id), req.auth!.user.id));
        } catch (error) {
          next(error);
        }
      });
      app.get('/api/teapot', () => {
        throw new AuthError('forbidden', { detail: 'not today' });
      });
      app.get('/api/cookies', async (_req, res) => {
        const response = new Response('ok', { headers: { 'content-type': 'text/plain' } });
        response.headers.append('set-cookie', 'a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/');
        response.headers.append('set-cookie', 'b=2; Path=/');
        await sendWebResponse(res, response);
      });
      app.use('/echo', async (req, res) => {
        const request = await toWebRequest(req, auth.config.baseURL);
        res.json({ url: request.url, method: request.method, body: await request.text() });
      });
      app.get('/authority', (_req, res) => {
        res.send('not an auth route');
      });
      app.use(authErrorHandler());
      ({ server, url } = await listen(app));
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await auth.close();
    });

    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(url + path, {
        method: 'POST',
        headers: { ...JSON_HEADERS, ...headers },
        body: JSON.stringify(body),
      });

    async function signUp(email = nextEmail()): Promise<{ email: string; cookie: string }> {
      const response = await post('/auth/signup', { email, password: PASSWORD });
      expect(response.status).toBe(201);
      return { email, cookie: sessionCookieOf(response) };
    }

    it('signs up with 201 and sets the session cookie', async () => {
      const email = nextEmail();
      const response = await post('/auth/signup', { email, password: PASSWORD, name: 'Ada' });
      expect(response.status).toBe(201);
      const body = await response.json();
      expect(body.user).toMatchObject({ email, name: 'Ada' });
      const cookie = response.headers.getSetCookie().find((c) => c.startsWith(`${auth.sessionCookieName}=`));
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
      expect(response.headers.get('x-request-id')).toBeTruthy();
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('logs in with 200, setting a new session cookie', async () => {
      const { email, cookie } = await signUp();
      const response = await post('/auth/login', { email, password: PASSWORD });
      expect(response.status).toBe(200);
      const loginCookie = sessionCookieOf(response);
      expect(loginCookie).not.toBe(cookie);

      const session = await fetch(`${url}/auth/session`, { headers: { cookie: loginCookie } });
      expect(session.status).toBe(200);
      expect((await session.json()).user.email).toBe(email);
    });

    it('takes a bearer access token (token mode) on requireAuth, with no Origin on unsafe methods, and not after logout', async () => {
      const { email, cookie } = await signUp();
      // a native app: no Origin, no cookie
      const login = await fetch(`${url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD, delivery: 'token' }),
      });
      expect(login.status).toBe(200);
      expect(login.headers.getSetCookie().some((c) => c.startsWith(`${auth.sessionCookieName}=`))).toBe(
        false,
      );
      const pair = await login.json();
      const bearer = { authorization: `Bearer ${pair.access_token}` };

      const me = await fetch(`${url}/api/me`, { headers: bearer });
      expect(me.status).toBe(200);
      expect((await me.json()).email).toBe(email);
      const note = await fetch(`${url}/api/notes`, { method: 'POST', headers: bearer });
      expect(note.status).toBe(201);
      // the cookie still needs its Origin, bearer or not
      const withCookie = await fetch(`${url}/api/notes`, { method: 'POST', headers: { ...bearer, cookie } });
      expect(withCookie.status).toBe(403);
      expect((await fetch(`${url}/api/me`, { headers: { authorization: 'Bearer not.a.jwt' } })).status).toBe(
        401,
      );

      const refreshed = await fetch(`${url}/auth/token/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: pair.refresh_token }),
      });
      expect(refreshed.status).toBe(200);
      const next = await refreshed.json();

      const logout = await fetch(`${url}/auth/logout`, {
        method: 'POST',
        headers: { authorization: `Bearer ${next.access_token}` },
      });
      expect(logout.status).toBe(204);
      expect(
        (await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${next.access_token}` } })).status,
      ).toBe(401);
    });

    it('protects a route with requireAuth and exposes req.auth.user', async () => {
      const { email, cookie } = await signUp();
      const signedIn = await fetch(`${url}/api/me`, {
        headers: { cookie: `other=1; ${cookie}; theme=dark` },
      });
      expect(signedIn.status).toBe(200);
      expect(await signedIn.json()).toMatchObject({ email, sessionId: expect.any(String) });

      const anonymous = await fetch(`${url}/api/me`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(anonymous.headers.get('x-request-id')).toBeTruthy();
      const problem = await anonymous.json();
      expect(problem).toEqual({
        type: expect.stringContaining('unauthenticated'),
        title: expect.any(String),
        status: 401,
        code: 'unauthenticated',
        requestId: anonymous.headers.get('x-request-id'),
      });
    });

    it('rejects a session cookie after logout', async () => {
      const { cookie } = await signUp();
      const logout = await post('/auth/logout', undefined, { cookie });
      expect(logout.status).toBe(204);
      expect((await fetch(`${url}/api/me`, { headers: { cookie } })).status).toBe(401);
    });

    it('lets signed-out requests through requireAuth({ optional: true })', async () => {
      const { cookie } = await signUp();
      expect(await (await fetch(`${url}/api/hello`)).json()).toEqual({ signedIn: false });
      expect(await (await fetch(`${url}/api/hello`, { headers: { cookie } })).json()).toEqual({
        signedIn: true,
      });
    });

    it('refuses a cookie-authenticated unsafe request to an app route from another origin', async () => {
      const { cookie } = await signUp();
      const evil = await post('/api/notes', {}, { cookie, origin: 'https://evil.example' });
      expect(evil.status).toBe(403);
      expect((await evil.json()).code).toBe('csrf_origin_mismatch');

      const noOrigin = await fetch(`${url}/api/notes`, { method: 'POST', headers: { cookie } });
      expect(noOrigin.status).toBe(403);

      const referred = await fetch(`${url}/api/notes`, {
        method: 'POST',
        headers: { cookie, referer: `${BASE_URL}/notes/new` },
      });
      expect(referred.status).toBe(201);

      expect((await post('/api/notes', {}, { cookie })).status).toBe(201);
    });

    it("keeps core's CSRF rules on its routes: Origin null, an untrusted Referer, Sec-Fetch-Site cross-site, DELETE", async () => {
      const { email, cookie } = await signUp();
      const refused = async (response: Response, what: string) => {
        expect(response.status, what).toBe(403);
        expect((await response.json()).code, what).toBe('csrf_origin_mismatch');
      };
      const login = JSON.stringify({ email, password: PASSWORD });
      const json = { 'content-type': 'application/json' };
      await refused(
        await fetch(`${url}/auth/login`, {
          method: 'POST',
          headers: { ...json, origin: 'null' },
          body: login,
        }),
        'Origin: null',
      );
      await refused(
        await fetch(`${url}/auth/login`, {
          method: 'POST',
          headers: { ...json, 'sec-fetch-site': 'cross-site' },
          body: login,
        }),
        'Sec-Fetch-Site: cross-site without Origin',
      );
      await refused(
        await fetch(`${url}/auth/sessions/revoke-others`, {
          method: 'POST',
          headers: { cookie, referer: 'https://evil.example/page' },
        }),
        'an untrusted Referer without Origin',
      );
      const sessions = await (await fetch(`${url}/auth/sessions`, { headers: { cookie } })).json();
      await refused(
        await fetch(`${url}/auth/sessions/${sessions.items[0].id}`, {
          method: 'DELETE',
          headers: { cookie, origin: 'https://evil.example' },
        }),
        'a cross-site DELETE',
      );
      expect((await fetch(`${url}/api/me`, { headers: { cookie } })).status).toBe(200);
    });

    it('keeps every Set-Cookie header as its own line', async () => {
      const login = await post(
        '/auth/signup',
        { email: nextEmail(), password: PASSWORD },
        { 'x-set-app-cookie': '1' },
      );
      expect(login.status).toBe(201);
      const cookies = login.headers.getSetCookie();
      // the app's cookie, the session cookie and the device cookie (a known browser from now on)
      expect(cookies).toHaveLength(3);
      expect(cookies[0]).toBe('theme=dark; Path=/');
      expect(cookies[1]).toMatch(new RegExp(`^${auth.sessionCookieName}=`));
      expect(cookies[2]).toMatch(new RegExp(`^device\\.${auth.sessionCookieName}=`));

      const direct = await fetch(`${url}/api/cookies`);
      expect(direct.headers.getSetCookie()).toEqual([
        'a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/',
        'b=2; Path=/',
      ]);
      expect(await direct.text()).toBe('ok');
    });

    it('answers an oversized body (2 MiB) with 413 problem+json', async () => {
      const big = JSON.stringify({ email: nextEmail(), password: 'x'.repeat(2 * 1024 * 1024) });
      const response = await fetch(`${url}/auth/signup`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: big,
      });
      expect(response.status).toBe(413);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await response.json()).code).toBe('payload_too_large');
    });

    it('answers an oversized body sent without Content-Length with 413 problem+json', async () => {
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 2 * 1024 * 1024) controller.close();
          else {
            sent += chunk.byteLength;
            controller.enqueue(chunk);
          }
        },
      });
      const response = await fetch(`${url}/auth/signup`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body,
        duplex: 'half',
      } as RequestInit);
      expect(response.status).toBe(413);
      expect((await response.json()).code).toBe('payload_too_large');
    });

    it('answers malformed JSON with 400 invalid_json', async () => {
      const response = await fetch(`${url}/auth/login`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: '{"email":',
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await response.json()).code).toBe('invalid_json');
    });

    it('passes a form-encoded body on to core, which refuses its media type', async () => {
      const response = await fetch(`${url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...ORIGIN },
        body: 'email=a%40b.c&password=x',
      });
      expect(response.status).toBe(415);
    });

    it('turns an AuthError thrown by an app route into problem+json', async () => {
      const { cookie } = await signUp();
      const missing = await fetch(`${url}/api/tenants/01890000-0000-7000-8000-000000000000`, {
        headers: { cookie },
      });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ status: 404, code: 'not_found' });

      const thrown = await fetch(`${url}/api/teapot`);
      expect(thrown.status).toBe(403);
      expect(await thrown.json()).toMatchObject({ code: 'forbidden', detail: 'not today' });
    });

    it('builds the Web request from baseURL and the original URL, never from the Host header', async () => {
      const response = await fetch(`${url}/echo/a//b?x=1`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', host: 'evil.example' },
        body: JSON.stringify({ hello: 'world' }),
      });
      expect(await response.json()).toEqual({
        url: `${BASE_URL}/echo/a//b?x=1`,
        method: 'PUT',
        body: '{"hello":"world"}',
      });
    });

    it('leaves routes outside basePath to the app', async () => {
      const response = await fetch(`${url}/authority`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('not an auth route');
    });

    it('answers unknown routes under basePath with core problem+json', async () => {
      const response = await fetch(`${url}/auth/nope`);
      expect(response.status).toBe(404);
      expect((await response.json()).code).toBe('not_found');
    });
  });
});

describe.each(frameworks)('%s, authRouter mounted on its own path', (_name, express) => {
  let auth: Auth;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    auth = createAuth({
      storage: memoryStorage(),
      secret: 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz',
      baseURL: BASE_URL,
      basePath: '/identity',
      rateLimit: { enabled: false },
      logger: silentLogger,
    });
    const app = express();
    app.use('/identity', authRouter(auth));
    app.use((_req, res) => {
      res.status(418).send('app');
    });
    ({ server, url } = await listen(app));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await auth.close();
  });

  it('serves the routes under a custom basePath and nothing else', async () => {
    const signup = await fetch(`${url}/identity/signup`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ email: 'mounted@example.com', password: PASSWORD }),
    });
    expect(signup.status).toBe(201);
    const cookie = sessionCookieOf(signup);
    expect((await fetch(`${url}/identity/session`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${url}/auth/session`, { headers: { cookie } })).status).toBe(418);
  });
});

describe.each(frameworks)('%s, requirePermission and requireStepUp', (_name, express) => {
  let auth: Auth;
  let server: Server;
  let url: string;
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => new Date(now) };
  const users = {} as Record<'owner' | 'member' | 'outsider', { id: string; cookie: string }>;
  let tenantId: string;

  beforeAll(async () => {
    auth = createAuth({
      storage: memoryStorage(),
      secret: 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz',
      baseURL: BASE_URL,
      rateLimit: { enabled: false },
      logger: silentLogger,
      clock,
      authorization: {
        policies: [
          {
            id: 'own-documents',
            effect: 'allow',
            actions: ['document.update'],
            resource: 'document',
            condition: { eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] },
          },
        ],
      },
    });
    const app = express();
    app.use(express.json());
    mountAuth(app, auth);
    app.get('/api/tenants/:tenantId/audit', requirePermission(auth, 'audit.read'), (req, res) => {
      res.json({ decision: req.auth?.decision, userId: req.auth?.user.id });
    });
    app.get(
      '/api/tenant',
      requirePermission(auth, 'tenant.read', { tenant: (req) => req.get('x-tenant-id') }),
      (req, res) => {
        res.json({ allowed: req.auth?.decision?.allowed });
      },
    );
    app.patch(
      '/api/tenants/:tenantId/documents/:ownerId',
      requireAuth(auth),
      requirePermission(auth, 'document.update', {
        resource: async (req) => ({ type: 'document', ownerId: String(req.params.ownerId) }),
      }),
      (_req, res) => {
        res.json({ updated: true });
      },
    );
    app.post('/api/danger', requireStepUp(auth, { maxAgeSeconds: 300 }), (req, res) => {
      res.json({ done: true, userId: req.auth?.user.id });
    });
    app.get('/api/otp-only', requireAuth(auth), (req, _res, next) => {
      try {
        auth.api.checkStepUp(req.auth!.session, { maxAgeSeconds: 60, methods: ['otp', 'hwk'] });
      } catch (error) {
        next(error);
      }
    });
    app.use(authErrorHandler());
    ({ server, url } = await listen(app));

    const signUp = async (email: string, extra: Record<string, unknown> = {}) => {
      const response = await fetch(`${url}/auth/signup`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ email, password: PASSWORD, ...extra }),
      });
      expect(response.status).toBe(201);
      return { id: (await response.json()).user.id as string, cookie: sessionCookieOf(response) };
    };
    const unique = Math.random().toString(36).slice(2, 10);
    users.owner = await signUp(`owner.${unique}@example.com`);
    const tenant = await fetch(`${url}/auth/tenants`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, cookie: users.owner.cookie },
      body: JSON.stringify({ slug: `guards-${unique}`, name: 'Guards', userPool: 'isolated' }),
    });
    tenantId = (await tenant.json()).id;
    users.member = await signUp(`member.${unique}@example.com`, { tenant: `guards-${unique}` });
    users.outsider = await signUp(`outsider.${unique}@example.com`);
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await auth.close();
  });

  const get = (path: string, cookie?: string, headers: Record<string, string> = {}) =>
    fetch(url + path, { headers: { ...headers, ...(cookie ? { cookie } : {}) } });

  it('lets an allowed member through and puts the decision on req.auth', async () => {
    const response = await get(`/api/tenants/${tenantId}/audit`, users.owner.cookie);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      decision: { allowed: true, reason: expect.objectContaining({ kind: 'role', key: 'owner' }) },
      userId: users.owner.id,
    });
  });

  it('answers a denied member 403 forbidden with the decision reason', async () => {
    const response = await get(`/api/tenants/${tenantId}/audit`, users.member.cookie);
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({
      status: 403,
      code: 'forbidden',
      detail: 'not allowed: audit.read',
      reason: { kind: 'no_rule' },
    });
  });

  it('answers a non-member 404 not_found, the same for a real and a made-up tenant id', async () => {
    const real = await get(`/api/tenants/${tenantId}/audit`, users.outsider.cookie);
    const madeUp = await get(
      '/api/tenants/01890000-0000-7000-8000-000000000000/audit',
      users.outsider.cookie,
    );
    expect(real.status).toBe(404);
    expect(madeUp.status).toBe(404);
    const { requestId: _a, ...a } = await real.json();
    const { requestId: _b, ...b } = await madeUp.json();
    expect(a).toEqual(b);
    expect(a.code).toBe('not_found');
  });

  it('answers 401 unauthenticated without a session', async () => {
    const response = await get(`/api/tenants/${tenantId}/audit`);
    expect(response.status).toBe(401);
    expect((await response.json()).code).toBe('unauthenticated');
  });

  it("decides in the tenant option's tenant, else the session's, else answers tenant_required", async () => {
    expect(await (await get('/api/tenant', users.member.cookie)).json()).toEqual({ allowed: true });
    const named = await get('/api/tenant', users.owner.cookie, { 'x-tenant-id': tenantId });
    expect(await named.json()).toEqual({ allowed: true });
    const none = await get('/api/tenant', users.owner.cookie);
    expect(none.status).toBe(400);
    expect((await none.json()).code).toBe('tenant_required');
  });

  it('decides on the resource the option loads, after requireAuth and its Origin check', async () => {
    const patch = (ownerId: string, headers: Record<string, string> = ORIGIN) =>
      fetch(`${url}/api/tenants/${tenantId}/documents/${ownerId}`, {
        method: 'PATCH',
        headers: { ...headers, cookie: users.member.cookie },
      });
    expect((await patch(users.member.id)).status).toBe(200);
    const others = await patch(users.owner.id);
    expect(others.status).toBe(403);
    expect((await others.json()).reason).toEqual({ kind: 'no_rule' });
    const crossSite = await patch(users.member.id, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect((await crossSite.json()).code).toBe('csrf_origin_mismatch');
  });

  it('requireStepUp answers 401 with the RFC 9470 challenge once the authentication is too old, and passes after POST /auth/reauthenticate', async () => {
    const danger = () =>
      fetch(`${url}/api/danger`, { method: 'POST', headers: { ...ORIGIN, cookie: users.member.cookie } });
    expect((await danger()).status).toBe(200);

    now += 301 * 1000;
    const refused = await danger();
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=300',
    );
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ status: 401, code: 'step_up_required', maxAgeSeconds: 300 });

    const wrong = await fetch(`${url}/auth/reauthenticate`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, cookie: users.member.cookie },
      body: JSON.stringify({ password: 'not the password at all' }),
    });
    expect(wrong.status).toBe(401);
    expect((await danger()).status).toBe(401);

    const reauthenticated = await fetch(`${url}/auth/reauthenticate`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, cookie: users.member.cookie },
      body: JSON.stringify({ password: PASSWORD }),
    });
    expect(reauthenticated.status).toBe(200);
    expect((await reauthenticated.json()).session.authTime.pwd).toBe(Math.floor(now / 1000));
    const passed = await danger();
    expect(passed.status).toBe(200);
    expect(await passed.json()).toEqual({ done: true, userId: users.member.id });

    expect((await fetch(`${url}/api/danger`, { method: 'POST', headers: ORIGIN })).status).toBe(401);
  });

  it('authErrorHandler sends the same challenge for a step_up_required thrown by an app route', async () => {
    const response = await get('/api/otp-only', users.member.cookie);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", error_description="Authenticate again with one of: otp, hwk", max_age=60',
    );
    expect(await response.json()).toMatchObject({ code: 'step_up_required', methods: ['otp', 'hwk'] });
  });
});

function sessionCookieOf(response: Response): string {
  const line = response.headers.getSetCookie().find((c) => c.startsWith('portcullis.session='));
  if (!line) throw new Error(`no session cookie in ${JSON.stringify(response.headers.getSetCookie())}`);
  return line.split(';')[0]!;
}

function listen(app: {
  listen(port: number, callback: () => void): Server;
}): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}
