import { describe, expect, it } from 'vitest';
import { isAuthError } from '../src/errors.js';
import { memoryStorage } from '../src/memory/index.js';
import type { Storage } from '../src/ports/storage.js';
import { rateLimitItem } from './rate-limit-fields.js';
import { fakeClock, ORIGIN, PASSWORD, testAuth, uniqueEmail } from './support.js';

describe('CSRF origin checks', () => {
  it('refuses a cookie-authenticated POST from another origin or with no origin at all', async () => {
    const { client } = testAuth();
    const { cookie } = await client.signUp(uniqueEmail());
    const evil = await client.call('POST', '/sessions/revoke-others', {
      cookie,
      headers: { origin: 'https://evil.example' },
    });
    expect(evil.status).toBe(403);
    expect(evil.body.code).toBe('csrf_origin_mismatch');

    const headers = new Headers({ cookie: cookie! });
    const bare = await client.call('POST', '/sessions/revoke-others', { cookie, headers: { origin: '' } });
    expect(bare.status).toBe(403);
    void headers;

    const viaReferer = await client.call('POST', '/sessions/revoke-others', {
      cookie,
      headers: { origin: '', referer: `${ORIGIN}/settings` },
    });
    expect(viaReferer.status).toBe(200);
  });

  it('refuses a cross-site login attempt (login CSRF) but accepts the trusted origins', async () => {
    const { client } = testAuth({ trustedOrigins: ['https://admin.example.com'] });
    const email = uniqueEmail();
    await client.signUp(email);
    const evil = await client.call('POST', '/login', {
      body: { email, password: PASSWORD },
      headers: { origin: 'https://evil.example' },
    });
    expect(evil.body.code).toBe('csrf_origin_mismatch');
    const trusted = await client.call('POST', '/login', {
      body: { email, password: PASSWORD },
      headers: { origin: 'https://admin.example.com' },
    });
    expect(trusted.status).toBe(200);
  });
});

describe('bad input becomes problem+json, never a 500', () => {
  it.each([
    ['malformed JSON', { rawBody: '{"email":' }, 400, 'invalid_json'],
    ['a JSON array', { rawBody: '[1,2]' }, 400, 'invalid_request'],
    ['wrong types', { body: { email: 42, password: true } }, 400, 'invalid_request'],
    [
      'unknown fields',
      { body: { email: 'a@b.co', password: PASSWORD, admin: true } },
      400,
      'invalid_request',
    ],
    [
      'a non-JSON content type',
      { rawBody: 'email=a', headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
    ],
    ['invalid UTF-8', { rawBody: undefined, bytes: true }, 400, 'invalid_json'],
  ] as const)('%s', async (_name, options, status, code) => {
    const { auth, client } = testAuth();
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
    let res: { status: number; body: any; headers: Headers };
    if ('bytes' in options) {
      const response = await auth.handler(
        new Request(`${ORIGIN}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: ORIGIN },
          body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
        }),
      );
      res = { status: response.status, body: await response.json(), headers: response.headers };
    } else {
      res = await client.call('POST', '/login', options as never);
    }
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String) });
    expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('refuses bodies over 1 MiB, with or without a truthful Content-Length', async () => {
    const { auth } = testAuth();
    const big = JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(1024 * 1024 + 10) });
    const declared = await auth.handler(
      new Request(`${ORIGIN}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN, 'content-length': String(big.length) },
        body: big,
      }),
    );
    expect(declared.status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await auth.handler(
      new Request(`${ORIGIN}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN },
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect((await streamed.json()).code).toBe('payload_too_large');
  });

  it('answers unknown routes 404 and wrong methods 405 with Allow', async () => {
    const { client } = testAuth();
    expect((await client.get('/nope')).body.code).toBe('not_found');
    const wrong = await client.call('PUT', '/login', { body: {} });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('sends x-request-id (echoing a sane one from a trusted proxy) and Cache-Control: no-store on every response', async () => {
    const { client } = testAuth({ trustProxy: true });
    const echoed = await client.call('GET', '/session', { headers: { 'x-request-id': 'req-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('req-123');
    expect(echoed.headers.get('cache-control')).toBe('no-store');
    const replaced = await client.call('GET', '/session', {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('rate limits and account lockout', () => {
  it('limits sign-in per client with RateLimit headers and a 429 with Retry-After', async () => {
    // a fixed clock: a real one would let the schedule move on mid-test
    const clock = fakeClock(Date.UTC(2026, 0, 1, 12, 0, 10));
    const { client } = testAuth({ clock, rateLimit: { rules: { signIn: { limit: 3, windowSeconds: 60 } } } });
    const attempt = () =>
      client.post('/login', { email: uniqueEmail(), password: 'wrong password but long' });
    const first = await attempt();
    expect(rateLimitItem(first.headers.get('ratelimit-policy'), 'signIn')).toEqual({ q: 3, w: 60 });
    // GCRA: 3 a minute is one per 20 s, and one request's share is spent
    expect(rateLimitItem(first.headers.get('ratelimit'), 'signIn')).toEqual({ r: 2, t: 20 });
    await attempt();
    await attempt();
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('delays an account after repeated failures, alike for existing and unknown emails, and resets on success', async () => {
    const clock = fakeClock();
    const { client } = testAuth({ clock, lockout: { freeAttempts: 3, maxFailures: 100 } });
    const email = uniqueEmail();
    await client.signUp(email);
    const ghost = uniqueEmail('ghost');
    for (const target of [email, ghost]) {
      // three free attempts, then one more that starts a 2 s delay
      for (let i = 0; i < 4; i++) {
        expect(
          (await client.post('/login', { email: target, password: 'wrong password but long' })).status,
        ).toBe(401);
      }
      const locked = await client.post('/login', { email: target, password: PASSWORD });
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('account_locked');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    clock.advance(3);
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(200);
    // success started the count over: the next failures are free again
    for (let i = 0; i < 3; i++) {
      expect((await client.post('/login', { email, password: 'wrong password but long' })).status).toBe(401);
    }
  });

  it('locks the account for good at maxFailures', async () => {
    const clock = fakeClock();
    const { client } = testAuth({ clock, lockout: { freeAttempts: 2, maxFailures: 4 } });
    const email = uniqueEmail();
    await client.signUp(email);
    for (let i = 0; i < 4; i++) {
      await client.post('/login', { email, password: 'wrong password but long' });
      clock.advance(1000);
    }
    const locked = await client.post('/login', { email, password: PASSWORD });
    expect(locked.body.code).toBe('account_locked');
  });
});

describe('storage failures', () => {
  function failingStorage(make: () => Promise<never>): Storage {
    const base = memoryStorage();
    const failing = <T extends object>(store: T) => new Proxy(store, { get: () => () => make() }) as T;
    // the stores a sign-in reads the account from
    return { ...base, users: failing(base.users), signIn: failing(base.signIn) };
  }

  it('answers 503 storage_unavailable when the database refuses connections', async () => {
    const storage = failingStorage(() =>
      Promise.reject(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })),
    );
    const { client } = testAuth({ storage });
    const res = await client.post('/login', { email: uniqueEmail(), password: PASSWORD });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('storage_unavailable');
  });

  it('answers 503 instead of hanging when the database does not answer', async () => {
    const storage = failingStorage(() => new Promise<never>(() => {}));
    const { client } = testAuth({ storage, storageTimeoutMs: 200 });
    const started = Date.now();
    const res = await client.post('/login', { email: uniqueEmail(), password: PASSWORD });
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('leaves nothing half-written when a step of sign-up fails', async () => {
    const base = memoryStorage();
    const storage: Storage = {
      ...base,
      transaction: (fn) =>
        base.transaction((tx) =>
          fn({
            ...tx,
            audit: { ...tx.audit, append: () => Promise.reject(new Error('disk full')) },
          }),
        ),
    };
    const { client } = testAuth({ storage });
    const email = uniqueEmail();
    const res = await client.post('/signup', { email, password: PASSWORD });
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('internal_error');
    expect(JSON.stringify(res.body)).not.toMatch(/disk full/);
    expect(await base.users.findByEmail(null, email)).toBeNull();
  });
});

describe('server-side api', () => {
  it('validates input exactly like the HTTP routes', async () => {
    const { auth } = testAuth();
    await expect(auth.api.signUp({ email: 'not-an-email', password: PASSWORD })).rejects.toSatisfy((e) =>
      isAuthError(e, 'invalid_request'),
    );
    await expect(
      auth.api.signUp({ email: uniqueEmail(), password: PASSWORD, extra: 1 } as never),
    ).rejects.toSatisfy((e) => isAuthError(e, 'invalid_request'));
  });

  it('reads the session from a request cookie', async () => {
    const { auth, client } = testAuth();
    const { cookie, body } = await client.signUp(uniqueEmail());
    const found = await auth.api.getSession(new Request(ORIGIN, { headers: { cookie: cookie! } }));
    expect(found?.user.id).toBe(body.user.id);
    expect(await auth.api.getSession(new Headers())).toBeNull();
  });
});

describe('call context for server-side callers', () => {
  it('applies the trustProxy rule to the headers it is given', () => {
    const headers = new Headers({ 'x-forwarded-for': '203.0.113.9, 10.0.0.1', 'user-agent': 'ua/1' });
    expect(testAuth().auth.callContext(headers, { clientIp: '10.0.0.2' })).toMatchObject({
      ip: '10.0.0.2',
      userAgent: 'ua/1',
    });
    expect(testAuth({ trustProxy: true }).auth.callContext(headers)).toMatchObject({ ip: '10.0.0.1' });
    expect(testAuth({ trustProxy: 2 }).auth.callContext(headers)).toMatchObject({ ip: '203.0.113.9' });
  });
});
