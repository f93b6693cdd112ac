import { describe, expect, it, vi } from 'vitest';
import { SoftAuthenticator } from '../../../test-support/soft-authenticator.js';
import { memoryKeyValue } from '../src/memory/index.js';
import { fakeClock, ORIGIN, PASSWORD, testAuth, uniqueEmail } from './support.js';

// the real argon2 functions, observed: every verification the sign-in path makes is counted
const argon2 = vi.hoisted(() => ({ verifyCalls: 0 }));
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  return {
    ...real,
    verify: (...args: Parameters<typeof real.verify>) => {
      argon2.verifyCalls++;
      return real.verify(...args);
    },
  };
});

async function verificationsDuring(action: () => Promise<unknown>): Promise<number> {
  const before = argon2.verifyCalls;
  await action();
  return argon2.verifyCalls - before;
}

describe('sign-in costs one argon2 verification whether or not the account exists', () => {
  it('verifies against a dummy hash for an unknown email, a passwordless account and an unknown tenant', async () => {
    const { client, auth } = testAuth({ rateLimit: { enabled: false } });
    const email = uniqueEmail();
    await client.signUp(email);
    const passwordless = await auth.api.createUser({ email: uniqueEmail('nopassword') });

    const wrong = { password: 'not the password at all' };
    expect(await verificationsDuring(() => client.post('/login', { email, ...wrong }))).toBe(1);
    expect(
      await verificationsDuring(() => client.post('/login', { email: uniqueEmail('ghost'), ...wrong })),
    ).toBe(1);
    expect(
      await verificationsDuring(() => client.post('/login', { email: passwordless.email, ...wrong })),
    ).toBe(1);
    expect(
      await verificationsDuring(() => client.post('/login', { email, tenant: 'no-such-tenant', ...wrong })),
    ).toBe(1);
  });
});

describe("the host's password blocklist (password.isBlocked)", () => {
  it('is asked, with the NFKC-normalized password, at sign-up, password change and reset', async () => {
    const asked: string[] = [];
    const isBlocked = async (password: string) => {
      asked.push(password);
      return password.includes('acme');
    };
    const { client, auth, sent } = testAuth({
      password: { isBlocked },
      emailLinks: { resetPasswordUrl: 'https://app.example.com/reset' },
    });
    const email = uniqueEmail();

    const refused = await client.post('/signup', { email, password: 'ﬁne acme passphrase here' });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('password_too_common');
    expect(asked).toContain('fine acme passphrase here');

    const { cookie } = await client.signUp(email);
    const change = await client.post(
      '/password/change',
      { currentPassword: PASSWORD, newPassword: 'another acme passphrase' },
      cookie,
    );
    expect(change.status).toBe(400);
    expect(change.body.code).toBe('password_too_common');

    await client.post('/password/forgot', { email });
    while ((await auth.outbox.dispatchOnce()) > 0);
    const token = sent.at(-1)?.text.match(/[?&]token=([A-Za-z0-9_-]+)/)?.[1];
    const reset = await client.post('/password/reset', { token, password: 'a reset acme passphrase' });
    expect(reset.status).toBe(400);
    expect(reset.body.code).toBe('password_too_common');
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(200);
  });
});

describe('passkey challenges expire on the issuing clock, not only by the key-value TTL', () => {
  it('refuses a response to a challenge older than passkeys.timeoutSeconds that the store still holds', async () => {
    const clock = fakeClock();
    // the key-value store runs on its own clock (Redis's, in whole seconds): it has not expired the challenge
    const { client } = testAuth({ clock, keyValue: memoryKeyValue() });
    const authenticator = new SoftAuthenticator({ origin: ORIGIN, userVerified: true });
    const { cookie } = await client.signUp(uniqueEmail('passkey'));
    const registration = await client.post('/passkeys/registration/options', {}, cookie);
    const registered = await client.post(
      '/passkeys/registration',
      { response: await authenticator.create(registration.body.options) },
      cookie,
    );
    expect(registered.status).toBe(201);

    const options = (await client.post('/passkeys/authentication/options', {})).body.options;
    clock.advance(301);
    const late = await client.post('/passkeys/authentication', {
      response: await authenticator.get(options),
    });
    expect(late.status).toBe(401);
    expect(late.body.code).toBe('passkey_challenge_invalid');

    const fresh = (await client.post('/passkeys/authentication/options', {})).body.options;
    expect(
      (await client.post('/passkeys/authentication', { response: await authenticator.get(fresh) })).status,
    ).toBe(200);
  });
});
