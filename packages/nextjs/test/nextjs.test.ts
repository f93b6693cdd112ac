import {
  type Auth,
  type CreateApiKeyInput,
  createAuth,
  type SetApiKeyLimitsInput,
  silentLogger,
} from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import { NextRequest } from 'next/server';
import { type Item, parseList } from 'structured-headers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionHelpers, sessionCookieAttributes, toNextHandler } from '../src/index.js';
import { authProxy } from '../src/proxy.js';

const BASE_URL = 'http://localhost:3001';
const PASSWORD = 'correct horse battery staple';
const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';

function makeAuth(baseURL = BASE_URL): Auth {
  return createAuth({
    storage: memoryStorage(),
    secret: SECRET,
    baseURL,
    basePath: '/api/auth',
    rateLimit: { enabled: false },
    logger: silentLogger,
  });
}

/** A request as the App Router hands it to a route handler. */
function nextRequest(method: string, path: string, init: { body?: unknown; cookie?: string } = {}) {
  const headers = new Headers({ origin: BASE_URL });
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  if (init.cookie) headers.set('cookie', init.cookie);
  return new NextRequest(new URL(path, BASE_URL), {
    method,
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

/** `name=value` of the session cookie a response sets. */
function sessionCookie(auth: Auth, response: Response): string {
  const line = response.headers.getSetCookie().find((c) => c.startsWith(`${auth.sessionCookieName}=`));
  if (!line) throw new Error('no session cookie set');
  return line.split(';')[0]!;
}

describe('toNextHandler', () => {
  let auth: Auth;
  let emailCount = 0;
  const nextEmail = () => `user${++emailCount}@example.com`;

  beforeAll(() => {
    auth = makeAuth();
  });
  afterAll(() => auth.close());

  it('exports one handler per method, each serving the routes under basePath', async () => {
    const handlers = toNextHandler(auth);
    expect(Object.keys(handlers).sort()).toEqual(['DELETE', 'GET', 'PATCH', 'POST', 'PUT']);

    const email = nextEmail();
    const signUp = await handlers.POST(
      nextRequest('POST', '/api/auth/signup', { body: { email, password: PASSWORD } }),
    );
    expect(signUp.status).toBe(201);
    const cookie = sessionCookie(auth, signUp);

    const session = await handlers.GET(nextRequest('GET', '/api/auth/session', { cookie }));
    expect(session.status).toBe(200);
    expect((await session.json()).user.email).toBe(email);

    const tenant = await handlers.POST(
      nextRequest('POST', '/api/auth/tenants', { cookie, body: { slug: 'acme', name: 'Acme' } }),
    );
    expect(tenant.status).toBe(201);
    const { id: tenantId } = await tenant.json();
    const renamed = await handlers.PATCH(
      nextRequest('PATCH', `/api/auth/tenants/${tenantId}`, { cookie, body: { name: 'Acme Inc' } }),
    );
    expect(renamed.status).toBe(200);
    expect((await renamed.json()).name).toBe('Acme Inc');

    const { items } = await (await handlers.GET(nextRequest('GET', '/api/auth/sessions', { cookie }))).json();
    const revoked = await handlers.DELETE(
      nextRequest('DELETE', `/api/auth/sessions/${items[0].id}`, { cookie }),
    );
    expect(revoked.status).toBe(204);
    expect((await handlers.GET(nextRequest('GET', '/api/auth/session', { cookie }))).status).toBe(401);
  });

  it("leaves routing to core: core's 405 for a method a path lacks, 404 outside basePath", async () => {
    const { PUT, GET } = toNextHandler(auth);
    const put = await PUT(nextRequest('PUT', '/api/auth/session', { body: {} }));
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET');
    expect((await put.json()).code).toBe('method_not_allowed');

    const outside = await GET(nextRequest('GET', '/auth/session'));
    expect(outside.status).toBe(404);
    expect(outside.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it("keeps core's CSRF check: a cookie-carrying POST from another origin is refused", async () => {
    const { POST } = toNextHandler(auth);
    const signUp = await POST(
      nextRequest('POST', '/api/auth/signup', { body: { email: nextEmail(), password: PASSWORD } }),
    );
    const request = nextRequest('POST', '/api/auth/tenants', {
      cookie: sessionCookie(auth, signUp),
      body: { slug: 'evil', name: 'Evil' },
    });
    request.headers.set('origin', 'https://evil.example');
    const refused = await POST(request);
    expect(refused.status).toBe(403);
    expect((await refused.json()).code).toBe('csrf_origin_mismatch');
  });

  it("keeps core's CSRF rules: Origin null, an untrusted Referer, Sec-Fetch-Site cross-site, DELETE", async () => {
    const { POST, GET, DELETE } = toNextHandler(auth);
    const email = nextEmail();
    const signUp = await POST(
      nextRequest('POST', '/api/auth/signup', { body: { email, password: PASSWORD } }),
    );
    const cookie = sessionCookie(auth, signUp);
    /** The request with `origin` replaced by these headers (none: no Origin at all). */
    const forged = (request: NextRequest, headers: Record<string, string>) => {
      request.headers.delete('origin');
      for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
      return request;
    };
    const refused = async (response: Response, what: string) => {
      expect(response.status, what).toBe(403);
      expect((await response.json()).code, what).toBe('csrf_origin_mismatch');
    };
    const login = () => nextRequest('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    await refused(await POST(forged(login(), { origin: 'null' })), 'Origin: null');
    await refused(
      await POST(forged(login(), { 'sec-fetch-site': 'cross-site' })),
      'Sec-Fetch-Site: cross-site',
    );
    await refused(
      await POST(
        forged(nextRequest('POST', '/api/auth/sessions/revoke-others', { cookie }), {
          referer: 'https://evil.example/page',
        }),
      ),
      'an untrusted Referer without Origin',
    );
    const { items } = await (await GET(nextRequest('GET', '/api/auth/sessions', { cookie }))).json();
    await refused(
      await DELETE(
        forged(nextRequest('DELETE', `/api/auth/sessions/${items[0].id}`, { cookie }), {
          origin: 'https://evil.example',
        }),
      ),
      'a cross-site DELETE',
    );
    expect((await GET(nextRequest('GET', '/api/auth/session', { cookie }))).status).toBe(200);
  });

  it('accepts a function resolving to the instance, called per request, not before', async () => {
    let calls = 0;
    const lazy = toNextHandler(async () => {
      calls++;
      return auth;
    });
    expect(calls).toBe(0);
    const response = await lazy.GET(nextRequest('GET', '/api/auth/openapi.json'));
    expect(response.status).toBe(200);
    expect(calls).toBe(1);
  });
});

describe('createSessionHelpers: getInitialSession', () => {
  // one instant: GET /session and the helper must see the very same session row
  const now = Date.UTC(2026, 2, 1, 9, 30);
  let auth: Auth;
  let handlers: ReturnType<typeof toNextHandler>;
  let helpers: ReturnType<typeof createSessionHelpers>;

  beforeAll(() => {
    auth = createAuth({
      storage: memoryStorage(),
      secret: SECRET,
      baseURL: BASE_URL,
      basePath: '/api/auth',
      rateLimit: { enabled: false },
      logger: silentLogger,
      clock: { now: () => new Date(now) },
    });
    handlers = toNextHandler(auth);
    helpers = createSessionHelpers(async () => auth);
  });
  afterAll(() => auth.close());

  /** What the browser client would fetch: the handler's `GET /session` body for these headers. */
  async function sessionBody(headers: Record<string, string>) {
    const response = await handlers.GET(new NextRequest(new URL('/api/auth/session', BASE_URL), { headers }));
    return { status: response.status, body: await response.json() };
  }

  it('equals the body GET /session answers for the same cookie, as plain JSON data', async () => {
    const signUp = await handlers.POST(
      new NextRequest(new URL('/api/auth/signup', BASE_URL), {
        method: 'POST',
        headers: { origin: BASE_URL, 'content-type': 'application/json', 'user-agent': 'Firefox/140.0' },
        body: JSON.stringify({ email: 'initial@example.com', password: PASSWORD, name: 'Ada Lovelace' }),
      }),
    );
    expect(signUp.status).toBe(201);
    const cookie = sessionCookie(auth, signUp);

    const initial = await helpers.getInitialSession(nextRequest('GET', '/dashboard', { cookie }));
    const fetched = await sessionBody({ cookie });

    expect(fetched.status).toBe(200);
    // strict: the same keys and values, and plain objects (no Date, no class instance)
    expect(initial).toStrictEqual(fetched.body);
    expect(JSON.parse(JSON.stringify(initial))).toStrictEqual(initial);
    expect(initial).toMatchObject({
      user: { email: 'initial@example.com', name: 'Ada Lovelace', emailVerifiedAt: null },
      session: { current: true, userAgent: 'Firefox/140.0', expiresAt: expect.any(String) },
    });
  });

  it('equals it for a bearer access token (token mode) too', async () => {
    const signUp = await handlers.POST(
      nextRequest('POST', '/api/auth/signup', {
        body: { email: 'initial-token@example.com', password: PASSWORD, delivery: 'token' },
      }),
    );
    expect(signUp.status).toBe(201);
    const { access_token: accessToken } = await signUp.json();
    const authorization = `Bearer ${accessToken}`;

    const initial = await helpers.getInitialSession(
      new NextRequest(new URL('/dashboard', BASE_URL), { headers: { authorization } }),
    );
    const fetched = await sessionBody({ authorization });

    expect(fetched.status).toBe(200);
    expect(initial).toStrictEqual(fetched.body);
  });

  it('is null where GET /session answers 401: no cookie, a stale one, a signed-out session', async () => {
    const signUp = await handlers.POST(
      nextRequest('POST', '/api/auth/signup', {
        body: { email: 'initial-out@example.com', password: PASSWORD },
      }),
    );
    const cookie = sessionCookie(auth, signUp);
    const logout = await handlers.POST(nextRequest('POST', '/api/auth/logout', { cookie }));
    expect(logout.status).toBeLessThan(300);

    const cases: Array<Record<string, string>> = [
      {},
      { cookie },
      { cookie: `${auth.sessionCookieName}=not-a-session` },
    ];
    for (const headers of cases) {
      expect((await sessionBody(headers)).status).toBe(401);
      expect(await helpers.getInitialSession(nextRequest('GET', '/dashboard', headers))).toBeNull();
    }
  });
});

describe('sessionCookieAttributes', () => {
  it.each([
    ['http', 'http://localhost:3001', false, 'portcullis.session'],
    ['https', 'https://app.example.com', true, '__Host-portcullis.session'],
  ])('matches the cookie core sets on %s', async (_scheme, baseURL, secure, name) => {
    const auth = makeAuth(baseURL);
    try {
      const signedIn = await auth.api.signUp({ email: 'ada@example.com', password: PASSWORD });
      if ('pending' in signedIn) throw new Error('unexpected notify mode');
      const response = await auth.handler(
        new Request(`${baseURL}/api/auth/login`, {
          method: 'POST',
          headers: { origin: baseURL, 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }),
        }),
      );
      const line = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))!;
      const attributes = Object.fromEntries(
        line
          .split(';')
          .slice(1)
          .map((part) => part.trim().split('='))
          .map(([key, value]) => [key!.toLowerCase(), value ?? true]),
      );
      const { session } = (await response.json()) as { session: { expiresAt: string } };
      const ours = sessionCookieAttributes(auth, new Date(session.expiresAt));

      expect(auth.sessionCookieName).toBe(name);
      expect(ours).toMatchObject({ httpOnly: true, sameSite: 'lax', path: '/', secure });
      expect(attributes).toMatchObject({ path: '/', httponly: true, samesite: 'Lax' });
      expect(attributes.secure ?? false).toBe(secure);
      expect(Math.abs(ours.maxAge - Number(attributes['max-age']))).toBeLessThanOrEqual(1);
    } finally {
      await auth.close();
    }
  });

  it('expires the cookie at once when there is no session', () => {
    const auth = makeAuth();
    expect(sessionCookieAttributes(auth, null).maxAge).toBe(0);
    expect(sessionCookieAttributes(auth, new Date(Date.now() - 60_000)).maxAge).toBe(0);
    return auth.close();
  });
});

function locationOf(response: Response | undefined): URL {
  const location = response?.headers.get('location');
  if (!location) throw new Error('not a redirect');
  return new URL(location);
}

describe('authProxy', () => {
  const request = (path: string, cookie?: string, nextConfig?: { basePath: string }) =>
    new NextRequest(new URL(path, BASE_URL), {
      headers: cookie ? { cookie } : {},
      ...(nextConfig ? { nextConfig } : {}),
    });

  it('redirects a request without the session cookie to the login page with the path to return to', () => {
    const response = authProxy()(request('/dashboard/settings?tab=keys'));
    expect(response?.status).toBe(307);
    const location = locationOf(response);
    expect(location.pathname).toBe('/login');
    expect(location.searchParams.get('returnTo')).toBe('/dashboard/settings?tab=keys');
  });

  it('lets a request through (answering nothing) when the cookie is there, on http or https', () => {
    const proxy = authProxy();
    expect(proxy(request('/dashboard', 'portcullis.session=abc'))).toBeUndefined();
    expect(proxy(request('/dashboard', '__Host-portcullis.session=abc'))).toBeUndefined();
    expect(proxy(request('/dashboard', 'portcullis.session='))).toBeDefined();
    expect(proxy(request('/dashboard', 'other=abc'))).toBeDefined();
  });

  it('never redirects the login page itself and guards only protectedPaths when given', () => {
    const proxy = authProxy({ loginPath: '/signin', protectedPaths: ['/dashboard/', '/admin'] });
    expect(proxy(request('/signin'))).toBeUndefined();
    expect(proxy(request('/'))).toBeUndefined();
    expect(proxy(request('/administrator'))).toBeUndefined();
    expect(proxy(request('/admin'))?.status).toBe(307);
    expect(proxy(request('/dashboard'))?.status).toBe(307);
    expect(locationOf(proxy(request('/dashboard/x'))).pathname).toBe('/signin');
  });

  it('honours a custom cookie name, no return parameter, and the Next.js basePath', () => {
    const proxy = authProxy({ cookieName: 'sid', returnToParam: false });
    expect(proxy(request('/app/dashboard', 'sid=abc', { basePath: '/app' }))).toBeUndefined();
    const response = proxy(request('/app/dashboard?x=1', 'portcullis.session=abc', { basePath: '/app' }));
    expect(locationOf(response).href).toBe(`${BASE_URL}/app/login`);
  });
});

describe('createSessionHelpers: requirePermission and requireStepUp for route handlers', () => {
  let now = Date.UTC(2026, 0, 1);
  let auth: Auth;
  let handlers: ReturnType<typeof toNextHandler>;
  let guards: ReturnType<typeof createSessionHelpers>;
  const users = {} as Record<'owner' | 'member' | 'outsider', { id: string; cookie: string }>;
  let tenantId: string;

  beforeAll(async () => {
    auth = createAuth({
      storage: memoryStorage(),
      secret: SECRET,
      baseURL: BASE_URL,
      basePath: '/api/auth',
      rateLimit: { enabled: false },
      logger: silentLogger,
      clock: { now: () => new Date(now) },
    });
    handlers = toNextHandler(auth);
    guards = createSessionHelpers(async () => auth);
    const signUp = async (email: string, extra: Record<string, unknown> = {}) => {
      const response = await handlers.POST(
        nextRequest('POST', '/api/auth/signup', { body: { email, password: PASSWORD, ...extra } }),
      );
      expect(response.status).toBe(201);
      return { id: (await response.json()).user.id as string, cookie: sessionCookie(auth, response) };
    };
    users.owner = await signUp('guard-owner@example.com');
    const tenant = await handlers.POST(
      nextRequest('POST', '/api/auth/tenants', {
        cookie: users.owner.cookie,
        body: { slug: 'guarded', name: 'Guarded', userPool: 'isolated' },
      }),
    );
    tenantId = (await tenant.json()).id;
    users.member = await signUp('guard-member@example.com', { tenant: 'guarded' });
    users.outsider = await signUp('guard-outsider@example.com');
  });
  afterAll(() => auth.close());

  const problemOf = async (result: unknown) => {
    expect(result).toBeInstanceOf(Response);
    const response = result as Response;
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    return { status: response.status, headers: response.headers, body: await response.json() };
  };

  it('hands back the caller and the allowing decision', async () => {
    const result = await guards.requirePermission(
      nextRequest('GET', '/api/audit', { cookie: users.owner.cookie }),
      'audit.read',
      { tenantId },
    );
    if (result instanceof Response) throw new Error(`refused: ${result.status}`);
    expect(result.user.id).toBe(users.owner.id);
    expect(result.decision).toEqual({
      allowed: true,
      reason: expect.objectContaining({ kind: 'role', key: 'owner' }),
    });
    // no tenantId: the session's tenant (the member signed in to the isolated tenant)
    const own = await guards.requirePermission(
      nextRequest('GET', '/api/tenant', { cookie: users.member.cookie }),
      'tenant.read',
    );
    expect(own).not.toBeInstanceOf(Response);
  });

  it("getSession(request) reads the route handler's request, without next/headers", async () => {
    // outside a Next.js request scope next/headers' cookies() throws: this reads only the request
    const found = await guards.getSession(nextRequest('GET', '/api/me', { cookie: users.owner.cookie }));
    expect(found?.user.id).toBe(users.owner.id);
    expect(await guards.getSession(nextRequest('GET', '/api/me', {}))).toBeNull();
    expect(await guards.getSession(nextRequest('GET', '/api/me', { cookie: 'other=1' }))).toBeNull();
  });

  it('takes a bearer access token (token mode) in getSession(request) and the guards, without Origin', async () => {
    const login = await handlers.POST(
      nextRequest('POST', '/api/auth/login', {
        body: { email: 'guard-owner@example.com', password: PASSWORD, delivery: 'token' },
      }),
    );
    expect(login.status).toBe(200);
    const { access_token: accessToken } = await login.json();
    // an app's request: no cookie, no Origin
    const bearerRequest = (method: string) =>
      new NextRequest(new URL('/api/audit', BASE_URL), {
        method,
        headers: { authorization: `Bearer ${accessToken}` },
      });

    expect((await guards.getSession(bearerRequest('GET')))?.user.id).toBe(users.owner.id);
    const allowed = await guards.requirePermission(bearerRequest('POST'), 'audit.read', { tenantId });
    if (allowed instanceof Response) throw new Error(`refused: ${allowed.status}`);
    expect(allowed.user.id).toBe(users.owner.id);

    const tampered = new NextRequest(new URL('/api/audit', BASE_URL), {
      headers: { authorization: `Bearer ${accessToken.slice(0, -2)}xx` },
    });
    expect(await guards.getSession(tampered)).toBeNull();
    // the cookie riding along must still prove its origin
    const withCookie = new NextRequest(new URL('/api/audit', BASE_URL), {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, cookie: users.owner.cookie },
    });
    expect(
      (await problemOf(await guards.requirePermission(withCookie, 'audit.read', { tenantId }))).status,
    ).toBe(403);
  });

  it('answers 403 forbidden with the reason, 404 to a non-member, 401 without a session, 400 without a tenant', async () => {
    const denied = await problemOf(
      await guards.requirePermission(
        nextRequest('GET', '/api/audit', { cookie: users.member.cookie }),
        'audit.read',
        { tenantId },
      ),
    );
    expect(denied).toMatchObject({ status: 403, body: { code: 'forbidden', reason: { kind: 'no_rule' } } });

    const outsider = await problemOf(
      await guards.requirePermission(
        nextRequest('GET', '/api/audit', { cookie: users.outsider.cookie }),
        'audit.read',
        { tenantId },
      ),
    );
    expect(outsider).toMatchObject({ status: 404, body: { code: 'not_found' } });

    const anonymous = await problemOf(
      await guards.requirePermission(nextRequest('GET', '/api/audit'), 'audit.read', { tenantId }),
    );
    expect(anonymous).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });

    const noTenant = await problemOf(
      await guards.requirePermission(
        nextRequest('GET', '/api/x', { cookie: users.owner.cookie }),
        'tenant.read',
      ),
    );
    expect(noTenant).toMatchObject({ status: 400, body: { code: 'tenant_required' } });
  });

  it('refuses an unsafe request from another origin before deciding', async () => {
    const request = nextRequest('POST', '/api/audit', { cookie: users.owner.cookie, body: {} });
    request.headers.set('origin', 'https://evil.example');
    const refused = await problemOf(await guards.requirePermission(request, 'audit.read', { tenantId }));
    expect(refused).toMatchObject({ status: 403, body: { code: 'csrf_origin_mismatch' } });
  });

  it('requireStepUp answers 401 with the RFC 9470 challenge when the authentication is old, and passes after reauthenticating', async () => {
    const danger = () =>
      guards.requireStepUp(nextRequest('POST', '/api/danger', { cookie: users.member.cookie, body: {} }), {
        maxAgeSeconds: 300,
      });
    expect(await danger()).not.toBeInstanceOf(Response);

    now += 301_000;
    const refused = await problemOf(await danger());
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=300',
    );
    expect(refused.body).toMatchObject({ code: 'step_up_required', maxAgeSeconds: 300 });

    const reauthenticated = await handlers.POST(
      nextRequest('POST', '/api/auth/reauthenticate', {
        cookie: users.member.cookie,
        body: { password: PASSWORD },
      }),
    );
    expect(reauthenticated.status).toBe(200);
    const passed = await danger();
    if (passed instanceof Response) throw new Error(`refused: ${passed.status}`);
    expect(passed.session.authTime.pwd).toBe(Math.floor(now / 1000));
  });
});

describe('createSessionHelpers: requireApiKey for route handlers', () => {
  let auth: Auth;
  let guards: ReturnType<typeof createSessionHelpers>;
  let tenantId: string;
  const keys = {} as Record<'live' | 'test', string>;

  beforeAll(async () => {
    auth = createAuth({
      storage: memoryStorage(),
      secret: SECRET,
      baseURL: BASE_URL,
      basePath: '/api/auth',
      rateLimit: { enabled: false },
      logger: silentLogger,
      authorization: { permissions: { invoice: ['read', 'update'] } },
    });
    guards = createSessionHelpers(async () => auth);
    const signedUp = await auth.api.signUp({ email: 'keys-owner@example.com', password: PASSWORD });
    const userId = (signedUp as { user: { id: string } }).user.id;
    tenantId = (await auth.api.createTenant(userId, { slug: 'keyed', name: 'Keyed' })).id;
    for (const environment of ['live', 'test'] as const) {
      keys[environment] = (
        await auth.api.createApiKey(tenantId, userId, {
          name: environment,
          environment,
          permissions: ['invoice.read'],
        })
      ).key;
    }
  });
  afterAll(() => auth.close());

  const withKey = (headers: Record<string, string>) =>
    new NextRequest(new URL('/api/v1/invoices', BASE_URL), { method: 'GET', headers });
  const codeOf = async (result: unknown) => {
    expect(result).toBeInstanceOf(Response);
    const response = result as Response;
    return { status: response.status, code: (await response.json()).code as string };
  };

  it('hands back the verified key from x-api-key or a bearer key, and checks the permission', async () => {
    for (const headers of [{ 'x-api-key': keys.live }, { authorization: `Bearer ${keys.live}` }] as Record<
      string,
      string
    >[]) {
      const result = await guards.requireApiKey(withKey(headers), {
        environment: 'live',
        permission: 'invoice.read',
      });
      if (result instanceof Response) throw new Error(`refused: ${result.status}`);
      expect(result).toMatchObject({ tenantId, environment: 'live', principal: { type: 'api_key' } });
    }
    expect(
      await codeOf(
        await guards.requireApiKey(withKey({ 'x-api-key': keys.live }), { permission: 'invoice.update' }),
      ),
    ).toEqual({ status: 403, code: 'forbidden' });
  });

  it('refuses a test key on a live route, an edited key, and no key, each with its own code', async () => {
    expect(
      await codeOf(await guards.requireApiKey(withKey({ 'x-api-key': keys.test }), { environment: 'live' })),
    ).toEqual({
      status: 403,
      code: 'api_key_wrong_environment',
    });
    expect(
      await codeOf(
        await guards.requireApiKey(withKey({ 'x-api-key': keys.test.replace('_test_', '_live_') })),
      ),
    ).toEqual({ status: 401, code: 'api_key_malformed' });
    expect(await codeOf(await guards.requireApiKey(withKey({})))).toEqual({
      status: 401,
      code: 'unauthenticated',
    });
  });
});

describe('createSessionHelpers: requireApiKey and the key limits', () => {
  const QUOTA_EXCEEDED = 'https://iana.org/assignments/http-problem-types#quota-exceeded';
  let auth: Auth;
  let guards: ReturnType<typeof createSessionHelpers>;
  let tenantId: string;
  let userId: string;

  beforeAll(async () => {
    auth = createAuth({
      storage: memoryStorage(),
      secret: SECRET,
      baseURL: BASE_URL,
      basePath: '/api/auth',
      trustProxy: false,
      rateLimit: {
        policies: [{ name: 'partner', operations: ['apiKey'], key: 'apiKey', limit: 2, periodSeconds: 60 }],
      },
      logger: silentLogger,
      authorization: { permissions: { invoice: ['read'] } },
    });
    guards = createSessionHelpers(async () => auth);
    const signedUp = await auth.api.signUp({ email: 'limits-owner@example.com', password: PASSWORD });
    userId = (signedUp as { user: { id: string } }).user.id;
    tenantId = (await auth.api.createTenant(userId, { slug: 'limited', name: 'Limited' })).id;
  });
  afterAll(() => auth.close());

  /** A key the owner creates, with the limits the operator then sets (server-side). */
  const keyWith = async (limits: SetApiKeyLimitsInput, extra: Partial<CreateApiKeyInput> = {}) => {
    const created = await auth.api.createApiKey(tenantId, userId, {
      name: 'k',
      permissions: ['invoice.read'],
      ...extra,
    });
    await auth.api.setApiKeyLimits(tenantId, created.apiKey.id, limits);
    return { key: created.key, id: created.apiKey.id };
  };
  const creditsOf = async (id: string) =>
    (await auth.api.listApiKeys(tenantId, userId)).items.find((k) => k.id === id)?.credits?.remaining;
  const withKey = (key: string) =>
    new NextRequest(new URL('/api/v1/invoices', BASE_URL), { method: 'GET', headers: { 'x-api-key': key } });

  /** The parameters of one policy's item in a RateLimit-Policy or RateLimit field. */
  function item(field: string | null, policy: string): Record<string, unknown> {
    expect(field, `a field naming ${policy}`).not.toBeNull();
    const found = (parseList(field!) as Item[]).find(([name]) => name === policy);
    expect(found, `${field} names ${policy}`).toBeDefined();
    const { pk, ...parameters } = Object.fromEntries(found![1]);
    expect(pk).toBeInstanceOf(ArrayBuffer);
    return parameters;
  }

  it('hands back the RateLimit fields to send, and answers 429 with Retry-After and the fields over the policy', async () => {
    const { key } = await keyWith({ rateLimitPolicies: ['partner'] });
    for (const remaining of [1, 0]) {
      const verified = await guards.requireApiKey(withKey(key), { permission: 'invoice.read' });
      if (verified instanceof Response) throw new Error(`refused: ${verified.status}`);
      expect(item(verified.headers.get('ratelimit-policy'), 'partner')).toEqual({ q: 2, w: 60 });
      expect(item(verified.headers.get('ratelimit'), 'partner')).toMatchObject({ r: remaining });
      // the documented use: the route's own response carries them
      const response = Response.json({ ok: true }, { headers: verified.headers });
      expect(response.headers.get('ratelimit')).toBe(verified.headers.get('ratelimit'));
    }
    const limited = await guards.requireApiKey(withKey(key));
    expect(limited).toBeInstanceOf(Response);
    const response = limited as Response;
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(item(response.headers.get('ratelimit-policy'), 'partner')).toEqual({ q: 2, w: 60 });
    expect(item(response.headers.get('ratelimit'), 'partner')).toMatchObject({ r: 0 });
    expect(await response.json()).toMatchObject({ type: QUOTA_EXCEEDED, code: 'rate_limited' });
  });

  it('answers 429 api_key_credits_exhausted, never 401, once the credits are spent; an unlimited key gets no fields', async () => {
    const { key } = await keyWith({ rateLimitPolicies: [], credits: { remaining: 1 } });
    const verified = await guards.requireApiKey(withKey(key));
    if (verified instanceof Response) throw new Error(`refused: ${verified.status}`);
    expect(verified.creditsRemaining).toBe(0);
    expect([...verified.headers.keys()]).toEqual([]);
    const exhausted = (await guards.requireApiKey(withKey(key))) as Response;
    expect(exhausted.status).toBe(429);
    expect(await exhausted.json()).toMatchObject({ type: QUOTA_EXCEEDED, code: 'api_key_credits_exhausted' });
  });

  it('decides the permission before counting: a refused use (beyond its grants, outside its CIDR) spends nothing', async () => {
    const { key, id } = await keyWith(
      { rateLimitPolicies: ['partner'], credits: { remaining: 2 } },
      // no trusted proxy here, so the request has no address: never inside the key's network
      { constraints: { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] } },
    );
    for (const permission of ['invoice.read', 'invoice.read', 'invoice.read']) {
      const refused = (await guards.requireApiKey(withKey(key), { permission })) as Response;
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ code: 'forbidden', reason: { kind: 'key_constraint' } });
    }
    expect(await creditsOf(id)).toBe(2);
    const unconstrained = await keyWith({ rateLimitPolicies: ['partner'], credits: { remaining: 2 } });
    for (let i = 0; i < 3; i++) {
      const refused = (await guards.requireApiKey(withKey(unconstrained.key), {
        permission: 'tenant.update',
      })) as Response;
      expect(refused.status).toBe(403);
    }
    expect(await creditsOf(unconstrained.id)).toBe(2);
    const passed = await guards.requireApiKey(withKey(unconstrained.key), { permission: 'invoice.read' });
    if (passed instanceof Response) throw new Error(`refused: ${passed.status}`);
    expect(passed.creditsRemaining).toBe(1);
    expect(item(passed.headers.get('ratelimit'), 'partner')).toMatchObject({ r: 1 });
  });
});
