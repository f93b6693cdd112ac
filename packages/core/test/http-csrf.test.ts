import { describe, expect, it } from 'vitest';
import { routes } from '../src/http/routes/index.js';
import { ORIGIN, PASSWORD, testAuth, uniqueEmail } from './support.js';

const EVIL = 'https://evil.example';

/** A request with exactly these headers (no Origin unless given), as a browser or a forger sends it. */
function sender(auth: ReturnType<typeof testAuth>['auth']) {
  return async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const all = new Headers(headers);
    if (body !== undefined) all.set('content-type', 'application/json');
    const response = await auth.handler(
      new Request(`${ORIGIN}/auth${path}`, {
        method,
        headers: all,
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      { clientIp: '127.0.0.1' },
    );
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
}

async function signedIn() {
  const world = testAuth();
  const { cookie } = await world.client.signUp(uniqueEmail());
  return { ...world, cookie: cookie!, send: sender(world.auth) };
}

describe('CSRF: what proves an origin', () => {
  it('refuses Origin: null, with or without the session cookie (login CSRF from a sandboxed frame)', async () => {
    const { client, cookie, send } = await signedIn();
    const email = uniqueEmail();
    await client.signUp(email);
    const login = await send('POST', '/login', { origin: 'null' }, { email, password: PASSWORD });
    expect(login.status).toBe(403);
    expect(login.body.code).toBe('csrf_origin_mismatch');
    const withCookie = await send('POST', '/sessions/revoke-others', {
      origin: 'null',
      cookie,
      referer: `${ORIGIN}/settings`,
    });
    expect(withCookie.body.code).toBe('csrf_origin_mismatch');
  });

  it('accepts a Referer in place of Origin only when its origin is trusted', async () => {
    const { cookie, send } = await signedIn();
    for (const referer of [
      `${EVIL}/page`,
      `${EVIL}/?next=${ORIGIN}`,
      'http://localhost:3001/x',
      'not a url',
    ]) {
      const res = await send('POST', '/sessions/revoke-others', { cookie, referer });
      expect(res.status, referer).toBe(403);
      expect(res.body.code).toBe('csrf_origin_mismatch');
    }
    const none = await send('POST', '/sessions/revoke-others', { cookie });
    expect(none.body.code).toBe('csrf_origin_mismatch');
    const trusted = await send('POST', '/sessions/revoke-others', { cookie, referer: `${ORIGIN}/settings` });
    expect(trusted.status).toBe(200);
  });

  it('refuses Sec-Fetch-Site: cross-site without Origin, with or without the session cookie', async () => {
    const { client, cookie, send } = await signedIn();
    const email = uniqueEmail();
    await client.signUp(email);
    const login = await send(
      'POST',
      '/login',
      { 'sec-fetch-site': 'cross-site' },
      { email, password: PASSWORD },
    );
    expect(login.status).toBe(403);
    expect(login.body.code).toBe('csrf_origin_mismatch');
    const withCookie = await send('POST', '/sessions/revoke-others', {
      cookie,
      'sec-fetch-site': 'cross-site',
      referer: `${ORIGIN}/settings`,
    });
    expect(withCookie.body.code).toBe('csrf_origin_mismatch');
    // a trusted Origin is enough, whatever the site relation
    const sameOrigin = await send(
      'POST',
      '/login',
      { origin: ORIGIN, 'sec-fetch-site': 'same-origin' },
      { email, password: PASSWORD },
    );
    expect(sameOrigin.status).toBe(200);
  });

  it('checks the origin of every unsafe route, DELETE, PUT and PATCH included', async () => {
    const { cookie, send } = await signedIn();
    const unsafe = routes.filter((route) => route.method !== 'GET');
    expect(new Set(unsafe.map((route) => route.method))).toEqual(new Set(['POST', 'PUT', 'PATCH', 'DELETE']));
    for (const route of unsafe) {
      const path = route.path.replace(/:\w+/g, '00000000-0000-7000-8000-000000000000');
      const attempts: Record<string, string>[] = [
        { cookie, origin: EVIL },
        { cookie },
        { cookie, origin: 'null' },
      ];
      for (const headers of attempts) {
        const res = await send(route.method, path, headers, {});
        expect(res.body?.code, `${route.method} ${route.path} with ${Object.keys(headers).join('+')}`).toBe(
          'csrf_origin_mismatch',
        );
      }
    }
  });

  it('does not revoke a session on a cross-site DELETE', async () => {
    const { client, cookie, send } = await signedIn();
    const [session] = (await client.get('/sessions', cookie)).body.items;
    const forged = await send('DELETE', `/sessions/${session.id}`, { cookie, origin: EVIL });
    expect(forged.status).toBe(403);
    expect((await client.get('/session', cookie)).status).toBe(200);
    const own = await send('DELETE', `/sessions/${session.id}`, { cookie, origin: ORIGIN });
    expect(own.status).toBe(204);
  });
});

describe('CSRF: the refusal explains itself', () => {
  it('names the received origin and the expected ones, so a wrong baseURL on localhost is obvious', async () => {
    const { auth } = testAuth({
      baseURL: 'https://app.example.com',
      trustedOrigins: ['https://admin.example.com'],
    });
    const res = await sender(auth)(
      'POST',
      '/login',
      { origin: 'http://localhost:3000' },
      {
        email: uniqueEmail(),
        password: PASSWORD,
      },
    );
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('csrf_origin_mismatch');
    expect(res.body.detail).toContain('"http://localhost:3000"');
    expect(res.body.detail).toContain('"https://app.example.com"');
    expect(res.body.detail).toContain('"https://admin.example.com"');
    expect(res.body.detail).toMatch(/baseURL/);
  });

  it('names the Referer origin it refused when Origin is absent', async () => {
    const { cookie, send } = await signedIn();
    const res = await send('POST', '/sessions/revoke-others', { cookie, referer: `${EVIL}/page?x=1` });
    expect(res.body.detail).toContain(`"${EVIL}"`);
    expect(res.body.detail).toContain(`"${ORIGIN}"`);
  });
});
