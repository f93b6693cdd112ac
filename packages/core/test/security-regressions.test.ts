import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../src/memory/index.js';
import type { KeyValue } from '../src/ports/key-value.js';
import type { Storage } from '../src/ports/storage.js';
import { fakeClock, ORIGIN, PASSWORD, testAuth, uniqueEmail } from './support.js';

const slug = () => `rv-${Math.random().toString(36).slice(2, 10)}`;
const WRONG = 'wrong password but long';

/** Resolves with the promise's value, or with 'timeout' after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([promise, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref())]);
}

describe('security regression: login throttling', () => {
  it('does not let concurrent wrong passwords exceed the per-account failure limit', async () => {
    const { client } = testAuth({
      rateLimit: { enabled: false },
      lockout: { freeAttempts: 3, maxFailures: 5 },
    });
    const email = uniqueEmail();
    await client.signUp(email);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => client.post('/login', { email, password: WRONG })),
    );
    const guessed = results.filter((r) => r.status === 401).length;
    // at most `maxFailures` passwords may be tried; the rest must be refused before verification
    expect(guessed).toBeLessThanOrEqual(5);
  });

  it('keys the IP rate limit on the proxy-appended address, not the client-supplied left end of X-Forwarded-For', async () => {
    const { auth } = testAuth({
      trustProxy: true,
      clock: fakeClock(Date.UTC(2026, 0, 1, 12, 0, 10)),
      rateLimit: { rules: { signIn: { limit: 3, windowSeconds: 60 } } },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await auth.handler(
        new Request(`${ORIGIN}/auth/login`, {
          method: 'POST',
          headers: {
            origin: ORIGIN,
            'content-type': 'application/json',
            // the client wrote the first entry; the trusted proxy appended the real address
            'x-forwarded-for': `10.0.0.${i}, 203.0.113.9`,
          },
          body: JSON.stringify({ email: uniqueEmail(), password: WRONG }),
        }),
      );
      statuses.push(res.status);
    }
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('security regression: storage and key-value outages', () => {
  it('answers 503 instead of hanging when a transaction never starts (pool exhausted)', async () => {
    const base = memoryStorage();
    const storage: Storage = { ...base, transaction: () => new Promise<never>(() => {}) };
    const { client } = testAuth({ storage, storageTimeoutMs: 200 });
    const res = await within(client.post('/signup', { email: uniqueEmail(), password: PASSWORD }), 3000);
    expect(res).not.toBe('timeout');
    expect((res as { status: number }).status).toBe(503);
  });

  it('keeps signing in (never a 500) when the key-value store (Redis) is down, with rate limits per instance', async () => {
    const refused = () => Promise.reject(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }));
    const down: KeyValue = {
      get: refused,
      set: refused,
      setIfAbsent: refused,
      delete: refused,
      increment: refused,
      ttl: refused,
      getAndDelete: refused,
      publish: refused,
      subscribe: refused,
    };
    const { client } = testAuth({
      keyValue: down,
      clock: fakeClock(Date.UTC(2026, 0, 1, 12, 0, 10)),
      rateLimit: { rules: { signIn: { limit: 3, windowSeconds: 60 } } },
    });
    const email = uniqueEmail();
    const signup = await client.signUp(email);
    expect((await client.get('/session', signup.cookie)).status).toBe(200);
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(200);
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(200);
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(200);
    // the limit still holds, counted in process while the shared store is away
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(429);
  });

  it('does not answer a logout as done when the session could not be revoked', async () => {
    const base = memoryStorage();
    let failRevoke = false;
    const storage: Storage = {
      ...base,
      transaction: (fn) =>
        base.transaction((tx) =>
          fn({
            ...tx,
            sessions: {
              ...tx.sessions,
              revoke: (...args) =>
                failRevoke
                  ? Promise.reject(Object.assign(new Error('connect'), { code: 'ECONNRESET' }))
                  : tx.sessions.revoke(...args),
            },
          }),
        ),
    };
    const { client } = testAuth({ storage });
    const { cookie } = await client.signUp(uniqueEmail());
    failRevoke = true;
    const out = await client.post('/logout', undefined, cookie);
    failRevoke = false;
    const still = await client.get('/session', cookie);
    // either the logout reports the failure, or the session really is gone
    expect(out.status === 204 && still.status === 200).toBe(false);
  });
});

describe('security regression: bad input never becomes a 500', () => {
  it('refuses deeply nested tenant metadata with 400, not a stack-overflow 500', async () => {
    const { client } = testAuth();
    const { cookie } = await client.signUp(uniqueEmail());
    const depth = 200_000;
    const rawBody = `{"slug":"${slug()}","name":"Deep","metadata":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const res = await client.call('POST', '/tenants', { rawBody, cookie });
    expect(res.status).toBe(400);
  });
});

describe('security regression: sessions', () => {
  it('keeps a session in continuous use alive when idleTtlSeconds is not above touchIntervalSeconds', async () => {
    const clock = fakeClock();
    const { client } = testAuth({ clock, session: { idleTtlSeconds: 60 } });
    const { cookie } = await client.signUp(uniqueEmail());
    for (let t = 0; t < 3; t++) {
      clock.advance(40); // used every 40 s, never idle for 60 s
      expect((await client.get('/session', cookie)).status).toBe(200);
    }
  });

  it('stops the sessions of an isolated-pool user when their tenant is suspended', async () => {
    const { client } = testAuth();
    const owner = await client.signUp(uniqueEmail('owner'));
    const s = slug();
    const tenant = await client.post(
      '/tenants',
      { slug: s, name: 'Shop', userPool: 'isolated' },
      owner.cookie,
    );
    const email = uniqueEmail('customer');
    const customer = await client.signUp(email, PASSWORD, { tenant: s });
    const suspended = await client.call('PATCH', `/tenants/${tenant.body.id}`, {
      body: { status: 'suspended' },
      cookie: owner.cookie,
    });
    expect(suspended.status).toBe(200);
    // a new login is refused ...
    expect((await client.post('/login', { email, password: PASSWORD, tenant: s })).status).toBe(401);
    // ... so the session opened before the suspension must not keep working
    expect((await client.get('/session', customer.cookie)).status).toBe(401);
  });
});

describe('security regression: enumeration', () => {
  // Known gap, kept visible: closing it needs sign-in to require a verified email in notify mode,
  // which arrives with email verification in the credentials issue.
  it.todo('notify mode: a login after sign-up does not reveal which emails already had accounts');
  it.skip('notify mode: the sign-up answer hides an existing account, and so must a login that follows', async () => {
    const { client } = testAuth({ signup: { onEmailTaken: 'notify' }, rateLimit: { enabled: false } });
    const victim = uniqueEmail('victim');
    await client.post('/signup', { email: victim, password: PASSWORD });
    const probe = 'attacker chosen password 123';
    const fresh = uniqueEmail('fresh');
    const a = await client.post('/signup', { email: victim, password: probe });
    const b = await client.post('/signup', { email: fresh, password: probe });
    expect(a.status).toBe(b.status); // 202 both: fine so far
    const loginA = await client.post('/login', { email: victim, password: probe });
    const loginB = await client.post('/login', { email: fresh, password: probe });
    // 401 for the taken email, 200 for the new one: the attacker learns which existed
    expect(loginA.status).toBe(loginB.status);
  });

  it('answers an unknown tenant at login exactly like a wrong password', async () => {
    const { client } = testAuth();
    const owner = await client.signUp(uniqueEmail());
    const s = slug();
    await client.post('/tenants', { slug: s, name: 'Shop', userPool: 'isolated' }, owner.cookie);
    const known = await client.post('/login', { email: uniqueEmail(), password: WRONG, tenant: s });
    const unknown = await client.post('/login', { email: uniqueEmail(), password: WRONG, tenant: slug() });
    const { requestId: _a, ...knownBody } = known.body;
    const { requestId: _b, ...unknownBody } = unknown.body;
    expect(unknownBody).toEqual(knownBody);
  });

  it('isolated-pool self sign-up does not let one customer list every other customer’s email', async () => {
    const { client } = testAuth();
    const owner = await client.signUp(uniqueEmail('owner'));
    const s = slug();
    const tenant = await client.post(
      '/tenants',
      { slug: s, name: 'Shop', userPool: 'isolated' },
      owner.cookie,
    );
    const first = uniqueEmail('customer1');
    await client.signUp(first, PASSWORD, { tenant: s });
    const stranger = await client.signUp(uniqueEmail('customer2'), PASSWORD, { tenant: s });
    const members = await client.get(`/tenants/${tenant.body.id}/members`, stranger.cookie);
    expect(JSON.stringify(members.body)).not.toContain(first);
  });
});

describe('security regression: email validation', () => {
  it('validates the email after NFKC normalization (a fullwidth ＠ must not become a second @)', async () => {
    const { client } = testAuth();
    const res = await client.post('/signup', {
      email: 'victim＠corp.example@attacker.example',
      password: PASSWORD,
    });
    expect(res.status).toBe(400);
  });
});

describe('security regression: outbox dispatcher', () => {
  it('stop() returns even when a subscriber never settles (deliveries are bounded in time)', async () => {
    const { auth, client } = testAuth({
      outbox: {
        autoStart: false,
        subscribers: [{ name: 'hung', handle: () => new Promise<void>(() => {}) }],
      },
    });
    await client.signUp(uniqueEmail());
    void auth.outbox.dispatchOnce();
    await new Promise((r) => setTimeout(r, 20));
    expect(await within(auth.outbox.stop(), 2000)).not.toBe('timeout');
  });
});
