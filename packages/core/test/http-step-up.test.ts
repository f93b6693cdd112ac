import { describe, expect, it } from 'vitest';
import { auditChainKey } from '../src/audit/audit.js';
import { AuthError, isAuthError } from '../src/errors.js';
import { createHandler } from '../src/http/handler.js';
import { problemResponse } from '../src/http/problem.js';
import { defineRoute } from '../src/http/route.js';
import { problemType } from '../src/http/status-codes.js';
import { silentEventLogger } from '../src/logging/index.js';
import { memoryKeyValue, memoryStorage } from '../src/memory/index.js';
import { rateLimitItem } from './rate-limit-fields.js';
import { fakeClock, ORIGIN, PASSWORD, testAuth, uniqueEmail } from './support.js';

const WRONG = 'wrong password but long';
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

describe('POST /reauthenticate', () => {
  it("moves the current session's authTime.pwd to now, keeps pwd once in amr, and audits it", async () => {
    const clock = fakeClock();
    const storage = memoryStorage();
    const { client } = testAuth({ clock, storage });
    const signedUp = await client.signUp(uniqueEmail());
    const signedUpAt = seconds(clock.now());
    const other = await client.post('/login', { email: signedUp.body.user.email, password: PASSWORD });
    clock.advance(600);

    const response = await client.post('/reauthenticate', { password: PASSWORD }, signedUp.cookie);

    expect(response.status).toBe(200);
    expect(response.cookie).toBeNull(); // same session, same token
    expect(response.body.session).toMatchObject({
      id: signedUp.body.session.id,
      current: true,
      amr: ['pwd'],
      authTime: { pwd: signedUpAt + 600 },
    });
    const current = await client.get('/session', signedUp.cookie);
    expect(current.body.session.authTime).toEqual({ pwd: signedUpAt + 600 });
    // only the session that proved the password again is refreshed
    expect((await client.get('/session', other.cookie)).body.session.authTime).toEqual({ pwd: signedUpAt });

    const userId = signedUp.body.user.id as string;
    const [event] = await storage.audit.list(auditChainKey({ userId }), { limit: 1 });
    expect(event).toMatchObject({
      action: 'session.reauthenticated',
      actorType: 'user',
      actorId: userId,
      targetType: 'session',
      targetId: signedUp.body.session.id,
      data: { userId, method: 'pwd' },
    });
  });

  it('answers a wrong password with 401 invalid_credentials and leaves authTime alone', async () => {
    const clock = fakeClock();
    const { client } = testAuth({ clock });
    const { cookie, body } = await client.signUp(uniqueEmail());
    clock.advance(60);

    const wrong = await client.post('/reauthenticate', { password: WRONG }, cookie);

    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    expect((await client.get('/session', cookie)).body.session.authTime).toEqual(body.session.authTime);
  });

  it('counts wrong passwords on a counter of its own: a stolen session guessing here does not lock the owner out of sign-in', async () => {
    const clock = fakeClock();
    const { client } = testAuth({ clock, lockout: { freeAttempts: 3, maxFailures: 100 } });
    const email = uniqueEmail();
    const { cookie } = await client.signUp(email);

    for (let i = 0; i < 4; i++) {
      expect((await client.post('/reauthenticate', { password: WRONG }, cookie)).status).toBe(401);
    }
    // four failures, past the three free ones: the next attempt waits, even with the right password
    const locked = await client.post('/reauthenticate', { password: PASSWORD }, cookie);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('account_locked');
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(200);

    clock.advance(3);
    expect((await client.post('/reauthenticate', { password: PASSWORD }, cookie)).status).toBe(200);
    // the success started the count over
    for (let i = 0; i < 3; i++)
      expect((await client.post('/reauthenticate', { password: WRONG }, cookie)).status).toBe(401);
  });

  it('is rate-limited per client by the sign-in rule, with RateLimit headers', async () => {
    const clock = fakeClock(Date.UTC(2026, 0, 1, 12, 0, 10));
    const { client } = testAuth({ clock, rateLimit: { rules: { signIn: { limit: 3, windowSeconds: 60 } } } });
    const { cookie } = await client.signUp(uniqueEmail());

    const first = await client.post('/reauthenticate', { password: PASSWORD }, cookie);
    expect(first.status).toBe(200);
    expect(rateLimitItem(first.headers.get('ratelimit-policy'), 'signIn')).toEqual({ q: 3, w: 60 });
    expect(rateLimitItem(first.headers.get('ratelimit'), 'signIn')).toEqual({ r: 2, t: 20 });
    // login attempts from the same client draw on the same budget
    await client.post('/login', { email: uniqueEmail(), password: WRONG });
    await client.post('/reauthenticate', { password: PASSWORD }, cookie);
    const limited = await client.post('/reauthenticate', { password: PASSWORD }, cookie);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('needs a session, a trusted origin and a password', async () => {
    const { client } = testAuth();
    const { cookie } = await client.signUp(uniqueEmail());

    const anonymous = await client.post('/reauthenticate', { password: PASSWORD });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('unauthenticated');

    const crossSite = await client.call('POST', '/reauthenticate', {
      body: { password: PASSWORD },
      cookie,
      headers: { origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.code).toBe('csrf_origin_mismatch');

    const noOrigin = await client.call('POST', '/reauthenticate', {
      body: { password: PASSWORD },
      cookie,
      headers: { origin: '' },
    });
    expect(noOrigin.status).toBe(403);

    const empty = await client.post('/reauthenticate', {}, cookie);
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('invalid_request');
  });

  it('never serves the old authTime from the session cache, on this instance or another', async () => {
    const clock = fakeClock();
    // a clock that stands still: cached entries never age out, so only invalidation can help
    const storage = memoryStorage();
    const keyValue = memoryKeyValue({ clock });
    const a = testAuth({ clock, storage, keyValue });
    const b = testAuth({ clock, storage, keyValue });
    const { cookie, body } = await a.client.signUp(uniqueEmail());
    const before = body.session.authTime.pwd as number;
    // both instances cache the session
    expect((await a.client.get('/session', cookie)).body.session.authTime.pwd).toBe(before);
    expect((await b.client.get('/session', cookie)).body.session.authTime.pwd).toBe(before);
    clock.advance(120);

    expect((await a.client.post('/reauthenticate', { password: PASSWORD }, cookie)).status).toBe(200);

    expect((await a.client.get('/session', cookie)).body.session.authTime.pwd).toBe(before + 120);
    expect((await b.client.get('/session', cookie)).body.session.authTime.pwd).toBe(before + 120);
    const current = await b.auth.api.validateSessionToken(String(cookie).split('=')[1]!);
    expect(() => b.auth.api.checkStepUp(current!.session, { maxAgeSeconds: 60 })).not.toThrow();
  });

  it('is on auth.api with the same checks', async () => {
    const clock = fakeClock();
    const { auth } = testAuth({ clock });
    const signedUp = await auth.api.signUp({ email: uniqueEmail(), password: PASSWORD });
    if ('pending' in signedUp) throw new Error('unexpected pending sign-up');
    clock.advance(30);

    const { session } = await auth.api.reauthenticate(
      signedUp.token,
      { password: PASSWORD },
      { ip: '192.0.2.9' },
    );
    expect(session.authTime.pwd).toBe(seconds(clock.now()));

    const wrong = await auth.api.reauthenticate(signedUp.token, { password: WRONG }).catch((e) => e);
    expect(isAuthError(wrong, 'invalid_credentials')).toBe(true);
    const unknown = await auth.api.reauthenticate('not-a-token', { password: PASSWORD }).catch((e) => e);
    expect(isAuthError(unknown, 'unauthenticated')).toBe(true);
    await auth.api.signOut(signedUp.token);
    const ended = await auth.api.reauthenticate(signedUp.token, { password: PASSWORD }).catch((e) => e);
    expect(isAuthError(ended, 'unauthenticated')).toBe(true);
  });
});

describe('auth.api.checkStepUp', () => {
  async function signedIn() {
    const clock = fakeClock();
    const { auth } = testAuth({ clock });
    const result = await auth.api.signUp({ email: uniqueEmail(), password: PASSWORD });
    if ('pending' in result) throw new Error('unexpected pending sign-up');
    return { auth, clock, token: result.token };
  }

  it('passes within maxAgeSeconds and throws step_up_required carrying the requirement after it', async () => {
    const { auth, clock, token } = await signedIn();
    const session = async () => (await auth.api.validateSessionToken(token))!.session;
    expect(() => auth.api.checkStepUp({ authTime: {} }, { maxAgeSeconds: 300 })).toThrow(AuthError);

    clock.advance(300);
    expect(() =>
      auth.api.checkStepUp({ authTime: { pwd: seconds(clock.now()) - 300 } }, { maxAgeSeconds: 300 }),
    ).not.toThrow();
    clock.advance(1);
    const stale = await session();
    let thrown: unknown;
    try {
      auth.api.checkStepUp(stale, { maxAgeSeconds: 300 });
    } catch (error) {
      thrown = error;
    }
    expect(isAuthError(thrown, 'step_up_required')).toBe(true);
    expect((thrown as AuthError).stepUp).toEqual({ maxAgeSeconds: 300 });

    await auth.api.reauthenticate(token, { password: PASSWORD });
    expect(() => auth.api.checkStepUp(stale, { maxAgeSeconds: 300 })).toThrow(); // the old copy stays old
    expect(() => auth.api.checkStepUp({ authTime: {} }, { maxAgeSeconds: 0 })).toThrow();
    const fresh = await session();
    expect(() => auth.api.checkStepUp(fresh, { maxAgeSeconds: 0 })).not.toThrow();
  });

  it('with methods, counts only those methods', async () => {
    const { auth, clock } = await signedIn();
    const now = seconds(clock.now());
    const session = { authTime: { pwd: now, otp: now - 1_000 } };

    expect(() => auth.api.checkStepUp(session, { maxAgeSeconds: 60, methods: ['pwd'] })).not.toThrow();
    expect(() => auth.api.checkStepUp(session, { maxAgeSeconds: 60, methods: ['otp', 'pwd'] })).not.toThrow();
    expect(() => auth.api.checkStepUp(session, { maxAgeSeconds: 60, methods: ['otp', 'hwk'] })).toThrow(
      expect.objectContaining({
        code: 'step_up_required',
        stepUp: { maxAgeSeconds: 60, methods: ['otp', 'hwk'] },
      }),
    );
    expect(() =>
      auth.api.checkStepUp(
        { authTime: { toString: now } },
        { maxAgeSeconds: 60, methods: ['hasOwnProperty'] },
      ),
    ).toThrow(expect.objectContaining({ code: 'step_up_required' }));
  });

  it('refuses a requirement that is not one as config_invalid', async () => {
    const { auth } = await signedIn();
    for (const requirement of [
      { maxAgeSeconds: -1 },
      { maxAgeSeconds: 1.5 },
      { maxAgeSeconds: 60, methods: [] },
      { maxAgeSeconds: 60, methods: ['otp"; evil="1'] },
    ]) {
      expect(() => auth.api.checkStepUp({ authTime: {} }, requirement)).toThrow(
        expect.objectContaining({ code: 'config_invalid' }),
      );
    }
  });
});

describe('step_up_required over HTTP', () => {
  it("answers 401 problem+json with the RFC 9470 WWW-Authenticate challenge from core's handler", async () => {
    const clock = fakeClock();
    const { auth, client } = testAuth({ clock });
    const protectedRoute = defineRoute({
      method: 'POST',
      path: '/danger',
      operationId: 'danger',
      summary: 'a route that needs a recent authentication',
      tag: 'test',
      auth: 'session',
      responses: { 204: { description: 'done' } },
      async handle({ api, auth: current }) {
        api.checkStepUp(current.session, { maxAgeSeconds: 300 });
        return { status: 204 };
      },
    });
    const handler = createHandler({
      config: auth.config,
      api: auth.api,
      routes: [protectedRoute],
      logger: silentEventLogger,
      health: auth.health,
      clock,
      openApi: () => ({}),
    });
    const { cookie } = await client.signUp(uniqueEmail());
    const danger = () =>
      handler(
        new Request(`${ORIGIN}/auth/danger`, {
          method: 'POST',
          headers: { origin: ORIGIN, cookie: cookie! },
        }),
      );
    expect((await danger()).status).toBe(204);
    clock.advance(301);

    const refused = await danger();
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=300',
    );
    expect(await refused.json()).toEqual({
      type: problemType('step_up_required'),
      title: 'Recent authentication required',
      status: 401,
      code: 'step_up_required',
      detail: 'authenticate again (at most 300 seconds ago)',
      requestId: refused.headers.get('x-request-id'),
      maxAgeSeconds: 300,
    });

    expect((await client.post('/reauthenticate', { password: PASSWORD }, cookie)).status).toBe(200);
    expect((await danger()).status).toBe(204);
  });

  it('names required methods in error_description and the problem body, not in acr_values', async () => {
    const { auth } = testAuth();
    const error = (() => {
      try {
        auth.api.checkStepUp({ authTime: {} }, { maxAgeSeconds: 900, methods: ['otp', 'hwk'] });
      } catch (e) {
        return e as AuthError;
      }
      throw new Error('expected step_up_required');
    })();
    const response = problemResponse(error, 'req-1');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", error_description="Authenticate again with one of: otp, hwk", max_age=900',
    );
    expect(await response.json()).toMatchObject({
      code: 'step_up_required',
      maxAgeSeconds: 900,
      methods: ['otp', 'hwk'],
    });
  });

  it('documents /reauthenticate in the OpenAPI document', () => {
    const { auth } = testAuth();
    const document = auth.openApiDocument() as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    expect(document.paths['/reauthenticate']?.post?.operationId).toBe('reauthenticate');
  });
});
