import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import {
  type Auth,
  createAuth,
  isAuthError,
  type OutboxEvent,
  type Storage,
  silentLogger,
} from '@portcullis/core';
import type { Signer } from '@portcullis/core/ports';
import { type StorageConformanceOptions, testClock } from '@portcullis/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ORIGIN = 'http://localhost:3000';
const ISSUER = `${ORIGIN}/auth`;
const PASSWORD = 'a passphrase long enough for the policy';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token' as const;
const LIMITS = { limit: 10_000, windowSeconds: 60 };
const EXCHANGE_LIMIT = 40;
const SUPPORT_CLIENT = 'support-desk-client';

/** A compact JWS over `claims` with an Ed25519 key (what the install's `Signer` makes too). */
function signJwt(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject): string {
  const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode(header)}.${encode(claims)}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}

function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
}

/**
 * The signing key, held by the test as a KMS would hold it (the public `Signer` port): the
 * install signs exchanged tokens with it, and the test mints the subject and actor tokens that
 * sign-in in token mode would hand out (that issuer is another part of issue 16).
 */
function testSigner(): { signer: Signer; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    privateKey,
    signer: {
      kid: `test-${randomUUID()}`,
      alg: 'EdDSA',
      publicJwk: { kty: 'OKP', crv: jwk.crv, x: jwk.x },
      sign: async (input) => new Uint8Array(sign(null, input, privateKey)),
    },
  };
}

interface Member {
  userId: string;
  sessionId: string;
  sessionToken: string;
}

/**
 * Token exchange (RFC 8693) through `auth.api.exchangeToken` on a real database: delegation and
 * impersonation only where a policy allows, `act` (nested on re-exchange), down-scoping, the
 * subject token's expiry and session kept, cross-tenant and escalation refused, and the audit
 * entry (with both subjects) and outbox event of every exchange.
 *
 * @example
 * describeTokenExchangeOnStorage(`kysely + ${database.name}`, kyselyConformance(database))
 */
export function describeTokenExchangeOnStorage(name: string, options: StorageConformanceOptions): void {
  describe(`token exchange on ${name}`, () => {
    const clock = testClock(new Date());
    const { signer, privateKey } = testSigner();
    const events: OutboxEvent[] = [];
    let storage: Storage;
    let auth: Auth;
    // tenant A: an owner, an admin (the actor of the delegations) and a member (the subject)
    let owner: Member;
    let agent: Member;
    let member: Member;
    let tenantA: string;
    // tenant B: its owner, a stranger to A
    let stranger: Member;
    let tenantB: string;

    async function signUp(label: string): Promise<Member> {
      const email = `${label}-${randomUUID()}@example.com`;
      const signedUp = await auth.api.signUp({ email, password: PASSWORD });
      if (!('session' in signedUp)) throw new Error('sign-up did not open a session');
      return { userId: signedUp.user.id, sessionId: signedUp.session.id, sessionToken: signedUp.token };
    }

    async function join(tenantId: string, inviter: Member, roles: string[], label: string) {
      const user = await signUp(label);
      const invitation = await auth.api.createInvitation(tenantId, inviter.userId, { roles });
      await auth.api.acceptInvitation(user.userId, invitation.token);
      return user;
    }

    /** An access token as the install's sign-in would issue it, signed with the install's key. */
    function mint(who: Member, tenantId: string, overrides: Record<string, unknown> = {}) {
      const iat = Math.floor(clock.now().getTime() / 1000);
      const claims = {
        iss: ISSUER,
        sub: who.userId,
        aud: ISSUER,
        iat,
        exp: iat + 300,
        jti: randomUUID(),
        client_id: 'first-party',
        tid: tenantId,
        sid: who.sessionId,
        scope: 'tickets:read tickets:write billing:read',
        amr: ['pwd'],
        auth_time: iat,
        ...overrides,
      };
      return Promise.resolve(signJwt({ alg: 'EdDSA', typ: 'at+jwt', kid: signer.kid }, claims, privateKey));
    }

    async function failure(promise: Promise<unknown>) {
      return promise.then(
        () => {
          throw new Error('expected the exchange to be refused');
        },
        (error: unknown) => error,
      );
    }

    async function expectCode(promise: Promise<unknown>, code: Parameters<typeof isAuthError>[1]) {
      const error = await failure(promise);
      expect(isAuthError(error, code), String(error)).toBe(true);
      return error as { code: string; reason?: { kind: string; id?: string } };
    }

    /** The audit entry of the exchange that issued the token with this `jti`. */
    async function auditOf(tenantId: string, tokenId: string) {
      return (await exchangesAudited(tenantId)).find((e) => e.data.tokenId === tokenId);
    }

    async function exchangesAudited(tenantId: string) {
      const entries = await storage.audit.list(tenantId, { limit: 100 });
      return entries.filter((e) => e.action === 'token.exchanged' || e.action === 'token.impersonated');
    }

    beforeAll(async () => {
      storage = await options.create();
      auth = createAuth({
        storage,
        clock,
        secret: 'test-secret-0123456789-abcdefghijklmnop',
        baseURL: ORIGIN,
        logger: silentLogger,
        outbox: { autoStart: false, subscribers: [{ name: 'capture', handle: (e) => void events.push(e) }] },
        rateLimit: {
          rules: {
            signUp: LIMITS,
            tenantCreate: LIMITS,
            tokenExchange: { limit: EXCHANGE_LIMIT, windowSeconds: 60 },
          },
        },
        tokens: { signingKeys: { algorithms: ['EdDSA'], signers: [signer] } },
      });
      owner = await signUp('owner');
      tenantA = (
        await auth.api.createTenant(owner.userId, { slug: `a-${randomUUID().slice(0, 8)}`, name: 'A' })
      ).id;
      agent = await join(tenantA, owner, ['admin'], 'agent');
      member = await join(tenantA, owner, ['member'], 'member');
      stranger = await signUp('stranger');
      tenantB = (
        await auth.api.createTenant(stranger.userId, { slug: `b-${randomUUID().slice(0, 8)}`, name: 'B' })
      ).id;
    });

    afterAll(async () => {
      await auth?.close();
      await options.destroy?.(storage);
    });

    it('refuses delegation and impersonation without a policy, even to an owner (whose role is *)', async () => {
      const before = (await exchangesAudited(tenantA)).length;
      const delegated = await expectCode(
        auth.api.exchangeToken({
          subjectToken: await mint(member, tenantA),
          subjectTokenType: ACCESS_TOKEN,
          actorToken: await mint(owner, tenantA),
          actorTokenType: ACCESS_TOKEN,
          caller: { type: 'user', id: owner.userId },
        }),
        'forbidden',
      );
      // the owner's role covers token.exchange, and that is not enough
      expect(delegated.reason?.kind).toBe('role');
      const impersonated = await expectCode(
        auth.api.exchangeToken({
          subjectToken: await mint(member, tenantA),
          subjectTokenType: ACCESS_TOKEN,
          caller: { type: 'client', id: SUPPORT_CLIENT, tenantId: tenantA },
        }),
        'forbidden',
      );
      expect(impersonated.reason?.kind).toBe('no_rule');
      expect((await exchangesAudited(tenantA)).length).toBe(before);
    });

    it('delegates where a policy allows: a down-scoped token with act that verifyAccessToken accepts, audited with both subjects', async () => {
      await auth.api.createPolicy(tenantA, owner.userId, {
        effect: 'allow',
        actions: ['token.exchange'],
        resource: 'user',
        description: 'Support agents may act for members',
        condition: { eq: [{ ref: 'subject.id' }, agent.userId] },
      });
      const subjectToken = await mint(member, tenantA);
      const exchanged = await auth.api.exchangeToken({
        subjectToken,
        subjectTokenType: ACCESS_TOKEN,
        actorToken: await mint(agent, tenantA, { scope: 'admin' }),
        actorTokenType: ACCESS_TOKEN,
        scope: 'tickets:read',
        requestedTokenType: ACCESS_TOKEN,
        caller: { type: 'user', id: agent.userId },
      });
      expect(exchanged).toMatchObject({
        issued_token_type: ACCESS_TOKEN,
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'tickets:read',
      });
      expect(headerOf(exchanged.access_token)).toMatchObject({ typ: 'at+jwt', kid: signer.kid });

      const principal = await auth.api.verifyAccessToken(exchanged.access_token);
      expect(principal).toMatchObject({
        type: 'user',
        id: member.userId,
        tenantId: tenantA,
        // the subject's session: revoking it revokes this token as well
        sessionId: member.sessionId,
        scopes: ['tickets:read'],
        actor: { sub: agent.userId, sub_type: 'user' },
        amr: ['pwd'],
      });
      expect(principal.claims.act?.act).toBeUndefined();

      const entry = await auditOf(tenantA, principal.tokenId);
      expect(entry).toMatchObject({
        action: 'token.exchanged',
        actorType: 'user',
        actorId: agent.userId,
        targetType: 'user',
        targetId: member.userId,
        data: {
          actor: { type: 'user', id: agent.userId },
          subject: { type: 'user', id: member.userId },
          scopes: ['tickets:read'],
          tokenId: principal.tokenId,
          sessionId: member.sessionId,
        },
      });
      while ((await auth.outbox.dispatchOnce()) > 0);
      expect(events.find((e) => e.type === 'token.exchanged')?.payload).toMatchObject({
        userId: member.userId,
        actor: { type: 'user', id: agent.userId },
        tokenId: principal.tokenId,
      });
    });

    it('refuses scopes beyond the subject token and audiences it was not issued for', async () => {
      const request = async () => ({
        subjectToken: await mint(member, tenantA, { scope: 'tickets:read' }),
        subjectTokenType: ACCESS_TOKEN,
        actorToken: await mint(agent, tenantA),
        actorTokenType: ACCESS_TOKEN,
        caller: { type: 'user' as const, id: agent.userId },
      });
      await expectCode(
        auth.api.exchangeToken({ ...(await request()), scope: 'tickets:read tickets:write' }),
        'invalid_scope',
      );
      await expectCode(auth.api.exchangeToken({ ...(await request()), scope: '  ' }), 'invalid_scope');
      await expectCode(
        auth.api.exchangeToken({ ...(await request()), resource: 'https://elsewhere.example.com/api' }),
        'invalid_target',
      );
      await expectCode(
        auth.api.exchangeToken({ ...(await request()), audience: ['payments'] }),
        'invalid_target',
      );
      await expectCode(
        auth.api.exchangeToken({ ...(await request()), resource: 'not a uri' }),
        'invalid_target',
      );
      // the subject token's own audience is fine, and so is asking for nothing wider
      const same = await auth.api.exchangeToken({ ...(await request()), audience: ISSUER });
      expect(same.scope).toBe('tickets:read');
    });

    it('refuses tokens and callers of another tenant', async () => {
      const ofB = await mint(stranger, tenantB);
      await expectCode(
        auth.api.exchangeToken({
          subjectToken: await mint(member, tenantA),
          subjectTokenType: ACCESS_TOKEN,
          actorToken: ofB,
          actorTokenType: ACCESS_TOKEN,
          caller: { type: 'user', id: stranger.userId },
        }),
        'invalid_request',
      );
      await expectCode(
        auth.api.exchangeToken({
          subjectToken: await mint(member, tenantA),
          subjectTokenType: ACCESS_TOKEN,
          actorToken: await mint(agent, tenantA),
          actorTokenType: ACCESS_TOKEN,
          caller: { type: 'client', id: SUPPORT_CLIENT, tenantId: tenantB },
        }),
        'invalid_request',
      );
      // a token claiming tenant A for a user who is no member of it does not even verify
      await expectCode(
        auth.api.exchangeToken({
          subjectToken: await mint(member, tenantA),
          subjectTokenType: ACCESS_TOKEN,
          actorToken: await mint(stranger, tenantA),
          actorTokenType: ACCESS_TOKEN,
          caller: { type: 'user', id: stranger.userId },
        }),
        'invalid_request',
      );
      // and a user the app names as the caller, who is no member: the engine says so
      const outsider = await expectCode(
        auth.api.exchangeToken({
          subjectToken: await mint(member, tenantA),
          subjectTokenType: ACCESS_TOKEN,
          caller: { type: 'user', id: stranger.userId },
        }),
        'forbidden',
      );
      expect(outsider.reason?.kind).toBe('not_member');
    });

    it('impersonates for a client a policy names, and a deny policy protects the owners', async () => {
      await auth.api.createPolicy(tenantA, owner.userId, {
        effect: 'allow',
        actions: ['token.impersonate'],
        resource: 'user',
        condition: {
          and: [{ eq: [{ ref: 'subject.type' }, 'client'] }, { eq: [{ ref: 'subject.id' }, SUPPORT_CLIENT] }],
        },
      });
      const denyOwners = await auth.api.createPolicy(tenantA, owner.userId, {
        effect: 'deny',
        actions: ['token.*'],
        resource: 'user',
        description: 'Nobody acts as an owner',
        condition: { contains: [{ ref: 'resource.roles' }, 'owner'] },
      });
      const caller = { type: 'client' as const, id: SUPPORT_CLIENT, tenantId: tenantA, environment: 'live' };
      const exchanged = await auth.api.exchangeToken({
        subjectToken: await mint(member, tenantA),
        subjectTokenType: ACCESS_TOKEN,
        caller,
      });
      const principal = await auth.api.verifyAccessToken(exchanged.access_token);
      expect(principal).toMatchObject({
        id: member.userId,
        clientId: SUPPORT_CLIENT,
        environment: 'live',
        actor: { sub: SUPPORT_CLIENT, sub_type: 'client' },
        scopes: ['tickets:read', 'tickets:write', 'billing:read'],
      });
      const entry = await auditOf(tenantA, principal.tokenId);
      expect(entry).toMatchObject({
        action: 'token.impersonated',
        actorType: 'client',
        actorId: SUPPORT_CLIENT,
        targetId: member.userId,
        data: { subject: { type: 'user', id: member.userId }, tokenId: principal.tokenId },
      });

      const refused = await expectCode(
        auth.api.exchangeToken({
          subjectToken: await mint(owner, tenantA),
          subjectTokenType: ACCESS_TOKEN,
          caller,
        }),
        'forbidden',
      );
      expect(refused.reason).toMatchObject({ kind: 'deny_policy', id: denyOwners.id });
      // a test-environment client never gets a live user's token
      await expectCode(
        auth.api.exchangeToken({
          subjectToken: await mint(member, tenantA, { env: 'live' }),
          subjectTokenType: ACCESS_TOKEN,
          caller: { ...caller, environment: 'test' },
        }),
        'invalid_request',
      );
    });

    it('nests the previous actor when an exchanged token is exchanged again (RFC 8693 §4.1)', async () => {
      const first = await auth.api.exchangeToken({
        subjectToken: await mint(member, tenantA),
        subjectTokenType: ACCESS_TOKEN,
        actorToken: await mint(agent, tenantA),
        actorTokenType: ACCESS_TOKEN,
        caller: { type: 'user', id: agent.userId },
      });
      const second = await auth.api.exchangeToken({
        subjectToken: first.access_token,
        subjectTokenType: ACCESS_TOKEN,
        scope: 'billing:read',
        caller: { type: 'client', id: SUPPORT_CLIENT, tenantId: tenantA },
      });
      const principal = await auth.api.verifyAccessToken(second.access_token);
      expect(principal.actor).toEqual({
        sub: SUPPORT_CLIENT,
        sub_type: 'client',
        act: { sub: agent.userId, sub_type: 'user' },
      });
      expect(principal.scopes).toEqual(['billing:read']);
      expect(principal.sessionId).toBe(member.sessionId);
      const entry = await auditOf(tenantA, principal.tokenId);
      expect(entry?.data).toMatchObject({ priorActor: { sub: agent.userId } });

      // a delegated token is no actor token: its real actor would go unnamed
      await expectCode(
        auth.api.exchangeToken({
          subjectToken: await mint(member, tenantA),
          subjectTokenType: ACCESS_TOKEN,
          actorToken: first.access_token,
          actorTokenType: ACCESS_TOKEN,
          caller: { type: 'user', id: agent.userId },
        }),
        'invalid_request',
      );
    });

    it('delegates to a client whose own token is the actor token', async () => {
      await auth.api.createPolicy(tenantA, owner.userId, {
        effect: 'allow',
        actions: ['token.exchange'],
        resource: 'user',
        condition: { eq: [{ ref: 'context.actorType' }, 'client'] },
      });
      // a client's own token (client credentials): sub = client_id, no session
      const clientToken = await mint({ userId: SUPPORT_CLIENT, sessionId: '', sessionToken: '' }, tenantA, {
        sid: undefined,
        client_id: SUPPORT_CLIENT,
        scope: 'tickets:write',
        amr: undefined,
        auth_time: undefined,
      });
      expect((await auth.api.verifyAccessToken(clientToken)).type).toBe('client');
      const exchanged = await auth.api.exchangeToken({
        subjectToken: await mint(member, tenantA),
        subjectTokenType: ACCESS_TOKEN,
        actorToken: clientToken,
        actorTokenType: ACCESS_TOKEN,
        caller: { type: 'client', id: SUPPORT_CLIENT, tenantId: tenantA },
      });
      const principal = await auth.api.verifyAccessToken(exchanged.access_token);
      expect(principal).toMatchObject({
        type: 'user',
        id: member.userId,
        clientId: SUPPORT_CLIENT,
        actor: { sub: SUPPORT_CLIENT, sub_type: 'client' },
      });
      expect((await auditOf(tenantA, principal.tokenId))?.actorType).toBe('client');
    });

    it("dies with the subject's session: signing out revokes the exchanged token too", async () => {
      const user = await join(tenantA, owner, ['member'], 'signs-out');
      const subjectToken = await mint(user, tenantA);
      const exchanged = await auth.api.exchangeToken({
        subjectToken,
        subjectTokenType: ACCESS_TOKEN,
        caller: { type: 'client', id: SUPPORT_CLIENT, tenantId: tenantA },
      });
      expect((await auth.api.verifyAccessToken(exchanged.access_token)).sessionId).toBe(user.sessionId);

      await auth.api.signOut(user.sessionToken);
      await expectCode(auth.api.verifyAccessToken(exchanged.access_token), 'access_token_invalid');
      // nor can the subject token be exchanged again
      await expectCode(
        auth.api.exchangeToken({
          subjectToken,
          subjectTokenType: ACCESS_TOKEN,
          caller: { type: 'client', id: SUPPORT_CLIENT, tenantId: tenantA },
        }),
        'invalid_request',
      );
    });

    it('never outlives the subject token, and refuses an expired or revoked one', async () => {
      const nowSeconds = Math.floor(clock.now().getTime() / 1000);
      const shortLived = await mint(member, tenantA, { exp: nowSeconds + 42 });
      const exchanged = await auth.api.exchangeToken({
        subjectToken: shortLived,
        subjectTokenType: ACCESS_TOKEN,
        caller: { type: 'client', id: SUPPORT_CLIENT, tenantId: tenantA },
      });
      expect(exchanged.expires_in).toBe(42);
      const principal = await auth.api.verifyAccessToken(exchanged.access_token);
      expect(principal.expiresAt.getTime()).toBe((nowSeconds + 42) * 1000);

      // nor the actor token: the delegation ends with the actor's own authority
      const delegated = await auth.api.exchangeToken({
        subjectToken: await mint(member, tenantA),
        subjectTokenType: ACCESS_TOKEN,
        actorToken: await mint(agent, tenantA, { exp: nowSeconds + 30 }),
        actorTokenType: ACCESS_TOKEN,
        caller: { type: 'user', id: agent.userId },
      });
      expect(delegated.expires_in).toBe(30);

      const expired = await mint(member, tenantA, { iat: nowSeconds - 400, exp: nowSeconds - 60 });
      await expectCode(
        auth.api.exchangeToken({
          subjectToken: expired,
          subjectTokenType: ACCESS_TOKEN,
          caller: { type: 'client', id: SUPPORT_CLIENT, tenantId: tenantA },
        }),
        'invalid_request',
      );
      // a token signed by a key that is not the install's
      const { privateKey: otherKey } = testSigner();
      const forged = signJwt(
        { alg: 'EdDSA', typ: 'at+jwt', kid: signer.kid },
        {
          iss: ISSUER,
          aud: ISSUER,
          sub: member.userId,
          tid: tenantA,
          client_id: 'x',
          jti: randomUUID(),
          iat: nowSeconds,
          exp: nowSeconds + 60,
        },
        otherKey,
      );
      await expectCode(
        auth.api.exchangeToken({
          subjectToken: forged,
          subjectTokenType: ACCESS_TOKEN,
          caller: { type: 'client', id: SUPPORT_CLIENT, tenantId: tenantA },
        }),
        'invalid_request',
      );
    });

    it('answers malformed requests with invalid_request, never a crash', async () => {
      const caller = { type: 'client' as const, id: SUPPORT_CLIENT, tenantId: tenantA };
      const subjectToken = await mint(member, tenantA);
      const bad: unknown[] = [
        { subjectTokenType: ACCESS_TOKEN, caller },
        { subjectToken, caller },
        { subjectToken, subjectTokenType: 'urn:ietf:params:oauth:token-type:id_token', caller },
        { subjectToken, subjectTokenType: ACCESS_TOKEN, actorToken: subjectToken, caller },
        { subjectToken, subjectTokenType: ACCESS_TOKEN, actorTokenType: ACCESS_TOKEN, caller },
        {
          subjectToken,
          subjectTokenType: ACCESS_TOKEN,
          requestedTokenType: 'urn:ietf:params:oauth:token-type:refresh_token',
          caller,
        },
        { subjectToken: 'not.a.jwt', subjectTokenType: ACCESS_TOKEN, caller },
        { subjectToken: 'x'.repeat(20_000), subjectTokenType: ACCESS_TOKEN, caller },
        { subjectToken: 'a\u0000b', subjectTokenType: ACCESS_TOKEN, caller },
        { subjectToken, subjectTokenType: ACCESS_TOKEN, caller, grant_type: 'password' },
        { subjectToken, subjectTokenType: ACCESS_TOKEN },
        { subjectToken, subjectTokenType: ACCESS_TOKEN, caller: { type: 'robot', id: 'r' } },
        null,
      ];
      for (const input of bad) {
        await expectCode(auth.api.exchangeToken(input as never), 'invalid_request');
      }
    });

    it(`is rate-limited per caller (${EXCHANGE_LIMIT} a minute here)`, async () => {
      const caller = { type: 'client' as const, id: `burst-${randomUUID()}`, tenantId: tenantA };
      const subjectToken = await mint(member, tenantA);
      const attempt = () =>
        auth.api.exchangeToken({ subjectToken, subjectTokenType: ACCESS_TOKEN, caller }).catch((e) => e);
      for (let i = 0; i < EXCHANGE_LIMIT; i++) {
        // refused by the policy (this client is not named), but counted
        expect(isAuthError(await attempt(), 'forbidden')).toBe(true);
      }
      expect(isAuthError(await attempt(), 'rate_limited')).toBe(true);
      // another caller is not held back
      const other = await auth.api.exchangeToken({
        subjectToken,
        subjectTokenType: ACCESS_TOKEN,
        caller: { type: 'client', id: SUPPORT_CLIENT, tenantId: tenantA },
      });
      expect(other.token_type).toBe('Bearer');
    });
  });
}
