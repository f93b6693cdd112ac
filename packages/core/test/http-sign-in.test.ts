import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInThroughProvider,
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../../../test-support/oidc-identity-provider.js';
import { SoftAuthenticator } from '../../../test-support/soft-authenticator.js';
import { totpCodeAt, totpStep } from '../src/credentials/totp/totp-code.js';
import { type Auth, oidcProvider, type Storage } from '../src/index.js';
import { memoryStorage } from '../src/memory/index.js';
import { fakeClock, type httpClient, ORIGIN, PASSWORD, testAuth, uniqueEmail } from './support.js';

type Client = ReturnType<typeof httpClient>;
type Clock = ReturnType<typeof fakeClock>;

const CALLBACK = `${ORIGIN}/auth/oauth/acme/callback`;

let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await startTestIdentityProvider({ redirectUris: [CALLBACK] });
});
afterAll(async () => {
  await idp?.close();
});

/**
 * Memory storage whose read that decides a sign-in's second factor (`signIn.findSecondFactors`)
 * can be raced: once armed for a user, the user's authenticator and recovery codes (what
 * `DELETE /mfa/totp` removes) are deleted just before or just after that read.
 */
function raceableStorage() {
  const inner = memoryStorage();
  let race: { userId: string; when: 'before' | 'after' } | null = null;
  async function removeTotp(userId: string) {
    await inner.mfa.deleteTotp(userId);
    await inner.mfa.deleteRecoveryCodes(userId);
  }
  const storage: Storage = {
    ...inner,
    signIn: {
      ...inner.signIn,
      async findSecondFactors(userId) {
        const armed = race?.userId === userId ? race : null;
        if (armed) race = null;
        if (armed?.when === 'before') await removeTotp(userId);
        const factors = await inner.signIn.findSecondFactors(userId);
        if (armed?.when === 'after') await removeTotp(userId);
        return factors;
      },
    },
  };
  return {
    storage,
    arm: (userId: string, when: 'before' | 'after') => {
      race = { userId, when };
    },
    /** Whether the armed race is still waiting for its read. */
    pending: () => race !== null,
  };
}

/** How a first factor's request ended, whatever the route's shape. */
type Outcome =
  | { kind: 'session'; amr: string[] }
  | { kind: 'mfa_required'; challengeId: string; methods: string[] }
  | { kind: 'error'; status: number; code: string };

interface World {
  auth: Auth;
  client: Client;
  clock: Clock;
  deliverMail(): Promise<void>;
  sent: { to: string; text: string }[];
}

/** A user who signs in with one first factor and has a confirmed authenticator. */
interface Enrolled {
  userId: string;
  secret: string;
  recoveryCodes: string[];
  /** Proves the first factor once, over HTTP, and reports how the sign-in ended. */
  signIn(): Promise<Outcome>;
}

async function sessionOutcome(client: Client, cookie: string | null): Promise<Outcome> {
  const session = await client.get('/session', cookie);
  if (session.status !== 200) return { kind: 'error', status: session.status, code: 'no_session' };
  return { kind: 'session', amr: session.body.session.amr };
}

/** The answer of `POST /login`, `/magic-link/verify` or `/passkeys/authentication`. */
async function jsonOutcome(client: Client, res: Awaited<ReturnType<Client['post']>>): Promise<Outcome> {
  if (res.status !== 200) return { kind: 'error', status: res.status, code: res.body.code };
  if (res.body.mfaRequired) {
    return { kind: 'mfa_required', challengeId: res.body.challengeId, methods: res.body.methods };
  }
  return sessionOutcome(client, res.cookie);
}

async function enableTotp(world: World, cookie: string | null) {
  const setup = await world.client.post('/mfa/totp/setup', {}, cookie);
  const secret = setup.body.secret as string;
  const confirmed = await world.client.post(
    '/mfa/totp/confirm',
    { code: totpCodeAt(secret, totpStep(world.clock.now())) },
    cookie,
  );
  expect(confirmed.status).toBe(200);
  const userId = (await world.client.get('/session', cookie)).body.user.id as string;
  return { userId, secret, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}

const FIRST_FACTORS: { name: string; amr: string; enrol(world: World): Promise<Enrolled> }[] = [
  {
    name: 'password',
    amr: 'pwd',
    async enrol(world) {
      const email = uniqueEmail('race-password');
      const { cookie } = await world.client.signUp(email);
      return {
        ...(await enableTotp(world, cookie)),
        signIn: async () =>
          jsonOutcome(world.client, await world.client.post('/login', { email, password: PASSWORD })),
      };
    },
  },
  {
    name: 'magic link',
    amr: 'email',
    async enrol(world) {
      const email = uniqueEmail('race-magic');
      const { cookie } = await world.client.signUp(email);
      // a proven address: a magic link's first proof would remove the factor instead
      expect((await world.client.post('/email/verification', {}, cookie)).status).toBe(202);
      await world.deliverMail();
      const verification = world.sent.at(-1)?.text.match(/[?&]token=([A-Za-z0-9_-]+)/)?.[1];
      expect((await world.client.post('/email/verify', { token: verification }, cookie)).status).toBe(200);
      return {
        ...(await enableTotp(world, cookie)),
        async signIn() {
          expect((await world.client.post('/magic-link', { email })).status).toBe(202);
          await world.deliverMail();
          const token = world.sent
            .filter((m) => m.to === email)
            .at(-1)
            ?.text.match(/[?&]token=([A-Za-z0-9_-]+)/)?.[1];
          return jsonOutcome(world.client, await world.client.post('/magic-link/verify', { token }));
        },
      };
    },
  },
  {
    name: 'passkey (without user verification)',
    amr: 'hwk',
    async enrol(world) {
      const { client } = world;
      const authenticator = new SoftAuthenticator({ origin: ORIGIN, userVerified: false });
      const { cookie } = await client.signUp(uniqueEmail('race-passkey'));
      const options = await client.post('/passkeys/registration/options', {}, cookie);
      const registered = await client.post(
        '/passkeys/registration',
        { response: await authenticator.create(options.body.options) },
        cookie,
      );
      expect(registered.status).toBe(201);
      return {
        ...(await enableTotp(world, cookie)),
        async signIn() {
          const challenge = await client.post('/passkeys/authentication/options', {});
          const response = await authenticator.get(challenge.body.options);
          return jsonOutcome(client, await client.post('/passkeys/authentication', { response }));
        },
      };
    },
  },
  {
    name: 'OAuth (OIDC provider)',
    amr: 'fed',
    async enrol(world) {
      const person = { sub: `sub-${uniqueEmail()}`, email: uniqueEmail('race-oauth'), emailVerified: true };
      const first = await signInWithProvider(world.auth, person);
      return {
        ...(await enableTotp(world, first.cookie)),
        async signIn() {
          const { response, cookie } = await signInWithProvider(world.auth, person);
          if (response.status !== 302) {
            return { kind: 'error', status: response.status, code: (await response.json()).code };
          }
          const fragment = new URLSearchParams(response.headers.get('location')?.split('#')[1] ?? '');
          const challengeId = fragment.get('mfa_challenge');
          if (challengeId) {
            return { kind: 'mfa_required', challengeId, methods: fragment.get('methods')!.split(',') };
          }
          return sessionOutcome(world.client, cookie);
        },
      };
    },
  },
];

/** The provider's whole flow in a fresh browser: the app's answer to the callback and its session cookie. */
function signInWithProvider(auth: Auth, person: { sub: string; email: string; emailVerified: boolean }) {
  return signInThroughProvider(auth, idp, person, { appOrigin: ORIGIN });
}

function setup() {
  const clock = fakeClock(Date.now());
  const raced = raceableStorage();
  const { auth, client, sent } = testAuth({
    clock,
    storage: raced.storage,
    oauth: {
      providers: {
        acme: oidcProvider({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }),
      },
    },
  });
  const world: World = {
    auth,
    client,
    clock,
    sent,
    async deliverMail() {
      while ((await auth.outbox.dispatchOnce()) > 0);
    },
  };
  return { world, ...raced };
}

// Regression: "a first factor was proven: open a session or ask for a second factor" was written
// four times and had drifted. With the authenticator removed between the check and the challenge,
// password and OAuth opened a session, a magic link was spent and answered mfa_challenge_invalid,
// and a passkey answered differently again. One finisher now decides from one read, for all four.
describe.each(FIRST_FACTORS)('a second factor removed mid sign-in: $name', ({ amr, enrol }) => {
  it('removed just after the read that decides: mfaRequired as read; the removed factor then fails, and a new sign-in gets a session', async () => {
    const { world, arm, pending } = setup();
    const user = await enrol(world);
    world.clock.advance(30); // past the step the confirming code used

    arm(user.userId, 'after');
    const outcome = await user.signIn();

    expect(pending()).toBe(false);
    expect(outcome).toEqual({
      kind: 'mfa_required',
      challengeId: expect.any(String),
      methods: ['totp', 'recovery_code'],
    });
    if (outcome.kind !== 'mfa_required') return;
    for (const [method, code] of [
      ['totp', totpCodeAt(user.secret, totpStep(world.clock.now()))],
      ['recovery_code', user.recoveryCodes[0]],
    ]) {
      const verified = await world.client.post('/mfa/verify', {
        challengeId: outcome.challengeId,
        method,
        code,
      });
      expect([verified.status, verified.body.code]).toEqual([401, 'invalid_mfa_code']);
    }
    expect(await user.signIn()).toEqual({ kind: 'session', amr: [amr] });
    await world.auth.close();
  });

  it('removed just before the read that decides: a session, as for an account without one', async () => {
    const { world, arm, pending } = setup();
    const user = await enrol(world);
    world.clock.advance(30);

    arm(user.userId, 'before');
    const outcome = await user.signIn();

    expect(pending()).toBe(false);
    expect(outcome).toEqual({ kind: 'session', amr: [amr] });
    await world.auth.close();
  });
});
