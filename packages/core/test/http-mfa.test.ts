import { describe, expect, it } from 'vitest';
import { auditChainKey } from '../src/audit/audit.js';
import { totpCodeAt, totpStep } from '../src/credentials/totp/totp-code.js';
import { memoryStorage } from '../src/memory/index.js';
import type { Storage } from '../src/ports/storage.js';
import { fakeClock, httpClient, PASSWORD, testAuth, uniqueEmail } from './support.js';

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** A user with TOTP enabled: their email, secret, recovery codes and the signed-up session. */
async function enrolledUser(client: ReturnType<typeof httpClient>, clock: ReturnType<typeof fakeClock>) {
  const email = uniqueEmail('mfa');
  const signedUp = await client.signUp(email);
  const setup = await client.post('/mfa/totp/setup', {}, signedUp.cookie);
  expect(setup.status).toBe(200);
  const secret = setup.body.secret as string;
  const confirm = await client.post(
    '/mfa/totp/confirm',
    { code: totpCodeAt(secret, totpStep(clock.now())) },
    signedUp.cookie,
  );
  expect(confirm.status).toBe(200);
  // the confirming code's step is used up: sign-ins in these tests start at the next step
  clock.advance(30);
  return {
    email,
    secret,
    userId: signedUp.body.user.id as string,
    cookie: signedUp.cookie,
    recoveryCodes: confirm.body.recoveryCodes as string[],
  };
}

async function loginRequiringMfa(client: ReturnType<typeof httpClient>, email: string) {
  const login = await client.post('/login', { email, password: PASSWORD });
  expect(login.status).toBe(200);
  expect(login.body.mfaRequired).toBe(true);
  return login.body.challengeId as string;
}

const currentCode = (secret: string, clock: ReturnType<typeof fakeClock>) =>
  totpCodeAt(secret, totpStep(clock.now()));

describe('TOTP enrolment', () => {
  it('answers GET /mfa with whether TOTP is on and how many recovery codes are left, never a secret', async () => {
    const clock = fakeClock();
    const { client } = testAuth({ clock });
    const { cookie } = await client.signUp(uniqueEmail('status'));
    expect((await client.get('/mfa', cookie)).body).toEqual({
      totpEnabled: false,
      recoveryCodesRemaining: 0,
    });
    await client.post('/mfa/totp/setup', {}, cookie);
    // a pending setup is not a second factor yet
    expect((await client.get('/mfa', cookie)).body).toEqual({
      totpEnabled: false,
      recoveryCodesRemaining: 0,
    });

    const enrolled = await enrolledUser(client, clock);
    expect((await client.get('/mfa', enrolled.cookie)).body).toEqual({
      totpEnabled: true,
      recoveryCodesRemaining: 10,
    });
    expect((await client.get('/mfa')).status).toBe(401);
  });

  it('sets up a pending secret with an otpauth URI, and confirms it with a first code into 10 single-use recovery codes', async () => {
    const clock = fakeClock();
    const storage = memoryStorage();
    const { client } = testAuth({ clock, storage });
    const email = uniqueEmail('enrol');
    const { cookie, body } = await client.signUp(email);
    const userId = body.user.id as string;

    const setup = await client.post('/mfa/totp/setup', {}, cookie);
    expect(setup.status).toBe(200);
    expect(setup.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(setup.body.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(setup.body.secret);
    expect(uri.searchParams.get('issuer')).toBe('localhost');
    expect(decodeURIComponent(uri.pathname)).toContain(email);
    // pending: a login does not ask for it yet
    expect((await client.post('/login', { email, password: PASSWORD })).cookie).not.toBeNull();
    // sealed at rest: the stored value is not the secret
    const stored = await storage.mfa.findTotp(userId);
    expect(stored).toMatchObject({ confirmedAt: null, lastUsedStep: null });
    expect(stored!.secretSealed).not.toContain(setup.body.secret);

    const wrong = await client.post('/mfa/totp/confirm', { code: '000000' }, cookie);
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_mfa_code');

    const confirm = await client.post(
      '/mfa/totp/confirm',
      { code: currentCode(setup.body.secret, clock) },
      cookie,
    );
    expect(confirm.status).toBe(200);
    const codes = confirm.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect(await storage.mfa.countUnusedRecoveryCodes(userId)).toBe(10);

    const again = await client.post('/mfa/totp/setup', {}, cookie);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('mfa_already_enabled');

    const events = await storage.audit.list(auditChainKey({ userId }), { limit: 10 });
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['mfa.totp_enabled', 'mfa.recovery_codes_generated']),
    );
    // no secret or code in the audit trail
    expect(JSON.stringify(events)).not.toContain(setup.body.secret);
    expect(JSON.stringify(events)).not.toContain(codes[0]);
  });

  it('rejects a confirm without a pending setup (409) and setup without a session (401)', async () => {
    const { client } = testAuth();
    const { cookie } = await client.signUp(uniqueEmail());
    const confirm = await client.post('/mfa/totp/confirm', { code: '123456' }, cookie);
    expect(confirm.status).toBe(409);
    expect(confirm.body.code).toBe('mfa_not_enabled');
    expect((await client.post('/mfa/totp/setup', {})).status).toBe(401);
    const bad = await client.post('/mfa/totp/confirm', { code: 123456 }, cookie);
    expect(bad.status).toBe(400);
  });
});

describe('login with a second factor', () => {
  it('answers mfaRequired with no session; the challenge id is no session token', async () => {
    const clock = fakeClock();
    const { client, auth } = testAuth({ clock });
    const { email } = await enrolledUser(client, clock);

    const login = await client.post('/login', { email, password: PASSWORD });

    expect(login.status).toBe(200);
    expect(login.cookie).toBeNull();
    expect(login.body).toEqual({
      mfaRequired: true,
      challengeId: expect.any(String),
      methods: ['totp', 'recovery_code'],
    });
    // a half-authenticated login reaches no protected route, whatever it presents
    const asCookie = `${auth.sessionCookieName}=${login.body.challengeId}`;
    for (const path of ['/session', '/tenants']) {
      expect((await client.get(path)).status).toBe(401);
      expect((await client.get(path, asCookie)).status).toBe(401);
    }
  });

  it('completes with a TOTP code: a new session with amr pwd + otp and both auth times; the challenge is single use', async () => {
    const clock = fakeClock();
    const { client } = testAuth({ clock });
    const { email, secret } = await enrolledUser(client, clock);
    const challengeId = await loginRequiringMfa(client, email);
    const passwordAt = seconds(clock.now());
    clock.advance(31); // the code of the next step, and the password 31 s old

    const verified = await client.post('/mfa/verify', {
      challengeId,
      method: 'totp',
      code: currentCode(secret, clock),
    });

    expect(verified.status).toBe(200);
    expect(verified.cookie).not.toBeNull();
    expect(verified.body.session).toMatchObject({
      amr: ['pwd', 'otp'],
      authTime: { pwd: passwordAt, otp: seconds(clock.now()) },
    });
    const session = await client.get('/session', verified.cookie);
    expect(session.status).toBe(200);
    expect(session.body.session.amr).toEqual(['pwd', 'otp']);

    clock.advance(30);
    const reused = await client.post('/mfa/verify', {
      challengeId,
      method: 'totp',
      code: currentCode(secret, clock),
    });
    expect(reused.status).toBe(401);
    expect(reused.body.code).toBe('mfa_challenge_invalid');
  });

  it('accepts the previous step, never the same step twice, and nothing older', async () => {
    const clock = fakeClock();
    const { client } = testAuth({ clock });
    const { email, secret } = await enrolledUser(client, clock);
    const step = totpStep(clock.now());

    const first = await loginRequiringMfa(client, email);
    expect(
      (
        await client.post('/mfa/verify', {
          challengeId: first,
          method: 'totp',
          code: totpCodeAt(secret, step),
        })
      ).status,
    ).toBe(200);

    const replay = await loginRequiringMfa(client, email);
    const replayed = await client.post('/mfa/verify', {
      challengeId: replay,
      method: 'totp',
      code: totpCodeAt(secret, step),
    });
    expect(replayed.status).toBe(401);
    expect(replayed.body.code).toBe('invalid_mfa_code');

    clock.advance(30); // now step + 1: the code of step + 1 is fresh, step + 0 is used and step - 1 too old
    const older = await client.post('/mfa/verify', {
      challengeId: replay,
      method: 'totp',
      code: totpCodeAt(secret, step - 1),
    });
    expect(older.body.code).toBe('invalid_mfa_code');
    clock.advance(30); // now step + 2: the previous step (step + 1) is still accepted
    const previous = await client.post('/mfa/verify', {
      challengeId: replay,
      method: 'totp',
      code: totpCodeAt(secret, step + 1),
    });
    expect(previous.status).toBe(200);
  });

  it('completes with a recovery code, once: the same code fails the next time, and its use is audited', async () => {
    const clock = fakeClock();
    const storage = memoryStorage();
    const { client } = testAuth({ clock, storage });
    const { email, recoveryCodes, userId } = await enrolledUser(client, clock);

    const first = await loginRequiringMfa(client, email);
    // users retype codes in capitals and without dashes: still the same code
    const typed = recoveryCodes[3]!.toUpperCase().replace(/-/g, ' ');
    const used = await client.post('/mfa/verify', {
      challengeId: first,
      method: 'recovery_code',
      code: typed,
    });
    expect(used.status).toBe(200);
    expect(used.body.session.amr).toEqual(['pwd', 'otp']);
    expect(await storage.mfa.countUnusedRecoveryCodes(userId)).toBe(9);
    const events = await storage.audit.list(auditChainKey({ userId }), { limit: 50 });
    expect(events.map((e) => e.action)).toContain('mfa.recovery_code_used');

    const second = await loginRequiringMfa(client, email);
    const again = await client.post('/mfa/verify', {
      challengeId: second,
      method: 'recovery_code',
      code: recoveryCodes[3],
    });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('invalid_mfa_code');
    expect(
      (
        await client.post('/mfa/verify', {
          challengeId: second,
          method: 'recovery_code',
          code: recoveryCodes[4],
        })
      ).status,
    ).toBe(200);
  });

  it('accepts exactly one of 20 concurrent submissions of one valid code', async () => {
    const clock = fakeClock();
    const { client, auth } = testAuth({
      clock,
      lockout: { freeAttempts: 60, maxFailures: 100 },
      // 20 sign-ins to one account within the minute: above the account's default sign-in rate
      rateLimit: { rules: { signInIdentifier: { limit: 100, windowSeconds: 60 } } },
    });
    const { email, secret } = await enrolledUser(client, clock);
    // 20 pending logins from 20 addresses: only the step claim can tell them apart
    const challenges = await Promise.all(
      Array.from({ length: 20 }, (_, i) => loginRequiringMfa(httpClient(auth, `10.0.0.${i + 1}`), email)),
    );
    const code = currentCode(secret, clock);

    const answers = await Promise.all(
      challenges.map((challengeId) => client.post('/mfa/verify', { challengeId, method: 'totp', code })),
    );

    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 401).every((a) => a.body.code === 'invalid_mfa_code')).toBe(
      true,
    );
  });

  it('signs in once from 20 concurrent submissions of one challenge with one recovery code', async () => {
    const clock = fakeClock();
    const { client } = testAuth({ clock, lockout: { freeAttempts: 60, maxFailures: 100 } });
    const { email, recoveryCodes } = await enrolledUser(client, clock);
    const challengeId = await loginRequiringMfa(client, email);

    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.post('/mfa/verify', { challengeId, method: 'recovery_code', code: recoveryCodes[0] }),
      ),
    );

    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.every((a) => a.status === 200 || a.status === 401)).toBe(true);
  });

  it('counts wrong codes on a second-factor counter of their own: they delay the codes, never the password', async () => {
    const clock = fakeClock();
    const { client } = testAuth({ clock, lockout: { freeAttempts: 3, maxFailures: 100 } });
    const { email, secret } = await enrolledUser(client, clock);
    const challengeId = await loginRequiringMfa(client, email);

    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await client.post('/mfa/verify', { challengeId, method: 'totp', code: '000000' })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401]);
    // four failures, past the three free ones: even the right code must now wait
    const locked = await client.post('/mfa/verify', {
      challengeId,
      method: 'totp',
      code: currentCode(secret, clock),
    });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('account_locked');
    // the password is not held back by wrong codes (regression: one shared counter)
    const again = await client.post('/login', { email, password: PASSWORD });
    expect(again.status).toBe(200);
    expect(again.body.mfaRequired).toBe(true);
    clock.advance(3);
    const verified = await client.post('/mfa/verify', {
      challengeId: again.body.challengeId,
      method: 'totp',
      code: currentCode(secret, clock),
    });
    expect(verified.status).toBe(200);
  });

  it('rejects an unknown challenge and a malformed method as problems, not 500s', async () => {
    const { client } = testAuth();
    const unknown = await client.post('/mfa/verify', { challengeId: 'nope', method: 'totp', code: '123456' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('mfa_challenge_invalid');
    const bad = await client.post('/mfa/verify', { challengeId: 'nope', method: 'sms', code: '123456' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_request');
  });
});

describe('changing the second factor needs a fresh authentication', () => {
  it('disables TOTP only within 5 minutes of an authentication, then logins no longer ask for it', async () => {
    const clock = fakeClock();
    const storage: Storage = memoryStorage();
    const { client } = testAuth({ clock, storage });
    const { email, cookie, userId } = await enrolledUser(client, clock);
    clock.advance(301);

    const stale = await client.call('DELETE', '/mfa/totp', { cookie });
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('step_up_required');
    const staleCodes = await client.post('/mfa/recovery-codes', {}, cookie);
    expect(staleCodes.body.code).toBe('step_up_required');

    expect((await client.post('/reauthenticate', { password: PASSWORD }, cookie)).status).toBe(200);
    const regenerated = await client.post('/mfa/recovery-codes', {}, cookie);
    expect(regenerated.status).toBe(200);
    expect(regenerated.body.recoveryCodes).toHaveLength(10);
    const disabled = await client.call('DELETE', '/mfa/totp', { cookie });
    expect(disabled.status).toBe(204);

    expect(await storage.mfa.findTotp(userId)).toBeNull();
    expect(await storage.mfa.countUnusedRecoveryCodes(userId)).toBe(0);
    const login = await client.post('/login', { email, password: PASSWORD });
    expect(login.cookie).not.toBeNull();
    const events = await storage.audit.list(auditChainKey({ userId }), { limit: 50 });
    expect(events.map((e) => e.action)).toContain('mfa.totp_disabled');
    expect((await client.call('DELETE', '/mfa/totp', { cookie })).body.code).toBe('mfa_not_enabled');
  });
});
