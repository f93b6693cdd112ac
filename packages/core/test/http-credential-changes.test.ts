import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type IdpAccount,
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../../../test-support/oidc-identity-provider.js';
import { SoftAuthenticator } from '../../../test-support/soft-authenticator.js';
import { totpCodeAt, totpStep } from '../src/credentials/totp/totp-code.js';
import { type AuthConfig, oidcProvider } from '../src/index.js';
import { memoryStorage } from '../src/memory/index.js';
import type { MailMessage } from '../src/ports/mailer.js';
import { CREDENTIAL_CHANGES, type CredentialChange } from '../src/sessions/index.js';
import { fakeClock, ORIGIN, PASSWORD, type TestResponse, testAuth, uniqueEmail } from './support.js';

// Every credential change needs a recent authentication, by the one table in
// sessions/credential-changes.ts, and tells the owner by mail. These tests walk that table: a case
// per change, typed by the table's keys, so a change added there without a case here fails the
// type check (and the first test below at run time).

const APP_NAME = 'Acme';
const NEW_PASSWORD = 'a brand new passphrase for this account';
const CALLBACK = `${ORIGIN}/auth/oauth/acme/callback`;

let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await startTestIdentityProvider({ redirectUris: [CALLBACK] });
});
afterAll(async () => {
  await idp?.close();
});

/** One signed-up user, signed in on one browser, on an instance whose clock the test moves. */
async function world(overrides: Partial<AuthConfig> = {}) {
  // the identity provider signs ID tokens with the real time: the fake clock starts there
  const clock = fakeClock(Date.now());
  const storage = memoryStorage();
  const { auth, client, sent } = testAuth({
    clock,
    storage,
    emailLinks: { appName: APP_NAME },
    oauth: {
      providers: {
        acme: oidcProvider({
          issuer: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
          name: 'Acme SSO',
        }),
      },
    },
    ...overrides,
  });
  const email = uniqueEmail('owner');
  const signedUp = await client.signUp(email);
  return {
    auth,
    client,
    clock,
    storage,
    sent,
    email,
    userId: signedUp.body.user.id as string,
    cookie: signedUp.cookie,
    authenticator: new SoftAuthenticator({ origin: ORIGIN }),
    /** What earlier steps made: a TOTP secret, a passkey id, a provider account id. */
    made: {} as { totpSecret?: string; passkeyId?: string; accountId?: string },
    /** Everything a response of a change answered: none of it may appear in a mail. */
    answered: [] as unknown[],
    /** Delivers the outbox and answers the mails sent to the owner. */
    async mails(): Promise<MailMessage[]> {
      while ((await auth.outbox.dispatchOnce()) > 0);
      return sent.filter((m) => m.to === email);
    },
  };
}
type World = Awaited<ReturnType<typeof world>>;

/** The current code of the world's pending or confirmed authenticator. */
const currentCode = (w: World) => totpCodeAt(w.made.totpSecret!, totpStep(w.clock.now()));

/** `intent=link` in the world's browser, through the provider, back to the callback. */
async function linkProvider(w: World, person: IdpAccount): Promise<TestResponse> {
  const idpCookies = new Map<string, string>();
  let appCookies = w.cookie ?? '';
  const app = async (url: string) =>
    w.auth.handler(new Request(url, { headers: { cookie: appCookies } }), { clientIp: '127.0.0.1' });
  const started = await app(`${ORIGIN}/auth/oauth/acme?intent=link`);
  if (started.status !== 302) return asTestResponse(started);
  // the flow's binding cookie goes with the session cookie to the callback
  appCookies = [appCookies, ...started.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
  idp.loginAs(person);
  let next = started.headers.get('location')!;
  while (!next.startsWith(CALLBACK)) {
    const cookie = [...idpCookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(next, { headers: { cookie }, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      idpCookies.set(pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1));
    }
    next = new URL(response.headers.get('location')!, next).href;
  }
  return asTestResponse(await app(next));
}

async function asTestResponse(response: Response): Promise<TestResponse> {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : null,
    cookie: null,
  };
}

interface Case {
  /** Brings the account to where the change can be made, while the session is fresh. */
  prepare?(w: World): Promise<void>;
  /** Makes the change over HTTP: the first response that is not a success, or the last. */
  change(w: World): Promise<TestResponse>;
  /** The status of a success. */
  ok: number;
}

const setUpTotp: Case['change'] = async (w) => {
  const res = await w.client.post('/mfa/totp/setup', {}, w.cookie);
  if (res.status === 200) w.made.totpSecret = res.body.secret;
  return res;
};
const confirmTotp: Case['change'] = (w) =>
  w.client.post('/mfa/totp/confirm', { code: currentCode(w) }, w.cookie);

async function registerPasskey(w: World): Promise<TestResponse> {
  const options = await w.client.post('/passkeys/registration/options', {}, w.cookie);
  if (options.status !== 200) return options;
  const response = await w.authenticator.create(options.body.options);
  const registered = await w.client.post('/passkeys/registration', { response, name: 'Laptop' }, w.cookie);
  if (registered.status === 201) w.made.passkeyId = registered.body.id;
  return registered;
}

async function linkAnAccount(w: World): Promise<TestResponse> {
  const person: IdpAccount = { sub: `sub-${w.userId}`, email: `elsewhere-${w.email}`, emailVerified: true };
  const linked = await linkProvider(w, person);
  if (linked.status === 302) {
    w.made.accountId = (await w.auth.api.listOAuthAccounts(w.userId))[0]?.id;
  }
  return linked;
}

async function prepareTotp(w: World) {
  await setUpTotp(w);
  expect((await confirmTotp(w)).status).toBe(200);
}

const CASES: { [K in CredentialChange]: Case } = {
  'totp.setup': { change: setUpTotp, ok: 200 },
  'totp.confirm': {
    prepare: async (w) => void (await setUpTotp(w)),
    change: confirmTotp,
    ok: 200,
  },
  'totp.disable': {
    prepare: prepareTotp,
    change: (w) => w.client.call('DELETE', '/mfa/totp', { cookie: w.cookie }),
    ok: 204,
  },
  'recovery_codes.regenerate': {
    prepare: prepareTotp,
    change: (w) => w.client.post('/mfa/recovery-codes', {}, w.cookie),
    ok: 200,
  },
  'passkey.register': { change: registerPasskey, ok: 201 },
  'passkey.delete': {
    prepare: async (w) => expect((await registerPasskey(w)).status).toBe(201),
    change: (w) => w.client.call('DELETE', `/passkeys/${w.made.passkeyId}`, { cookie: w.cookie }),
    ok: 204,
  },
  'oauth.link': { change: linkAnAccount, ok: 302 },
  'oauth.unlink': {
    prepare: async (w) => expect((await linkAnAccount(w)).status).toBe(302),
    change: (w) => w.client.call('DELETE', `/oauth/accounts/${w.made.accountId}`, { cookie: w.cookie }),
    ok: 204,
  },
  'password.change': {
    change: (w) =>
      w.client.post('/password/change', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, w.cookie),
    ok: 200,
  },
};

const CHANGES = Object.keys(CREDENTIAL_CHANGES) as CredentialChange[];

/** The mails to the owner that tell of `change`. */
const noticesOf = (mails: MailMessage[], change: CredentialChange) =>
  mails.filter((m) => m.text.includes(CREDENTIAL_CHANGES[change].notice));

/** Every string in a response body (secrets among them), long enough to mean something. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return value.length >= 6 ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

describe('credential changes need a recent authentication (the table in sessions/credential-changes.ts)', () => {
  it('has a case here for every change in the table, and no other', () => {
    expect(Object.keys(CASES).sort()).toEqual([...CHANGES].sort());
  });

  for (const change of CHANGES) {
    const { maxAgeSeconds } = CREDENTIAL_CHANGES[change];
    const { prepare, change: make, ok } = CASES[change];

    it(`${change}: a session authenticated ${maxAgeSeconds} s ago may make it, and the owner is mailed`, async () => {
      const w = await world();
      await prepare?.(w);
      w.clock.advance(maxAgeSeconds);

      const made = await make(w);

      expect(made.status, JSON.stringify(made.body)).toBe(ok);
      const notices = noticesOf(await w.mails(), change);
      expect(notices).toHaveLength(1);
      const [notice] = notices;
      expect(notice!.subject).toBe(`${APP_NAME}: your sign-in settings changed`);
      expect(notice!.html).toContain(CREDENTIAL_CHANGES[change].notice);
      // no secret of the change (a TOTP secret, recovery codes, a password, ids) is in the mail
      // (the passkey's name, which the owner chose, is the one detail a mail names)
      const secrets = [...stringsIn(made.body), w.made.totpSecret, PASSWORD, NEW_PASSWORD].filter(
        (s): s is string =>
          typeof s === 'string' && s.length >= 6 && s !== 'Laptop' && !notice!.to.includes(s),
      );
      for (const secret of secrets) {
        expect(`${notice!.subject}\n${notice!.text}\n${notice!.html}`).not.toContain(secret);
      }
    });

    it(`${change}: a session authenticated ${maxAgeSeconds + 1} s ago is refused with step_up_required until POST /reauthenticate`, async () => {
      const w = await world();
      await prepare?.(w);
      w.clock.advance(maxAgeSeconds + 1);

      const refused = await make(w);

      expect(refused.status, JSON.stringify(refused.body)).toBe(401);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ code: 'step_up_required', maxAgeSeconds });
      expect(refused.headers.get('www-authenticate')).toContain(`max_age=${maxAgeSeconds}`);
      expect(noticesOf(await w.mails(), change)).toEqual([]);

      expect((await w.client.post('/reauthenticate', { password: PASSWORD }, w.cookie)).status).toBe(200);
      const made = await make(w);
      expect(made.status, JSON.stringify(made.body)).toBe(ok);
      expect(noticesOf(await w.mails(), change)).toHaveLength(1);
    });
  }

  it('passkey.register: checks the age again when the registration comes back, not only at the options', async () => {
    const w = await world();
    const { maxAgeSeconds } = CREDENTIAL_CHANGES['passkey.register'];
    w.clock.advance(maxAgeSeconds - 10);
    const options = await w.client.post('/passkeys/registration/options', {}, w.cookie);
    expect(options.status).toBe(200);
    const response = await w.authenticator.create(options.body.options);
    w.clock.advance(20); // the challenge still lives; the authentication is too old now

    const refused = await w.client.post('/passkeys/registration', { response }, w.cookie);

    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('step_up_required');
    expect(await w.auth.api.listPasskeys(w.userId)).toEqual([]);
  });

  it('regression: a two-hour-old session could set up and confirm its own TOTP and lock the owner out', async () => {
    const w = await world();
    w.clock.advance(2 * 3600);

    const setup = await w.client.post('/mfa/totp/setup', {}, w.cookie);

    expect(setup.status).toBe(401);
    expect(setup.body.code).toBe('step_up_required');
    expect(await w.storage.mfa.findTotp(w.userId)).toBeNull();
    // a secret set up while fresh cannot be confirmed two hours later either
    expect((await w.client.post('/reauthenticate', { password: PASSWORD }, w.cookie)).status).toBe(200);
    w.made.totpSecret = (await w.client.post('/mfa/totp/setup', {}, w.cookie)).body.secret;
    w.clock.advance(2 * 3600);
    const confirm = await w.client.post('/mfa/totp/confirm', { code: currentCode(w) }, w.cookie);
    expect(confirm.status).toBe(401);
    expect(confirm.body.code).toBe('step_up_required');
    expect((await w.auth.api.getMfaStatus(w.userId)).totpEnabled).toBe(false);
    // the owner still signs in with the password alone
    const login = await w.client.post('/login', { email: w.email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.mfaRequired).toBeUndefined();
  });
});

describe('recovery codes come with the first second factor of any kind', () => {
  it('regression: a user whose only second factor is a passkey got no recovery codes', async () => {
    const w = await world();

    const registered = await registerPasskey(w);

    expect(registered.status).toBe(201);
    const codes = registered.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(await w.auth.api.getMfaStatus(w.userId)).toEqual({
      totpEnabled: false,
      recoveryCodesRemaining: 10,
    });
    // shown once: a second passkey comes without codes, and the list shows none
    expect((await registerPasskey(w)).body.recoveryCodes).toBeUndefined();
    expect(JSON.stringify((await w.client.get('/passkeys', w.cookie)).body)).not.toContain(codes[0]!);

    // the day the passkey is lost: a password sign-in offers the codes, and one completes it
    const login = await w.client.post('/login', { email: w.email, password: PASSWORD });
    expect(login.body).toMatchObject({ mfaRequired: true, methods: ['recovery_code', 'passkey'] });
    const verified = await w.client.post('/mfa/verify', {
      challengeId: login.body.challengeId,
      method: 'recovery_code',
      code: codes[0],
    });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body.session.amr).toEqual(['pwd', 'otp']);
  });

  it('a user with TOTP gets no second set with a passkey; the codes stay while a second factor is left', async () => {
    const w = await world();
    await prepareTotp(w);

    const registered = await registerPasskey(w);
    expect(registered.body.recoveryCodes).toBeUndefined();
    expect((await w.auth.api.getMfaStatus(w.userId)).recoveryCodesRemaining).toBe(10);

    // TOTP off: the passkey is left, and so are the codes
    expect((await w.client.call('DELETE', '/mfa/totp', { cookie: w.cookie })).status).toBe(204);
    expect(await w.auth.api.getMfaStatus(w.userId)).toEqual({
      totpEnabled: false,
      recoveryCodesRemaining: 10,
    });
    const regenerated = await w.client.post('/mfa/recovery-codes', {}, w.cookie);
    expect(regenerated.status).toBe(200);
    expect(regenerated.body.recoveryCodes).toHaveLength(10);

    // the last second factor goes: the codes go with it, and a password signs in alone again
    expect(
      (await w.client.call('DELETE', `/passkeys/${w.made.passkeyId}`, { cookie: w.cookie })).status,
    ).toBe(204);
    expect(await w.storage.mfa.countUnusedRecoveryCodes(w.userId)).toBe(0);
    const login = await w.client.post('/login', { email: w.email, password: PASSWORD });
    expect(login.body.mfaRequired).toBeUndefined();
    expect((await w.client.post('/mfa/recovery-codes', {}, w.cookie)).body.code).toBe('mfa_not_enabled');
  });

  it('a passkey sign-in without user verification is not asked for a recovery code alone', async () => {
    const w = await world();
    const authenticator = new SoftAuthenticator({ origin: ORIGIN, userVerified: false });
    w.authenticator = authenticator;
    expect((await registerPasskey(w)).body.recoveryCodes).toHaveLength(10);
    const options = await w.client.post('/passkeys/authentication/options', {});

    const signedIn = await w.client.post('/passkeys/authentication', {
      response: await authenticator.get(options.body.options),
    });

    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body.session.amr).toEqual(['hwk']);
  });
});

describe('totp.issuer', () => {
  const issuerOf = (uri: string) => new URL(uri).searchParams.get('issuer');

  it('names the app in the otpauth URI: totp.issuer, else emailLinks.appName, else the hostname', async () => {
    const named = await world({ totp: { issuer: 'Acme Cloud' } });
    const setup = await named.client.post('/mfa/totp/setup', {}, named.cookie);
    expect(issuerOf(setup.body.otpauthUri)).toBe('Acme Cloud');
    expect(setup.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Acme%20Cloud:/);

    const byAppName = await world();
    const fromApp = await byAppName.client.post('/mfa/totp/setup', {}, byAppName.cookie);
    expect(issuerOf(fromApp.body.otpauthUri)).toBe(APP_NAME);

    const unnamed = await world({ emailLinks: {} });
    const fromHost = await unnamed.client.post('/mfa/totp/setup', {}, unnamed.cookie);
    // the hostname, not the host: a port's ":" would split the URI's label
    expect(issuerOf(fromHost.body.otpauthUri)).toBe('localhost');
  });

  it('refuses an issuer with ":" or a control character at start', () => {
    for (const issuer of ['Acme:Cloud', 'Acme\nCloud', '']) {
      expect(() => testAuth({ totp: { issuer } })).toThrow(
        expect.objectContaining({ code: 'config_invalid' }),
      );
    }
  });
});
