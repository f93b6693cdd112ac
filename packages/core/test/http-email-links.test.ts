import { describe, expect, it } from 'vitest';
import { totpCodeAt, totpStep } from '../src/credentials/totp/totp-code.js';
import { sha256Hex } from '../src/crypto/random.js';
import type { AuthConfig } from '../src/index.js';
import { memoryStorage } from '../src/memory/index.js';
import type { OutboxEvent } from '../src/outbox/outbox.js';
import type { MailMessage } from '../src/ports/mailer.js';
import { fakeClock, PASSWORD, testAuth, uniqueEmail } from './support.js';

const NEW_PASSWORD = 'a brand new passphrase for this account';

/** An auth on memory storage with a fake clock, the mails sent and every outbox event seen. */
function tokenWorld(config: Partial<AuthConfig> = {}) {
  const storage = memoryStorage();
  const clock = fakeClock(Date.now());
  const events: OutboxEvent[] = [];
  const world = testAuth({
    storage,
    clock,
    outbox: { autoStart: false, subscribers: [{ name: 'capture', handle: (e) => void events.push(e) }] },
    emailLinks: {
      appName: 'Acme <Docs>',
      verifyEmailUrl: 'https://app.example.com/verify-email',
      resetPasswordUrl: 'https://app.example.com/reset-password',
      magicLinkUrl: 'https://app.example.com/magic-link',
      redirectAllowlist: ['/dashboard', 'https://app.example.com/welcome'],
    },
    ...config,
  });
  async function deliver() {
    while ((await world.auth.outbox.dispatchOnce()) > 0);
  }
  /** The token of the newest mail to `to` (delivering the outbox first). */
  async function tokenMailedTo(to: string): Promise<string> {
    await deliver();
    const mail = world.sent.filter((m) => m.to === to).at(-1);
    const token = mail?.text.match(/[?&]token=([A-Za-z0-9_-]+)/)?.[1];
    if (!token) throw new Error(`no link mailed to ${to}`);
    return token;
  }
  return { ...world, storage, clock, events, deliver, tokenMailedTo };
}

describe('email verification over HTTP', () => {
  it('mails the signed-in user a link to the verify page; POSTing its token verifies the address once', async () => {
    const world = tokenWorld();
    const email = uniqueEmail('verify');
    const me = await world.client.signUp(email);
    expect(me.body.user.emailVerifiedAt).toBeNull();

    const asked = await world.client.post('/email/verification', {}, me.cookie);
    expect(asked.status).toBe(202);
    await world.deliver();
    const mail = world.sent.at(-1)!;
    expect(mail).toMatchObject({ to: email, subject: 'Confirm your email address for Acme <Docs>' });
    expect(mail.text).toMatch(/https:\/\/app\.example\.com\/verify-email\?token=[A-Za-z0-9_-]{43}\n/);
    const token = await world.tokenMailedTo(email);

    // from the browser that signed up: it keeps its session and the password it proved
    const verified = await world.client.post('/email/verify', { token }, me.cookie);
    expect(verified.status).toBe(200);
    expect(verified.body.user).toMatchObject({ email, emailVerifiedAt: world.clock.now().toISOString() });
    expect((await world.client.get('/session', me.cookie)).body.user.emailVerifiedAt).not.toBeNull();

    const again = await world.client.post('/email/verify', { token });
    expect(again.status).toBe(410);
    expect(again.body.code).toBe('token_used');
    const asksAgain = await world.client.post('/email/verification', {}, me.cookie);
    expect(asksAgain.status).toBe(409);
  });

  it('asks for a session to send a verification link', async () => {
    const world = tokenWorld();
    const res = await world.client.post('/email/verification', {});
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('stores only the hash of the token and keeps the link sealed in the outbox', async () => {
    const world = tokenWorld();
    const email = uniqueEmail('sealed');
    const me = await world.client.signUp(email);
    await world.client.post('/email/verification', {}, me.cookie);
    const token = await world.tokenMailedTo(email);

    const stored = await world.storage.oneTimeTokens.findByTokenHash(sha256Hex(token));
    expect(stored).toMatchObject({ purpose: 'email_verification', email, usedAt: null });
    expect(JSON.stringify(stored)).not.toContain(token);
    const requested = world.events.find((e) => e.type === 'email.verification_requested');
    expect(requested).toBeDefined();
    expect(JSON.stringify(requested)).not.toContain(token);
    expect(JSON.stringify(requested)).toContain('{{link}}');
  });
});

describe('password reset over HTTP', () => {
  it('resets the password with the mailed token, revokes every session and signs nobody in', async () => {
    const world = tokenWorld();
    const email = uniqueEmail('reset');
    const first = await world.client.signUp(email);
    const second = await world.client.post('/login', { email, password: PASSWORD });
    expect(second.status).toBe(200);

    const forgot = await world.client.post('/password/forgot', { email });
    expect(forgot.status).toBe(202);
    expect(forgot.body).toEqual({ accepted: true });
    const token = await world.tokenMailedTo(email);
    expect(world.sent.at(-1)!.text).toContain(`https://app.example.com/reset-password?token=${token}`);

    const reset = await world.client.post('/password/reset', { token, password: NEW_PASSWORD }, first.cookie);
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ revokedSessions: 2 });
    expect(reset.body.session).toBeUndefined();
    // the cookie is cleared, never replaced by a new session
    expect(reset.headers.getSetCookie().join()).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);

    expect((await world.client.get('/session', first.cookie)).status).toBe(401);
    expect((await world.client.get('/session', second.cookie)).status).toBe(401);
    expect((await world.client.post('/login', { email, password: PASSWORD })).status).toBe(401);
    expect((await world.client.post('/login', { email, password: NEW_PASSWORD })).status).toBe(200);

    const reused = await world.client.post('/password/reset', { token, password: `${NEW_PASSWORD}!` });
    expect(reused.status).toBe(410);
    expect(reused.body.code).toBe('token_used');
    await world.deliver();
    const reportedReset = world.events.find((e) => e.type === 'password.reset');
    expect(reportedReset?.payload).toMatchObject({ revokedSessions: 2 });
    expect(world.events.map((e) => e.type)).toContain('password.reset_requested');
  });

  it('expires a reset token after one hour', async () => {
    const world = tokenWorld();
    const email = uniqueEmail('late');
    await world.client.signUp(email);
    await world.client.post('/password/forgot', { email });
    const token = await world.tokenMailedTo(email);

    world.clock.advance(3600);
    const res = await world.client.post('/password/reset', { token, password: NEW_PASSWORD });
    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({ code: 'token_expired', status: 410 });
  });

  it('applies the password policy and uses nothing when the new password is rejected', async () => {
    const world = tokenWorld();
    const email = uniqueEmail('policy');
    await world.client.signUp(email);
    await world.client.post('/password/forgot', { email });
    const token = await world.tokenMailedTo(email);

    const weak = await world.client.post('/password/reset', { token, password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('password_too_short');
    const ok = await world.client.post('/password/reset', { token, password: NEW_PASSWORD });
    expect(ok.status).toBe(200);
  });

  it('kills older reset links when one is used', async () => {
    const world = tokenWorld();
    const email = uniqueEmail('older');
    await world.client.signUp(email);
    await world.client.post('/password/forgot', { email });
    const older = await world.tokenMailedTo(email);
    await world.client.post('/password/forgot', { email });
    const newer = await world.tokenMailedTo(email);
    expect(newer).not.toBe(older);

    expect(
      (await world.client.post('/password/reset', { token: newer, password: NEW_PASSWORD })).status,
    ).toBe(200);
    const stale = await world.client.post('/password/reset', { token: older, password: `${NEW_PASSWORD}?` });
    expect(stale.status).toBe(410);
  });

  it('of 20 concurrent resets with one token exactly one succeeds', async () => {
    const world = tokenWorld();
    const email = uniqueEmail('race');
    await world.client.signUp(email);
    await world.client.post('/password/forgot', { email });
    const token = await world.tokenMailedTo(email);

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        world.client.post('/password/reset', { token, password: `${NEW_PASSWORD} ${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 410 && r.body.code === 'token_used')).toHaveLength(19);
  });

  it('answers a known and an unknown address identically and mails only the known one', async () => {
    const world = tokenWorld();
    const known = uniqueEmail('known');
    await world.client.signUp(known);
    const unknown = uniqueEmail('nobody');

    const a = await world.client.post('/password/forgot', { email: known });
    const b = await world.client.post('/password/forgot', { email: unknown });
    expect([a.status, a.body]).toEqual([b.status, b.body]);
    expect(a.status).toBe(202);
    await world.deliver();
    expect(world.sent.map((m) => m.to)).toEqual([known]);
  });
});

describe('tokens that cannot be used', () => {
  it('rejects unknown, malformed and wrong-purpose tokens with token_invalid, using nothing', async () => {
    const world = tokenWorld();
    const email = uniqueEmail('purpose');
    const me = await world.client.signUp(email);
    await world.client.post('/email/verification', {}, me.cookie);
    const verification = await world.tokenMailedTo(email);

    for (const [path, body] of [
      ['/password/reset', { token: verification, password: NEW_PASSWORD }],
      ['/magic-link/verify', { token: verification }],
      ['/email/verify', { token: 'A'.repeat(43) }],
      ['/magic-link/verify', { token: 'not a token' }],
    ] as const) {
      const res = await world.client.post(path, body);
      expect(res.status, path).toBe(400);
      expect(res.body.code, path).toBe('token_invalid');
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const tooLong = await world.client.post('/email/verify', { token: 'x'.repeat(500) });
    expect(tooLong.status).toBe(400);
    // the wrong-purpose attempts left the verification token usable
    expect((await world.client.post('/email/verify', { token: verification })).status).toBe(200);
  });
});

describe('magic links over HTTP', () => {
  it('signs in with the mailed link: a session whose amr is email, and the allowed redirect', async () => {
    const world = tokenWorld();
    const email = uniqueEmail('magic');
    await world.client.signUp(email);

    const asked = await world.client.post('/magic-link', { email, redirectTo: '/dashboard' });
    expect(asked.status).toBe(202);
    const token = await world.tokenMailedTo(email);
    const mail = world.sent.at(-1)!;
    expect(mail.text).toContain(`https://app.example.com/magic-link?token=${token}`);
    expect(mail.html).toContain(`href="https://app.example.com/magic-link?token=${token}"`);
    // the app name is escaped in HTML, never injected
    expect(mail.html).toContain('Acme &lt;Docs&gt;');
    expect(mail.html).not.toContain('<Docs>');

    const res = await world.client.post('/magic-link/verify', { token });
    expect(res.status).toBe(200);
    expect(res.cookie).not.toBeNull();
    expect(res.body.redirectTo).toBe('/dashboard');
    expect(res.body.session.amr).toEqual(['email']);
    expect(res.body.user.emailVerifiedAt).not.toBeNull();
    const session = await world.client.get('/session', res.cookie);
    expect(session.status).toBe(200);
    expect(session.body.user.email).toBe(email);

    const again = await world.client.post('/magic-link/verify', { token });
    expect(again.status).toBe(410);
    expect(again.body.code).toBe('token_used');
  });

  it('expires a magic link after ten minutes', async () => {
    const world = tokenWorld();
    const email = uniqueEmail('slow');
    await world.client.signUp(email);
    await world.client.post('/magic-link', { email });
    const token = await world.tokenMailedTo(email);

    world.clock.advance(600);
    const res = await world.client.post('/magic-link/verify', { token });
    expect(res.status).toBe(410);
    expect(res.body.code).toBe('token_expired');
  });

  it('of 20 concurrent uses of one magic link exactly one opens a session', async () => {
    const world = tokenWorld();
    const email = uniqueEmail('magic-race');
    await world.client.signUp(email);
    await world.client.post('/magic-link', { email });
    const token = await world.tokenMailedTo(email);

    const results = await Promise.all(
      Array.from({ length: 20 }, () => world.client.post('/magic-link/verify', { token })),
    );
    expect(results.filter((r) => r.status === 200 && r.cookie)).toHaveLength(1);
    expect(results.filter((r) => r.status === 410)).toHaveLength(19);
  });

  it('answers a known and an unknown address identically and mails only the known one', async () => {
    const world = tokenWorld();
    const known = uniqueEmail('known');
    await world.client.signUp(known);

    const a = await world.client.post('/magic-link', { email: known, redirectTo: '/dashboard' });
    const b = await world.client.post('/magic-link', {
      email: uniqueEmail('ghost'),
      redirectTo: '/dashboard',
    });
    expect(a.status).toBe(202);
    expect([a.status, a.body]).toEqual([b.status, b.body]);
    await world.deliver();
    expect(world.sent.map((m) => m.to)).toEqual([known]);
  });

  it('accepts no redirect off the allowlist (open-redirect corpus)', async () => {
    const world = tokenWorld({ rateLimit: { enabled: false } });
    const email = uniqueEmail('redirect');
    await world.client.signUp(email);
    const corpus = [
      '//evil.com',
      '/\\evil.com',
      '\\\\evil.com',
      '/\\/evil.com',
      'https://app@evil.com',
      'https://app.example.com@evil.com/welcome',
      'https://app.example.com/welcome@evil.com',
      'https://evil.com/dashboard',
      'https://app.example.com.evil.com/welcome',
      'https://APP.example.com/welcome',
      'https://app.example.com/welcome/',
      'https://app.example.com/welcome?next=//evil.com',
      'https://app.example.com/welcome#@evil.com',
      'http://app.example.com/welcome',
      '%2F%2Fevil.com',
      '/%2F%2Fevil.com',
      '/%5Cevil.com',
      '/dashboard/../../evil.com',
      '/dashboard/',
      '/Dashboard',
      ' /dashboard',
      '/dashboard\t',
      '/dashboard%00',
      '/\tevil.com',
      '///evil.com',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'evil.com',
      'https:evil.com',
      'https:/evil.com',
      '\u3002evil.com',
      '/\u2215evil.com',
      '/．/evil.com',
    ];
    const accepted: string[] = [];
    for (const redirectTo of corpus) {
      const res = await world.client.post('/magic-link', { email, redirectTo });
      if (res.status !== 400 || res.body.code !== 'redirect_not_allowed') accepted.push(redirectTo);
    }
    expect(accepted).toEqual([]);
    await world.deliver();
    expect(world.sent).toEqual([]);

    for (const redirectTo of ['/dashboard', 'https://app.example.com/welcome']) {
      expect((await world.client.post('/magic-link', { email, redirectTo })).status).toBe(202);
    }
  });

  it('opens no redirect the allowlist dropped after the link was sent', async () => {
    const storage = memoryStorage();
    const email = uniqueEmail('shrunk');
    const before = tokenWorld({ storage });
    await before.client.signUp(email);
    await before.client.post('/magic-link', { email, redirectTo: '/dashboard' });
    const token = await before.tokenMailedTo(email);

    const after = tokenWorld({ storage, emailLinks: { redirectAllowlist: [] } });
    const res = await after.client.post('/magic-link/verify', { token });
    expect(res.status).toBe(200);
    expect(res.body.redirectTo).toBeNull();
  });

  it('a user with an enrolled second factor gets an MFA challenge, not a session, from a magic link', async () => {
    const world = tokenWorld();
    const email = uniqueEmail('magic-mfa');
    const signedUp = await world.client.signUp(email);
    // a verified address: its first proof would have removed the factor (see the pre-hijacking tests)
    await world.client.post('/email/verification', {}, signedUp.cookie);
    await world.client.post('/email/verify', { token: await world.tokenMailedTo(email) }, signedUp.cookie);
    const setup = await world.client.post('/mfa/totp/setup', {}, signedUp.cookie);
    const secret = setup.body.secret as string;
    const confirmed = await world.client.post(
      '/mfa/totp/confirm',
      { code: totpCodeAt(secret, totpStep(world.clock.now())) },
      signedUp.cookie,
    );
    expect(confirmed.status).toBe(200);
    world.clock.advance(30); // the confirming code's step is used up

    await world.client.post('/magic-link', { email });
    const token = await world.tokenMailedTo(email);
    const res = await world.client.post('/magic-link/verify', { token });
    expect(res.status).toBe(200);
    expect(res.cookie).toBeNull();
    expect(res.body).toMatchObject({ mfaRequired: true, methods: expect.arrayContaining(['totp']) });
    // the link is used up all the same
    expect((await world.client.post('/magic-link/verify', { token })).body.code).toBe('token_used');

    const verified = await world.client.post('/mfa/verify', {
      challengeId: res.body.challengeId,
      method: 'totp',
      code: totpCodeAt(secret, totpStep(world.clock.now())),
    });
    expect(verified.status).toBe(200);
    expect(verified.body.session.amr).toEqual(['email', 'otp']);
  });
});

describe('mail delivery of links', () => {
  it('keeps the state change when the mailer throws and delivers the message on retry', async () => {
    const attempts: MailMessage[] = [];
    let failuresLeft = 1;
    const world = tokenWorld({
      mailer: {
        async send(message) {
          attempts.push(message);
          if (failuresLeft-- > 0) throw new Error('smtp down');
        },
      },
    });
    const email = uniqueEmail('retry');
    await world.client.signUp(email);

    const res = await world.client.post('/password/forgot', { email });
    expect(res.status).toBe(202);
    await world.auth.outbox.dispatchOnce();
    expect(attempts).toHaveLength(1);
    // the token was stored although the mail failed
    const token = attempts[0]?.text.match(/token=([A-Za-z0-9_-]+)/)?.[1] ?? 'no token in the mail';
    expect(await world.storage.oneTimeTokens.findByTokenHash(sha256Hex(token))).not.toBeNull();

    world.clock.advance(120);
    await world.deliver();
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.text).toBe(attempts[0]!.text);
    expect((await world.client.post('/password/reset', { token, password: NEW_PASSWORD })).status).toBe(200);
  });
});
