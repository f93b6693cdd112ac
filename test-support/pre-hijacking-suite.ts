import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import {
  type Auth,
  createAuth,
  type MailMessage,
  type OutboxEvent,
  oidcProvider,
  type Storage,
  silentLogger,
} from '@portcullis/core';
import { type StorageConformanceOptions, testClock } from '@portcullis/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInThroughProvider,
  startTestIdentityProvider,
  type TestIdentityProvider,
} from './oidc-identity-provider.js';

const ORIGIN = 'http://localhost:3000';
const CALLBACK = `${ORIGIN}/auth/oauth/acme/callback`;
const SQUATTER_PASSWORD = 'the squatter chose this passphrase';
const OWNER_PASSWORD = 'the owner chose this other passphrase';
const LIMITS = { limit: 10_000, windowSeconds: 60 };

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  body: any;
  cookie: string | null;
}

/** What the squatter set up under the owner's address before the owner came. */
interface Squat {
  email: string;
  userId: string;
  cookie: string;
  passkeyId: string;
  oauthSubject: string;
  tenantId: string;
}

/**
 * Account pre-hijacking (issue 14, Security 1), through real HTTP (`auth.handler`) on a real
 * database: a squatter signs up with the owner's address, sets a password, TOTP (with recovery
 * codes), a passkey and a provider account of their own, and creates a tenant; the owner then
 * proves the address — by a magic link, the verification link, a password reset or a provider
 * that vouches for it — and the squatter's session, password and factors must be gone, with a
 * `user.email_claimed` audit entry and outbox event. Also: an email invitation is not accepted
 * by an account whose matching address is unproven.
 *
 * @example
 * describePreHijackingOnStorage(`kysely + ${database.name}`, kyselyConformance(database))
 */
export function describePreHijackingOnStorage(name: string, options: StorageConformanceOptions): void {
  describe(`account pre-hijacking on ${name}`, () => {
    let idp: TestIdentityProvider;
    let storage: Storage;
    let auth: Auth;
    const sent: MailMessage[] = [];
    const events: OutboxEvent[] = [];
    // TOTP codes follow this clock; it starts now so the identity provider's tokens stay valid
    const clock = testClock(new Date());

    beforeAll(async () => {
      idp = await startTestIdentityProvider({ redirectUris: [CALLBACK] });
      storage = await options.create();
      auth = createAuth({
        storage,
        clock,
        secret: 'test-secret-0123456789-abcdefghijklmnop',
        baseURL: ORIGIN,
        logger: silentLogger,
        mailer: { send: async (message) => void sent.push(message) },
        outbox: { autoStart: false, subscribers: [{ name: 'capture', handle: (e) => void events.push(e) }] },
        rateLimit: { rules: { signIn: LIMITS, signUp: LIMITS, emailLink: LIMITS, tenantCreate: LIMITS } },
        oauth: {
          providers: {
            acme: oidcProvider({
              issuer: idp.issuer,
              clientId: idp.clientId,
              clientSecret: idp.clientSecret,
            }),
          },
          linking: { mode: 'verified-email' },
        },
      });
    });
    afterAll(async () => {
      await auth?.close();
      if (storage) await options.destroy?.(storage);
      await idp?.close();
    });

    async function call(
      method: string,
      path: string,
      body?: unknown,
      cookie?: string | null,
    ): Promise<Answer> {
      const headers = new Headers({ origin: ORIGIN });
      if (cookie) headers.set('cookie', cookie);
      if (body !== undefined) headers.set('content-type', 'application/json');
      const response = await auth.handler(
        new Request(`${ORIGIN}/auth${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
        { clientIp: '127.0.0.1' },
      );
      const text = await response.text();
      const set = response.headers.getSetCookie().find((c) => c.startsWith(`${auth.sessionCookieName}=`));
      const value = set?.split(';')[0] ?? null;
      return {
        status: response.status,
        body: text ? JSON.parse(text) : null,
        cookie: value && value !== `${auth.sessionCookieName}=` ? value : null,
      };
    }
    const post = (path: string, body: unknown = {}, cookie?: string | null) =>
      call('POST', path, body, cookie);

    async function deliver() {
      while ((await auth.outbox.dispatchOnce()) > 0);
    }

    async function tokenMailedTo(to: string): Promise<string> {
      await deliver();
      const token = sent
        .filter((m) => m.to === to)
        .at(-1)
        ?.text.match(/[?&]token=([A-Za-z0-9_-]+)/)?.[1];
      if (!token) throw new Error(`no link mailed to ${to}`);
      return token;
    }

    const victimAddress = () => `owner-${randomBytes(5).toString('hex')}@example.test`;

    /** The squatter signs up with the owner's address and sets up everything they can. */
    async function squat(email = victimAddress()): Promise<Squat> {
      const signedUp = await post('/signup', { email, password: SQUATTER_PASSWORD });
      expect(signedUp.status, JSON.stringify(signedUp.body)).toBe(201);
      const cookie = signedUp.cookie!;
      const userId = signedUp.body.user.id as string;

      const setup = await post('/mfa/totp/setup', {}, cookie);
      expect(setup.status, JSON.stringify(setup.body)).toBe(200);
      const confirmed = await post(
        '/mfa/totp/confirm',
        { code: totpCode(setup.body.secret, clock.now()) },
        cookie,
      );
      expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
      clock.advanceSeconds(30); // the confirming code's step is spent

      // a passkey and a provider account of the squatter's own, as registration and linking write them
      const now = clock.now();
      const credentialId = randomBytes(32).toString('base64url');
      const passkeyId = randomUUID();
      await storage.passkeys.create({
        id: passkeyId,
        userId,
        credentialId,
        credentialIdHash: createHash('sha256').update(credentialId).digest('hex'),
        publicKey: randomBytes(77).toString('base64url'),
        counter: 0,
        transports: ['internal'],
        deviceType: 'singleDevice',
        backedUp: false,
        aaguid: '00000000-0000-0000-0000-000000000000',
        name: "squatter's key",
        createdAt: now,
        lastUsedAt: null,
        updatedAt: now,
      });
      const oauthSubject = `squatter-${randomBytes(4).toString('hex')}`;
      await storage.oauthAccounts.create({
        id: randomUUID(),
        userId,
        provider: 'acme',
        subject: oauthSubject,
        email: 'squatter@evil.test',
        createdAt: now,
      });

      const tenant = await post(
        '/tenants',
        { slug: `sq-${randomBytes(4).toString('hex')}`, name: 'Squat' },
        cookie,
      );
      expect(tenant.status, JSON.stringify(tenant.body)).toBe(201);
      expect((await call('GET', '/session', undefined, cookie)).status).toBe(200);
      return { email, userId, cookie, passkeyId, oauthSubject, tenantId: tenant.body.id };
    }

    /** Nothing the squatter set up works any more, and the claim is recorded. */
    async function expectClaimed(squatted: Squat, via: string) {
      const { email, userId, cookie } = squatted;
      expect((await call('GET', '/session', undefined, cookie)).status).toBe(401);
      expect((await call('GET', `/tenants/${squatted.tenantId}`, undefined, cookie)).status).toBe(401);
      const login = await post('/login', { email, password: SQUATTER_PASSWORD });
      expect([login.status, login.body.code]).toEqual([401, 'invalid_credentials']);
      expect(await storage.mfa.findTotp(userId)).toBeNull();
      expect(await storage.mfa.countUnusedRecoveryCodes(userId)).toBe(0);
      expect(await storage.passkeys.listByUser(userId)).toEqual([]);
      expect(await storage.oauthAccounts.findByProviderSubject('acme', squatted.oauthSubject)).toBeNull();
      expect((await auth.api.getUser(userId))?.emailVerifiedAt).not.toBeNull();

      const audit = await storage.audit.list(`user:${userId}`, { limit: 50 });
      const claimed = audit.find((e) => e.action === 'user.email_claimed');
      expect(claimed?.data).toMatchObject({
        via,
        removed: {
          totp: true,
          recoveryCodes: 10,
          passkeys: [squatted.passkeyId],
          oauthAccounts: [{ provider: 'acme' }],
        },
        memberships: [squatted.tenantId],
      });
      expect(JSON.stringify(claimed)).not.toMatch(/\$argon2|passphrase/);
      await deliver();
      const event = events.find((e) => e.type === 'user.email_claimed' && e.payload.userId === userId);
      expect(event?.payload).toMatchObject({ via, removed: { totp: true } });
      return claimed!.data as { removed: { password: boolean; sessions: number } };
    }

    it("revokes the squatter's session and removes their password and factors when the owner signs in by magic link", async () => {
      const squatted = await squat();
      expect((await post('/magic-link', { email: squatted.email })).status).toBe(202);
      const owner = await post('/magic-link/verify', { token: await tokenMailedTo(squatted.email) });

      // a session at once: the squatter's TOTP is not asked for, it is gone
      expect(owner.status, JSON.stringify(owner.body)).toBe(200);
      expect(owner.body.mfaRequired).toBeUndefined();
      expect(owner.body.session.amr).toEqual(['email']);
      const removed = await expectClaimed(squatted, 'magic_link');
      expect(removed.removed).toMatchObject({ password: true, sessions: 1 });
      expect((await call('GET', '/session', undefined, owner.cookie)).status).toBe(200);
      // the account's tenants stay with the account: the owner sees what was made in its name
      expect((await call('GET', `/tenants/${squatted.tenantId}`, undefined, owner.cookie)).status).toBe(200);
    });

    it('does the same when the owner uses the verification link the squatter asked for', async () => {
      const squatted = await squat();
      expect((await post('/email/verification', {}, squatted.cookie)).status).toBe(202);
      const verified = await post('/email/verify', { token: await tokenMailedTo(squatted.email) });

      expect(verified.status, JSON.stringify(verified.body)).toBe(200);
      const removed = await expectClaimed(squatted, 'email_verification');
      expect(removed.removed).toMatchObject({ password: true, sessions: 1 });
      // the owner signs in by a magic link now, with no second factor of the squatter's
      await post('/magic-link', { email: squatted.email });
      const owner = await post('/magic-link/verify', { token: await tokenMailedTo(squatted.email) });
      expect(owner.body.session.amr).toEqual(['email']);
    });

    it('does the same when the owner resets the password, keeping only the password the reset chose', async () => {
      const squatted = await squat();
      expect((await post('/password/forgot', { email: squatted.email })).status).toBe(202);
      const reset = await post('/password/reset', {
        token: await tokenMailedTo(squatted.email),
        password: OWNER_PASSWORD,
      });

      expect(reset.status, JSON.stringify(reset.body)).toBe(200);
      expect(reset.body.revokedSessions).toBe(1);
      await expectClaimed(squatted, 'password_reset');
      const owner = await post('/login', { email: squatted.email, password: OWNER_PASSWORD });
      expect(owner.status, JSON.stringify(owner.body)).toBe(200);
      expect(owner.body.mfaRequired).toBeUndefined();
      expect(owner.body.session.amr).toEqual(['pwd']);
    });

    it('does the same when the owner signs in through a provider that vouches for the address', async () => {
      const squatted = await squat();
      const ownerAtProvider = {
        sub: `owner-${randomBytes(4).toString('hex')}`,
        email: squatted.email,
        emailVerified: true,
      };
      const { response, cookie } = await signInThroughProvider(auth, idp, ownerAtProvider, {
        appOrigin: ORIGIN,
      });

      expect(response.status).toBe(302);
      expect(response.headers.get('location')).not.toContain('mfa_challenge');
      const removed = await expectClaimed(squatted, 'oauth');
      expect(removed.removed).toMatchObject({ password: true, sessions: 1 });
      const session = await call('GET', '/session', undefined, cookie);
      expect(session.body.user.id).toBe(squatted.userId);
      // the provider account that proved the address is the one left
      expect(await storage.oauthAccounts.listByUser(squatted.userId)).toMatchObject([
        { subject: ownerAtProvider.sub },
      ]);
    });

    it('lets a provider account the user linked themselves prove the address, keeping the credentials', async () => {
      const email = victimAddress();
      const mine = await post('/signup', { email, password: OWNER_PASSWORD });
      const person = { sub: `linked-${randomBytes(4).toString('hex')}`, email, emailVerified: true };
      // as explicit linking (GET /oauth/acme?intent=link from the signed-in browser) writes it
      await storage.oauthAccounts.create({
        id: randomUUID(),
        userId: mine.body.user.id,
        provider: 'acme',
        subject: person.sub,
        email,
        createdAt: clock.now(),
      });
      const { response, cookie } = await signInThroughProvider(auth, idp, person, { appOrigin: ORIGIN });

      expect(response.status).toBe(302);
      expect((await call('GET', '/session', undefined, cookie)).body.user.emailVerifiedAt).not.toBeNull();
      expect((await call('GET', '/session', undefined, mine.cookie)).status).toBe(401);
      expect((await post('/login', { email, password: OWNER_PASSWORD })).status).toBe(200);
      const audit = await storage.audit.list(`user:${mine.body.user.id}`, { limit: 50 });
      expect(audit.find((e) => e.action === 'user.email_claimed')?.data).toMatchObject({
        via: 'oauth',
        removed: { password: false, sessions: 1 },
      });
    });

    it('claims only once: a later proof removes nothing the owner set after the first', async () => {
      const squatted = await squat();
      await post('/password/forgot', { email: squatted.email });
      await post('/password/reset', { token: await tokenMailedTo(squatted.email), password: OWNER_PASSWORD });
      await post('/magic-link', { email: squatted.email });
      await post('/magic-link/verify', { token: await tokenMailedTo(squatted.email) });

      const login = await post('/login', { email: squatted.email, password: OWNER_PASSWORD });
      expect(login.status).toBe(200);
      const audit = await storage.audit.list(`user:${squatted.userId}`, { limit: 50 });
      expect(audit.filter((e) => e.action === 'user.email_claimed')).toHaveLength(1);
    });

    it('lets the browser that signed up verify its own address and keep its session and password', async () => {
      const email = victimAddress();
      const mine = await post('/signup', { email, password: OWNER_PASSWORD });
      const other = await post('/login', { email, password: OWNER_PASSWORD });
      await post('/email/verification', {}, mine.cookie);
      const verified = await post('/email/verify', { token: await tokenMailedTo(email) }, mine.cookie);

      expect(verified.status).toBe(200);
      expect((await call('GET', '/session', undefined, mine.cookie)).status).toBe(200);
      expect((await call('GET', '/session', undefined, other.cookie)).status).toBe(401);
      expect((await post('/login', { email, password: OWNER_PASSWORD })).status).toBe(200);
    });

    it("refuses the owner's email invitation to the squatter's unproven account, and lets the owner take it after proving the address", async () => {
      const admin = await post('/signup', { email: victimAddress(), password: OWNER_PASSWORD });
      const slug = `inv-${randomBytes(4).toString('hex')}`;
      const tenant = await post('/tenants', { slug, name: 'Inviting' }, admin.cookie);
      const squatted = await squat();
      const invitation = await post(
        `/tenants/${tenant.body.id}/invitations`,
        { email: squatted.email.toUpperCase(), roles: ['member'] },
        admin.cookie,
      );
      expect(invitation.status).toBe(201);

      const refused = await post('/invitations/accept', { token: invitation.body.token }, squatted.cookie);
      expect([refused.status, refused.body.code]).toEqual([403, 'email_not_verified']);
      expect(await storage.memberships.find(tenant.body.id, squatted.userId)).toBeNull();

      await post('/magic-link', { email: squatted.email });
      const owner = await post('/magic-link/verify', { token: await tokenMailedTo(squatted.email) });
      const accepted = await post('/invitations/accept', { token: invitation.body.token }, owner.cookie);
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    });
  });
}

/** RFC 6238 (SHA-1, 6 digits, 30 s) for a base32 secret, so the suite needs no core internals. */
function totpCode(base32Secret: string, at: Date): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of base32Secret.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => Number.parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at.getTime() / 30_000)));
  const digest = createHmac('sha1', key).update(counter).digest();
  const offset = digest[digest.length - 1]! & 0xf;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}
