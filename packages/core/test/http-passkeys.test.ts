import { describe, expect, it } from 'vitest';
import { SoftAuthenticator } from '../../../test-support/soft-authenticator.js';
import { auditChainKey } from '../src/audit/audit.js';
import { totpCodeAt, totpStep } from '../src/credentials/totp/totp-code.js';
import { sha256Hex } from '../src/crypto/random.js';
import type { AuthConfig } from '../src/index.js';
import { memoryStorage } from '../src/memory/index.js';
import { fakeClock, type httpClient, ORIGIN, PASSWORD, testAuth, uniqueEmail } from './support.js';

type Client = ReturnType<typeof httpClient>;

function setup(overrides: Partial<AuthConfig> = {}) {
  const clock = fakeClock();
  const storage = memoryStorage();
  const { auth, client, sent } = testAuth({ clock, storage, ...overrides });
  return { auth, client, clock, storage, sent };
}

async function register(
  client: Client,
  cookie: string | null,
  authenticator: SoftAuthenticator,
  name?: string,
) {
  const options = await client.post('/passkeys/registration/options', {}, cookie);
  expect(options.status).toBe(200);
  const response = await authenticator.create(options.body.options);
  const registered = await client.post(
    '/passkeys/registration',
    { response, ...(name ? { name } : {}) },
    cookie,
  );
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  return registered.body as { id: string; name: string };
}

/** A signed-up user with one passkey on `authenticator`. */
async function userWithPasskey(client: Client, authenticator = new SoftAuthenticator({ origin: ORIGIN })) {
  const email = uniqueEmail('passkey');
  const signedUp = await client.signUp(email);
  const passkey = await register(client, signedUp.cookie, authenticator, 'Laptop');
  return { email, authenticator, passkey, cookie: signedUp.cookie, userId: signedUp.body.user.id as string };
}

/** The session token inside a `name=value` cookie pair. */
const tokenOf = (cookie: string | null) => (cookie ?? '').split('=')[1] ?? '';

async function usernamelessOptions(client: Client) {
  const options = await client.post('/passkeys/authentication/options', {});
  expect(options.status).toBe(200);
  return options.body.options;
}

describe('passkey registration and management', () => {
  it('registers several named passkeys, lists, renames and deletes them, each change audited with its outbox event', async () => {
    const { client, storage, auth } = setup();
    const { userId, cookie, authenticator, passkey } = await userWithPasskey(client);

    const options = await client.post('/passkeys/registration/options', {}, cookie);
    expect(options.body.options).toMatchObject({
      rp: { id: 'localhost', name: 'localhost:3000' },
      attestation: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      excludeCredentials: [{ id: authenticator.credentials[0]!.id }],
      timeout: 300_000,
    });
    // 256 bits of challenge; the user handle is the user id, never the email
    expect(Buffer.from(options.body.options.challenge, 'base64url')).toHaveLength(32);
    expect(Buffer.from(options.body.options.user.id, 'base64url').toString()).toBe(userId);
    const second = await client.post(
      '/passkeys/registration',
      { response: await authenticator.create(options.body.options) },
      cookie,
    );
    expect(second.status).toBe(201);
    expect(second.body.name).toBe('Passkey 2');

    const listed = await client.get('/passkeys', cookie);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((p: { name: string }) => p.name)).toEqual(['Laptop', 'Passkey 2']);
    expect(listed.body.items[0]).toEqual({
      id: passkey.id,
      name: 'Laptop',
      deviceType: 'singleDevice',
      backedUp: false,
      transports: ['internal', 'hybrid'],
      createdAt: expect.any(String),
      lastUsedAt: null,
    });
    expect(JSON.stringify(listed.body)).not.toContain('publicKey');

    const renamed = await client.call('PATCH', `/passkeys/${second.body.id}`, {
      body: { name: ' Phone ' },
      cookie,
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Phone');
    const blank = await client.call('PATCH', `/passkeys/${second.body.id}`, { body: { name: '' }, cookie });
    expect(blank.status).toBe(400);

    const deleted = await client.call('DELETE', `/passkeys/${passkey.id}`, { cookie });
    expect(deleted.status).toBe(204);
    expect((await client.get('/passkeys', cookie)).body.items.map((p: { name: string }) => p.name)).toEqual([
      'Phone',
    ]);

    const events = await storage.audit.list(auditChainKey({ userId }), { limit: 50 });
    const actions = events.map((e) => e.action);
    expect(actions.filter((a) => a === 'passkey.registered')).toHaveLength(2);
    expect(actions).toEqual(expect.arrayContaining(['passkey.renamed', 'passkey.deleted']));
    const outbox = await storage.outbox.claimBatch(
      new Date(Date.UTC(2030, 0)),
      100,
      new Date(Date.UTC(2030, 1)),
    );
    expect(outbox.map((e) => e.type)).toEqual(
      expect.arrayContaining(['passkey.registered', 'passkey.renamed', 'passkey.deleted']),
    );
    await auth.close();
  });

  it("cannot rename or delete another user's passkey (404), and needs a session (401)", async () => {
    const { client } = setup();
    const alice = await userWithPasskey(client);
    const bob = await client.signUp(uniqueEmail('bob'));

    const rename = await client.call('PATCH', `/passkeys/${alice.passkey.id}`, {
      body: { name: 'Mine' },
      cookie: bob.cookie,
    });
    expect(rename.status).toBe(404);
    expect(rename.body.code).toBe('not_found');
    const remove = await client.call('DELETE', `/passkeys/${alice.passkey.id}`, { cookie: bob.cookie });
    expect(remove.status).toBe(404);
    expect((await client.get('/passkeys', alice.cookie)).body.items).toHaveLength(1);
    expect((await client.get('/passkeys')).status).toBe(401);
    expect((await client.post('/passkeys/registration/options', {})).status).toBe(401);
  });

  it('needs a recent authentication to delete a passkey (5 min) or register one (15 min)', async () => {
    const { client, clock } = setup();
    const { cookie, passkey, authenticator } = await userWithPasskey(client);
    clock.advance(301);
    const remove = await client.call('DELETE', `/passkeys/${passkey.id}`, { cookie });
    expect(remove.status).toBe(401);
    expect(remove.body.code).toBe('step_up_required');
    expect(remove.headers.get('www-authenticate')).toContain('max_age=300');
    expect((await client.post('/passkeys/registration/options', {}, cookie)).status).toBe(200);
    clock.advance(600);
    const register = await client.post('/passkeys/registration/options', {}, cookie);
    expect(register.body.code).toBe('step_up_required');
    expect(register.headers.get('www-authenticate')).toContain('max_age=900');

    // a passkey step-up renews the session: now both go through
    const options = await client.post('/passkeys/authentication/options', {}, cookie);
    const stepUp = await client.post(
      '/passkeys/authentication',
      { response: await authenticator.get(options.body.options) },
      cookie,
    );
    expect(stepUp.status).toBe(200);
    expect((await client.post('/passkeys/registration/options', {}, cookie)).status).toBe(200);
    expect((await client.call('DELETE', `/passkeys/${passkey.id}`, { cookie })).status).toBe(204);
  });

  it('refuses a registration answered for another session, twice, after expiry, or from a wrong origin or rpID', async () => {
    const { client, clock, storage } = setup();
    const email = uniqueEmail('reg');
    const signedUp = await client.signUp(email);
    const other = await client.post('/login', { email, password: PASSWORD });
    const authenticator = new SoftAuthenticator({ origin: ORIGIN });
    const ask = async () =>
      (await client.post('/passkeys/registration/options', {}, signedUp.cookie)).body.options;

    // bound to the session that asked
    const foreign = await client.post(
      '/passkeys/registration',
      { response: await authenticator.create(await ask()) },
      other.cookie,
    );
    expect(foreign.status).toBe(401);
    expect(foreign.body.code).toBe('passkey_challenge_invalid');

    // wrong origin, wrong rpID: refused by the verification, and the challenge is used up
    const options = await ask();
    const wrongOrigin = await client.post(
      '/passkeys/registration',
      { response: await authenticator.create(options, { origin: 'http://evil.localhost:3000' }) },
      signedUp.cookie,
    );
    expect(wrongOrigin.status).toBe(401);
    expect(wrongOrigin.body).toMatchObject({
      code: 'passkey_verification_failed',
      detail: expect.stringMatching(/origin/),
    });
    const replay = await client.post(
      '/passkeys/registration',
      { response: await authenticator.create(options) },
      signedUp.cookie,
    );
    expect(replay.body.code).toBe('passkey_challenge_invalid');
    const wrongRp = await client.post(
      '/passkeys/registration',
      { response: await authenticator.create(await ask(), { rpID: 'example.com' }) },
      signedUp.cookie,
    );
    expect(wrongRp.body).toMatchObject({
      code: 'passkey_verification_failed',
      detail: expect.stringMatching(/rpID/),
    });
    const wrongType = await client.post(
      '/passkeys/registration',
      { response: await authenticator.create(await ask(), { type: 'webauthn.get' }) },
      signedUp.cookie,
    );
    expect(wrongType.body.code).toBe('passkey_verification_failed');

    const late = await ask();
    clock.advance(301);
    const expired = await client.post(
      '/passkeys/registration',
      { response: await authenticator.create(late) },
      signedUp.cookie,
    );
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('passkey_challenge_invalid');

    // nothing was stored by any of them
    expect(await storage.passkeys.countByUser(signedUp.body.user.id)).toBe(0);
  });

  it('answers malformed responses with 400 or 401 problem+json, never a 500, storing nothing', async () => {
    const { client, storage } = setup();
    const signedUp = await client.signUp(uniqueEmail('garbage'));
    const cookie = signedUp.cookie;
    const authenticator = new SoftAuthenticator({ origin: ORIGIN });
    const good = await authenticator.create(
      (await client.post('/passkeys/registration/options', {}, cookie)).body.options,
    );
    const garbageClientData = Buffer.from('not json').toString('base64url');
    const ask = async () => (await client.post('/passkeys/registration/options', {}, cookie)).body.options;
    const bodies: unknown[] = [
      {},
      { response: 'nope' },
      { response: { ...good, type: 'password' } },
      { response: { ...good, id: 'has spaces!' } },
      { response: { ...good, response: { ...good.response, clientDataJSON: garbageClientData } } },
      { response: { ...good, response: { ...good.response, attestationObject: 'AAAA' } } },
      {
        response: {
          ...(await authenticator.create(await ask())),
          response: { ...good.response, attestationObject: 'oWNmbXRkbm9uZQ' },
        },
      },
      { response: good, name: 'x'.repeat(101) },
    ];
    for (const body of bodies) {
      const res = await client.post('/passkeys/registration', body, cookie);
      expect([400, 401], JSON.stringify(res.body)).toContain(res.status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.code).toMatch(
        /^(invalid_request|passkey_verification_failed|passkey_challenge_invalid)$/,
      );
    }
    const raw = await client.call('POST', '/passkeys/authentication', {
      rawBody: '{"response":',
      cookie: null,
    });
    expect(raw.status).toBe(400);
    expect(raw.body.code).toBe('invalid_json');
    expect(await storage.passkeys.countByUser(signedUp.body.user.id)).toBe(0);
  });
});

describe('passkey sign-in (usernameless)', () => {
  it('signs in with a discoverable passkey and user verification: a new session, amr hwk + mfa', async () => {
    const { client, storage } = setup();
    const { authenticator, userId, passkey } = await userWithPasskey(client);

    const options = await usernamelessOptions(client);
    expect(options.allowCredentials).toBeUndefined();
    expect(options.rpId).toBe('localhost');
    const signedIn = await client.post('/passkeys/authentication', {
      response: await authenticator.get(options),
    });
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body.user.id).toBe(userId);
    expect(signedIn.body.session.amr).toEqual(['hwk', 'mfa']);
    expect(signedIn.body.session.authTime.hwk).toEqual(expect.any(Number));
    expect(signedIn.cookie).not.toBeNull();
    expect((await client.get('/session', signedIn.cookie)).status).toBe(200);
    const [stored] = await storage.passkeys.listByUser(userId);
    expect(stored).toMatchObject({ id: passkey.id, counter: 2, lastUsedAt: expect.any(Date) });
  });

  it('without user verification: amr hwk alone, or the MFA challenge for a user with TOTP', async () => {
    const { client, clock } = setup();
    const authenticator = new SoftAuthenticator({ origin: ORIGIN, userVerified: false });
    const { cookie } = await userWithPasskey(client, authenticator);

    const single = await client.post('/passkeys/authentication', {
      response: await authenticator.get(await usernamelessOptions(client)),
    });
    expect(single.status).toBe(200);
    expect(single.body.session.amr).toEqual(['hwk']);

    const totp = await client.post('/mfa/totp/setup', {}, cookie);
    await client.post(
      '/mfa/totp/confirm',
      { code: totpCodeAt(totp.body.secret, totpStep(clock.now())) },
      cookie,
    );
    clock.advance(30);
    const challenged = await client.post('/passkeys/authentication', {
      response: await authenticator.get(await usernamelessOptions(client)),
    });
    expect(challenged.status).toBe(200);
    // the passkey was the first factor: it cannot also be the second
    expect(challenged.body).toEqual({
      mfaRequired: true,
      challengeId: expect.any(String),
      methods: ['totp', 'recovery_code'],
    });
    expect(challenged.cookie).toBeNull();
    // review regression: the same passkey could answer its own challenge and skip TOTP
    const selfOptions = await client.post('/passkeys/authentication/options', {
      challengeId: challenged.body.challengeId,
    });
    expect([selfOptions.status, selfOptions.body.code]).toEqual([401, 'mfa_challenge_invalid']);
    const selfAnswer = await client.post('/passkeys/authentication', {
      challengeId: challenged.body.challengeId,
      response: await authenticator.get(await usernamelessOptions(client)),
    });
    expect(selfAnswer.status).toBe(401);
    expect(selfAnswer.body.session).toBeUndefined();
    const verified = await client.post('/mfa/verify', {
      challengeId: challenged.body.challengeId,
      method: 'totp',
      code: totpCodeAt(totp.body.secret, totpStep(clock.now())),
    });
    expect(verified.status).toBe(200);
    expect(verified.body.session.amr).toEqual(['hwk', 'otp']);
  });

  it('refuses a replayed response, an expired challenge, an unknown passkey, a wrong origin or rpID', async () => {
    const { client, clock } = setup();
    const { authenticator } = await userWithPasskey(client);

    const response = await authenticator.get(await usernamelessOptions(client));
    expect((await client.post('/passkeys/authentication', { response })).status).toBe(200);
    const replayed = await client.post('/passkeys/authentication', { response });
    expect(replayed.status).toBe(401);
    expect(replayed.body.code).toBe('passkey_challenge_invalid');

    const late = await usernamelessOptions(client);
    clock.advance(301);
    const expired = await client.post('/passkeys/authentication', {
      response: await authenticator.get(late),
    });
    expect(expired.body.code).toBe('passkey_challenge_invalid');

    const stranger = new SoftAuthenticator({ origin: ORIGIN });
    await stranger.create({ rp: { id: 'localhost' }, user: { id: 'eA' }, challenge: 'AA' });
    const unknown = await client.post('/passkeys/authentication', {
      response: await stranger.get(await usernamelessOptions(client)),
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('passkey_unknown');

    const wrongOrigin = await client.post('/passkeys/authentication', {
      response: await authenticator.get(await usernamelessOptions(client), {
        origin: 'https://localhost:3000',
      }),
    });
    expect(wrongOrigin.body).toMatchObject({
      code: 'passkey_verification_failed',
      detail: expect.stringMatching(/origin/),
    });
    const wrongRp = await client.post('/passkeys/authentication', {
      response: await authenticator.get(await usernamelessOptions(client), { rpID: 'evil.test' }),
    });
    expect(wrongRp.body).toMatchObject({
      code: 'passkey_verification_failed',
      detail: expect.stringMatching(/rpID/),
    });
    const tampered = await authenticator.get(await usernamelessOptions(client));
    const badSignature = await client.post('/passkeys/authentication', {
      response: {
        ...tampered,
        response: { ...tampered.response, signature: Buffer.alloc(70, 1).toString('base64url') },
      },
    });
    expect(badSignature.body.code).toBe('passkey_verification_failed');
  });

  it('refuses a signature counter that does not grow (a cloned authenticator), and audits it', async () => {
    const { client, storage } = setup();
    const { authenticator, userId } = await userWithPasskey(client);
    expect(
      (
        await client.post('/passkeys/authentication', {
          response: await authenticator.get(await usernamelessOptions(client)),
        })
      ).status,
    ).toBe(200);

    const clone = await client.post('/passkeys/authentication', {
      response: await authenticator.get(await usernamelessOptions(client), { counter: 2 }),
    });
    expect(clone.status).toBe(401);
    expect(clone.body.code).toBe('passkey_counter_regression');
    expect(clone.cookie).toBeNull();
    const events = await storage.audit.list(auditChainKey({ userId }), { limit: 50 });
    expect(events.map((e) => e.action)).toContain('passkey.counter_regressed');
    // the genuine authenticator goes on
    expect(
      (
        await client.post('/passkeys/authentication', {
          response: await authenticator.get(await usernamelessOptions(client)),
        })
      ).status,
    ).toBe(200);
  });

  it('accepts a synced passkey without a counter again and again', async () => {
    const { client } = setup();
    const { authenticator } = await userWithPasskey(
      client,
      new SoftAuthenticator({ origin: ORIGIN, counts: false }),
    );
    for (let i = 0; i < 3; i++) {
      const res = await client.post('/passkeys/authentication', {
        response: await authenticator.get(await usernamelessOptions(client)),
      });
      expect(res.status).toBe(200);
    }
  });

  it('requires user verification when configured', async () => {
    const { client } = setup({ passkeys: { userVerification: 'required' } });
    const authenticator = new SoftAuthenticator({ origin: ORIGIN });
    await userWithPasskey(client, authenticator);
    const options = await usernamelessOptions(client);
    expect(options.userVerification).toBe('required');
    const res = await client.post('/passkeys/authentication', {
      response: await authenticator.get(options, { userVerified: false }),
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({
      code: 'passkey_verification_failed',
      detail: expect.stringMatching(/verification/),
    });

    const unverified = new SoftAuthenticator({ origin: ORIGIN, userVerified: false });
    const signedUp = await client.signUp(uniqueEmail('uv'));
    const regOptions = await client.post('/passkeys/registration/options', {}, signedUp.cookie);
    const reg = await client.post(
      '/passkeys/registration',
      { response: await unverified.create(regOptions.body.options) },
      signedUp.cookie,
    );
    expect(reg.body.code).toBe('passkey_verification_failed');
  });

  it('refuses a suspended user after the proof, and rate-limits by client', async () => {
    const { client, auth } = setup({ rateLimit: { rules: { signIn: { limit: 3, windowSeconds: 60 } } } });
    const { authenticator, userId } = await userWithPasskey(client);
    await auth.api.suspendUser(userId);
    const suspended = await client.post('/passkeys/authentication', {
      response: await authenticator.get(await usernamelessOptions(client)),
    });
    expect(suspended.status).toBe(403);
    expect(suspended.body.code).toBe('user_suspended');
    let last = suspended;
    // the options route counts on its own key: one set of options, submitted until refused
    const response = await authenticator.get(await usernamelessOptions(client));
    for (let i = 0; i < 3; i++) last = await client.post('/passkeys/authentication', { response });
    expect(last.status).toBe(429);
    expect(last.headers.get('retry-after')).not.toBeNull();
  });
});

describe('passkey as the second factor', () => {
  it('wrong passwords typed for an email do not lock its passkey sign-in out (review regression: one shared budget)', async () => {
    const { client } = setup();
    const authenticator = new SoftAuthenticator({ origin: ORIGIN, userVerified: true });
    const { email } = await userWithPasskey(client, authenticator);
    let locked = false;
    for (let i = 0; i < 12 && !locked; i++) {
      const wrong = await client.post('/login', { email, password: `wrong password ${i}` });
      locked = wrong.body.code === 'account_locked';
    }
    expect(locked).toBe(true);
    const signedIn = await client.post('/passkeys/authentication', {
      response: await authenticator.get(await usernamelessOptions(client)),
    });
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body.session.amr).toEqual(['hwk', 'mfa']);
  });

  it('a password login of a user with only a passkey answers the MFA challenge; the passkey completes it with amr pwd + hwk', async () => {
    const { client } = setup();
    const { email, authenticator, userId } = await userWithPasskey(client);

    const login = await client.post('/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    // the passkey came with recovery codes: they can stand in for it
    expect(login.body).toEqual({
      mfaRequired: true,
      challengeId: expect.any(String),
      methods: ['recovery_code', 'passkey'],
    });
    expect(login.cookie).toBeNull();
    const { challengeId } = login.body;

    const options = await client.post('/passkeys/authentication/options', { challengeId });
    expect(options.status).toBe(200);
    expect(options.body.options.allowCredentials).toEqual([
      { id: authenticator.credentials[0]!.id, type: 'public-key', transports: ['internal', 'hybrid'] },
    ]);
    // a usernameless response is no answer to this challenge, nor the other way round
    const confused = await client.post('/passkeys/authentication', {
      response: await authenticator.get(options.body.options),
    });
    expect(confused.body.code).toBe('passkey_challenge_invalid');

    const again = await client.post('/passkeys/authentication/options', { challengeId });
    const completed = await client.post('/passkeys/authentication', {
      challengeId,
      response: await authenticator.get(again.body.options),
    });
    expect(completed.status, JSON.stringify(completed.body)).toBe(200);
    expect(completed.body.user.id).toBe(userId);
    expect(completed.body.session.amr).toEqual(['pwd', 'hwk']);
    expect(completed.cookie).not.toBeNull();

    // the pending login is single use
    const reuse = await client.post('/passkeys/authentication/options', { challengeId });
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('mfa_challenge_invalid');
  });

  it("offers the passkey next to TOTP, refuses another user's passkey and a challenge of another login", async () => {
    const { client, clock } = setup();
    const alice = await userWithPasskey(client);
    const totp = await client.post('/mfa/totp/setup', {}, alice.cookie);
    await client.post(
      '/mfa/totp/confirm',
      { code: totpCodeAt(totp.body.secret, totpStep(clock.now())) },
      alice.cookie,
    );
    const mallory = await userWithPasskey(client);

    const login = await client.post('/login', { email: alice.email, password: PASSWORD });
    expect(login.body.methods).toEqual(['totp', 'recovery_code', 'passkey']);
    const { challengeId } = login.body;
    const options = await client.post('/passkeys/authentication/options', { challengeId });
    const foreign = await client.post('/passkeys/authentication', {
      challengeId,
      response: await mallory.authenticator.get(options.body.options, {
        credentialId: mallory.authenticator.credentials[0]!.id,
      }),
    });
    expect(foreign.status).toBe(401);
    expect(foreign.body.code).toBe('passkey_unknown');

    const otherLogin = await client.post('/login', { email: alice.email, password: PASSWORD });
    const otherOptions = await client.post('/passkeys/authentication/options', {
      challengeId: otherLogin.body.challengeId,
    });
    const crossed = await client.post('/passkeys/authentication', {
      challengeId,
      response: await alice.authenticator.get(otherOptions.body.options),
    });
    expect(crossed.body.code).toBe('passkey_challenge_invalid');

    const unknownLogin = await client.post('/passkeys/authentication/options', { challengeId: 'nope' });
    expect(unknownLogin.body.code).toBe('mfa_challenge_invalid');
  });

  it('a magic link for a user with a passkey answers the MFA challenge too; the passkey completes it: amr email + hwk', async () => {
    const { client, auth, sent } = setup();
    const { email, authenticator, cookie } = await userWithPasskey(client);
    // a proven address: a magic link's first proof would remove the passkey instead
    await client.post('/email/verification', {}, cookie);
    while ((await auth.outbox.dispatchOnce()) > 0);
    const verification = sent.at(-1)?.text.match(/[?&]token=([A-Za-z0-9_-]+)/)?.[1];
    expect((await client.post('/email/verify', { token: verification }, cookie)).status).toBe(200);
    await client.post('/magic-link', { email });
    while ((await auth.outbox.dispatchOnce()) > 0);
    const token = sent
      .filter((m) => m.to === email)
      .at(-1)
      ?.text.match(/[?&]token=([A-Za-z0-9_-]+)/)?.[1];
    expect(token).toBeDefined();

    const verified = await client.post('/magic-link/verify', { token });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ mfaRequired: true, methods: ['recovery_code', 'passkey'] });
    expect(verified.cookie).toBeNull();
    const { challengeId } = verified.body;
    const options = await client.post('/passkeys/authentication/options', { challengeId });
    const completed = await client.post('/passkeys/authentication', {
      challengeId,
      response: await authenticator.get(options.body.options),
    });
    expect(completed.status).toBe(200);
    expect(completed.body.session.amr).toEqual(['email', 'hwk']);
  });
});

describe('passkey step-up', () => {
  it('renews the current session with a fresh hwk authentication, so a hwk step-up requirement passes', async () => {
    const { client, clock, auth } = setup();
    const { authenticator, cookie } = await userWithPasskey(client);
    clock.advance(3600);
    const before = await auth.api.validateSessionToken(tokenOf(cookie));
    expect(() => auth.api.checkStepUp(before!.session, { maxAgeSeconds: 300, methods: ['hwk'] })).toThrow();

    const options = await client.post('/passkeys/authentication/options', {}, cookie);
    expect(options.body.options.allowCredentials).toHaveLength(1);
    const stepUp = await client.post(
      '/passkeys/authentication',
      { response: await authenticator.get(options.body.options) },
      cookie,
    );
    expect(stepUp.status).toBe(200);
    expect(stepUp.body).toEqual({ session: expect.objectContaining({ current: true }) });
    expect(stepUp.body.session.amr).toEqual(['pwd', 'hwk']);
    expect(stepUp.body.session.authTime.hwk).toBe(Math.floor(clock.now().getTime() / 1000));
    expect(stepUp.cookie).toBeNull(); // the same session, no new cookie

    const after = await auth.api.validateSessionToken(tokenOf(cookie));
    expect(() =>
      auth.api.checkStepUp(after!.session, { maxAgeSeconds: 300, methods: ['hwk'] }),
    ).not.toThrow();
  });

  it('refuses a step-up challenge answered in another session, and a session without passkeys', async () => {
    const { client } = setup();
    const { email, authenticator, cookie } = await userWithPasskey(client);
    const login = await client.post('/login', { email, password: PASSWORD });
    // second session of the same user: finish its login first
    const otherOptions = await client.post('/passkeys/authentication/options', {
      challengeId: login.body.challengeId,
    });
    const other = await client.post('/passkeys/authentication', {
      challengeId: login.body.challengeId,
      response: await authenticator.get(otherOptions.body.options),
    });
    const options = await client.post('/passkeys/authentication/options', {}, cookie);
    const crossed = await client.post(
      '/passkeys/authentication',
      { response: await authenticator.get(options.body.options) },
      other.cookie,
    );
    expect(crossed.status).toBe(401);
    expect(crossed.body.code).toBe('passkey_challenge_invalid');

    const plain = await client.signUp(uniqueEmail('plain'));
    const none = await client.post('/passkeys/authentication/options', {}, plain.cookie);
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('passkey_unknown');
  });

  it('takes a challenge once under concurrency: of 10 parallel submissions exactly one signs in', async () => {
    const { client } = setup();
    const { authenticator } = await userWithPasskey(client);
    const response = await authenticator.get(await usernamelessOptions(client));
    const results = await Promise.all(
      Array.from({ length: 10 }, () => client.post('/passkeys/authentication', { response })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.body?.code === 'passkey_challenge_invalid')).toHaveLength(9);
  });
});

describe('passkeys config', () => {
  it('fails fast on an origin outside the rpID and on a timeout over 300 s', () => {
    expect(() => testAuth({ passkeys: { rpID: 'example.com', origins: ['https://evil.test'] } })).toThrow(
      /not on rpID/,
    );
    expect(() => testAuth({ passkeys: { timeoutSeconds: 301 } })).toThrow(/timeoutSeconds/);
    expect(() => testAuth({ passkeys: { rpID: 'https://example.com' } })).toThrow(/rpID/);
    const { auth } = testAuth({ passkeys: { rpID: 'localhost', origins: ['http://app.localhost:3000'] } });
    expect(auth.config.passkeys).toMatchObject({ rpID: 'localhost', origins: ['http://app.localhost:3000'] });
  });

  it('stores no credential id in clear as a lookup key: the index is its SHA-256', async () => {
    const { client, storage } = setup();
    const { authenticator, userId } = await userWithPasskey(client);
    const [stored] = await storage.passkeys.listByUser(userId);
    expect(stored!.credentialIdHash).toBe(sha256Hex(authenticator.credentials[0]!.id));
  });
});
