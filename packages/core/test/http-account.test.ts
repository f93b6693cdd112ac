import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../src/memory/index.js';
import { fakeClock, PASSWORD, testAuth, uniqueEmail } from './support.js';

describe('account routes over HTTP', () => {
  it('signs up, reads the session, signs in again with a new token, and signs out', async () => {
    const { client } = testAuth();
    const email = uniqueEmail();
    const signup = await client.signUp(email, PASSWORD, { name: 'Ada' });
    expect(signup.body.user).toMatchObject({ email, name: 'Ada', status: 'active', tenantId: null });
    expect(signup.body.session.current).toBe(true);
    expect(JSON.stringify(signup.body)).not.toMatch(/tokenHash|passwordHash|argon2/);
    expect(signup.cookie).toMatch(/^portcullis\.session=[A-Za-z0-9_-]{43}$/);
    const setCookie = signup.headers.getSetCookie()[0]!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);

    const me = await client.get('/session', signup.cookie);
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(email);

    const login = await client.post('/login', { email: email.toUpperCase(), password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.cookie).not.toBe(signup.cookie);

    const sessions = await client.get('/sessions', login.cookie);
    expect(sessions.body.items).toHaveLength(2);
    expect(sessions.body.items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);

    const logout = await client.post('/logout', undefined, login.cookie);
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie()[0]).toMatch(/Max-Age=0/);
    expect((await client.get('/session', login.cookie)).status).toBe(401);
    expect((await client.get('/session', signup.cookie)).status).toBe(200);
  });

  it('sets a __Host- Secure cookie when the base URL is https', async () => {
    const { auth } = testAuth({ baseURL: 'https://app.example.com' });
    const response = await auth.handler(
      new Request('https://app.example.com/auth/signup', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://app.example.com' },
        body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
      }),
    );
    expect(response.status).toBe(201);
    const cookie = response.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^__Host-portcullis\.session=/);
    expect(cookie).toMatch(/; Secure/);
  });

  it('answers a taken email with 409 email_taken by default', async () => {
    const { client } = testAuth();
    const email = uniqueEmail();
    await client.signUp(email);
    const again = await client.post('/signup', { email: email.toUpperCase(), password: PASSWORD });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('email_taken');
  });

  it('in notify mode answers every sign-up alike and mails the owner of a taken email', async () => {
    const { client, auth, sent } = testAuth({ signup: { onEmailTaken: 'notify' } });
    const email = uniqueEmail();
    const first = await client.post('/signup', { email, password: PASSWORD });
    const second = await client.post('/signup', { email, password: `${PASSWORD}!` });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(first.cookie).toBeNull();
    await auth.outbox.dispatchOnce();
    expect(sent.map((m) => m.to)).toEqual([email]);
    expect(sent[0]!.subject).toMatch(/tried to sign up/);
    // the first password stands
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('never reveals whether an account exists at login', async () => {
    const { client } = testAuth();
    const email = uniqueEmail();
    await client.signUp(email);
    const wrongPassword = await client.post('/login', { email, password: 'wrong password but long' });
    const unknownUser = await client.post('/login', {
      email: uniqueEmail('ghost'),
      password: 'wrong password but long',
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    const { requestId: _a, ...a } = wrongPassword.body;
    const { requestId: _b, ...b } = unknownUser.body;
    expect(a).toEqual(b);
    expect(a.code).toBe('invalid_credentials');
  });

  it('rejects weak and oversized passwords with stable codes', async () => {
    const { client } = testAuth();
    const cases: [string, string][] = [
      ['short', 'password_too_short'],
      ['passwordpassword', 'password_too_common'],
      ['x'.repeat(129), 'password_too_long'],
    ];
    for (const [password, code] of cases) {
      const res = await client.post('/signup', { email: uniqueEmail(), password });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe(code);
    }
  });

  it('changes the password, revoking other sessions, and rehashes nothing it should not', async () => {
    const { client } = testAuth();
    const email = uniqueEmail();
    const a = await client.signUp(email);
    const b = await client.post('/login', { email, password: PASSWORD });
    const wrong = await client.post(
      '/password/change',
      { currentPassword: 'not the password at all', newPassword: 'another fine passphrase' },
      a.cookie,
    );
    expect(wrong.body.code).toBe('invalid_credentials');
    const same = await client.post(
      '/password/change',
      { currentPassword: PASSWORD, newPassword: PASSWORD },
      a.cookie,
    );
    expect(same.body.code).toBe('password_reused');
    const changed = await client.post(
      '/password/change',
      { currentPassword: PASSWORD, newPassword: 'another fine passphrase' },
      a.cookie,
    );
    expect(changed.status).toBe(200);
    expect(changed.body.revokedSessions).toBe(1);
    expect((await client.get('/session', a.cookie)).status).toBe(200);
    expect((await client.get('/session', b.cookie)).status).toBe(401);
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(401);
    expect((await client.post('/login', { email, password: 'another fine passphrase' })).status).toBe(200);
  });

  it('expires sessions when idle and at the absolute limit', async () => {
    const clock = fakeClock();
    const { client } = testAuth({ clock, session: { idleTtlSeconds: 3600, absoluteTtlSeconds: 3 * 3600 } });
    const { cookie } = await client.signUp(uniqueEmail());
    clock.advance(3000);
    expect((await client.get('/session', cookie)).status).toBe(200); // use pushes idle expiry
    clock.advance(3000);
    expect((await client.get('/session', cookie)).status).toBe(200);
    clock.advance(3601);
    expect((await client.get('/session', cookie)).status).toBe(401); // idle
    const second = await client.signUp(uniqueEmail());
    for (let i = 0; i < 3; i++) {
      clock.advance(3000);
      await client.get('/session', second.cookie);
    }
    clock.advance(1900);
    expect((await client.get('/session', second.cookie)).status).toBe(401); // absolute
  });

  it('revokes one session, the others, and clears the cookie of a revoked current one', async () => {
    const { client } = testAuth();
    const email = uniqueEmail();
    const a = await client.signUp(email);
    const b = await client.post('/login', { email, password: PASSWORD });
    const c = await client.post('/login', { email, password: PASSWORD });
    const revokeB = await client.call('DELETE', `/sessions/${b.body.session.id}`, { cookie: a.cookie });
    expect(revokeB.status).toBe(204);
    expect((await client.get('/session', b.cookie)).status).toBe(401);
    const again = await client.call('DELETE', `/sessions/${b.body.session.id}`, { cookie: a.cookie });
    expect(again.status).toBe(404);
    const others = await client.post('/sessions/revoke-others', undefined, a.cookie);
    expect(others.body.revoked).toBe(1);
    expect((await client.get('/session', c.cookie)).status).toBe(401);
    const self = await client.call('DELETE', `/sessions/${a.body.session.id}`, { cookie: a.cookie });
    expect(self.headers.getSetCookie()[0]).toMatch(/Max-Age=0/);
  });

  it('cannot revoke another user’s session', async () => {
    const { client } = testAuth();
    const a = await client.signUp(uniqueEmail());
    const b = await client.signUp(uniqueEmail());
    const res = await client.call('DELETE', `/sessions/${b.body.session.id}`, { cookie: a.cookie });
    expect(res.status).toBe(404);
    expect((await client.get('/session', b.cookie)).status).toBe(200);
  });

  it('suspending a user kills every session at once and blocks sign-in', async () => {
    const { client, auth } = testAuth();
    const email = uniqueEmail();
    const a = await client.signUp(email);
    await auth.api.suspendUser(a.body.user.id);
    expect((await client.get('/session', a.cookie)).status).toBe(401);
    const login = await client.post('/login', { email, password: PASSWORD });
    expect(login.status).toBe(403);
    expect(login.body.code).toBe('user_suspended');
    await auth.api.reactivateUser(a.body.user.id);
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('rehashes on login when the argon2 parameters changed', async () => {
    const storage = memoryStorage();
    const email = uniqueEmail();
    const weak = testAuth({ storage });
    await weak.client.signUp(email);
    const strong = testAuth({ storage, password: { argon2: { memoryCost: 24_576 } } });
    expect((await strong.client.post('/login', { email, password: PASSWORD })).status).toBe(200);
    const user = await strong.auth.api.getUser(
      (await strong.client.post('/login', { email, password: PASSWORD })).body.user.id,
    );
    const hash = await storage.passwords.findHash(user!.id);
    expect(hash).toMatch(/m=24576/);
  });
});

describe('server-side user provisioning', () => {
  it('creates users with or without a password, applying the same policy and uniqueness', async () => {
    const { auth, client } = testAuth();
    const email = uniqueEmail('provisioned');
    const user = await auth.api.createUser({ email, password: PASSWORD, name: 'Pro', emailVerified: true });
    expect(user).toMatchObject({ email, name: 'Pro', status: 'active', tenantId: null });
    expect(user.emailVerifiedAt).toBeInstanceOf(Date);
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(200);
    await expect(auth.api.createUser({ email })).rejects.toMatchObject({ code: 'email_taken' });
    await expect(auth.api.createUser({ email: uniqueEmail(), password: 'short' })).rejects.toMatchObject({
      code: 'password_too_short',
    });
    const passwordless = await auth.api.createUser({ email: uniqueEmail('nopw') });
    const login = await client.post('/login', { email: passwordless.email, password: PASSWORD });
    expect(login.body.code).toBe('invalid_credentials');
  });
});
