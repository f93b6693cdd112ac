import { describe, expect, it } from 'vitest';
import { type AuthConfig, createAuth, isAuthError } from '../src/index.js';
import { memoryStorage } from '../src/memory/index.js';
import { silentLogger } from '../src/ports/logger.js';
import type { Storage } from '../src/ports/storage.js';
import { testClock } from '../src/testing/test-clock.js';
import { ORIGIN, PASSWORD, SECRET } from './support.js';

const KEK = { version: 'k1', secret: 'key-encryption-key-0123456789-abcdefghij' };
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

function setup(overrides: Partial<AuthConfig> = {}, storage: Storage = memoryStorage()) {
  const clock = testClock(new Date(Date.UTC(2030, 0, 1)));
  const auth = createAuth({
    storage,
    secret: SECRET,
    baseURL: ORIGIN,
    logger: silentLogger,
    clock,
    outbox: { autoStart: false },
    rateLimit: { enabled: false },
    tokens: { signingKeys: { keyEncryptionKeys: [KEK] } },
    ...overrides,
  });
  return { auth, clock, storage };
}

async function signedUp(
  auth: ReturnType<typeof setup>['auth'],
  email = `u.${Math.random().toString(36).slice(2)}@example.com`,
) {
  const result = await auth.api.signUp({ email, password: PASSWORD });
  if ('pending' in result) throw new Error('pending sign-up');
  return result;
}

async function rejects(promise: Promise<unknown>, detail = 'access token is invalid') {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(
    isAuthError(error, 'access_token_invalid'),
    `expected access_token_invalid, got ${String(error)}`,
  ).toBe(true);
  expect((error as { detail?: string }).detail).toBe(detail);
}

async function jwks(auth: ReturnType<typeof setup>['auth']) {
  const response = await auth.handler(new Request(`${ORIGIN}/auth/.well-known/jwks.json`));
  return { response, body: (await response.json()) as { keys: Array<Record<string, unknown>> } };
}

describe('signing keys', () => {
  it('an empty install gets its first keys on first use, and concurrent first uses make one active key', async () => {
    const { auth, storage } = setup();
    const issued = await Promise.all(
      Array.from({ length: 10 }, () => auth.api.issueAccessToken({ subject: 'u', clientId: 'app' })),
    );
    expect(new Set(issued.map((t) => t.kid)).size).toBe(1);
    const keys = await auth.api.listSigningKeys();
    expect(keys.filter((k) => k.state === 'active')).toHaveLength(1);
    expect(keys.filter((k) => k.state === 'next')).toHaveLength(1);
    // the private key is stored sealed, never as PEM
    const [stored] = await storage.signingKeys.listByIssuer(`${ORIGIN}/auth`);
    expect(stored?.wrappedPrivateKey).toMatch(/^v1\./);
    expect(JSON.stringify(await storage.signingKeys.listByIssuer(`${ORIGIN}/auth`))).not.toContain(
      'PRIVATE KEY',
    );
    for (const token of issued) await expect(auth.api.verifyAccessToken(token.token)).resolves.toBeDefined();
    await auth.close();
  });

  it('serves the JWKS publicly with max-age equal to the pre-publication time and never a private member', async () => {
    const { auth } = setup({
      tokens: {
        signingKeys: {
          keyEncryptionKeys: [KEK],
          algorithms: ['EdDSA', 'ES256', 'RS256'],
          jwksCacheSeconds: 120,
        },
      },
    });
    await Promise.all(
      (['EdDSA', 'ES256', 'RS256'] as const).map((algorithm) =>
        auth.api.issueAccessToken({ subject: 'u', clientId: 'app', algorithm }),
      ),
    );
    const { response, body } = await jwks(auth);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=120');
    expect(body.keys).toHaveLength(6); // active + next per algorithm
    expect(new Set(body.keys.map((k) => k.alg))).toEqual(new Set(['EdDSA', 'ES256', 'RS256']));
    for (const key of body.keys) {
      expect(key.use).toBe('sig');
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
    }
    const rsa = body.keys.find((k) => k.kty === 'RSA');
    expect(Buffer.from(String(rsa?.n), 'base64url').length * 8).toBeGreaterThanOrEqual(3072);
    await auth.close();
  });

  it('rotates only to a next key published for the JWKS cache time; the retired key stays published for the longest token lifetime', async () => {
    const { auth, clock } = setup();
    await auth.api.issueAccessToken({ subject: 'u', clientId: 'app' });
    const refused = await auth.api.rotateSigningKeys().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAuthError(refused, 'signing_key_not_ready')).toBe(true);

    clock.advanceSeconds(300);
    const before = await auth.api.issueAccessToken({ subject: 'u', clientId: 'app', ttlSeconds: 900 });
    const keys = await auth.api.rotateSigningKeys();
    const eddsa = keys.filter((k) => k.algorithm === 'EdDSA');
    expect(eddsa.map((k) => k.state).sort()).toEqual(['active', 'next', 'retired']);
    expect(eddsa.find((k) => k.state === 'retired')?.kid).toBe(before.kid);
    const after = await auth.api.issueAccessToken({ subject: 'u', clientId: 'app' });
    expect(after.kid).not.toBe(before.kid);
    expect(after.kid).toBe(eddsa.find((k) => k.state === 'active')?.kid);

    // the old token verifies until it expires; its key stays in the JWKS meanwhile
    clock.advanceSeconds(890);
    await expect(auth.api.verifyAccessToken(before.token)).resolves.toBeDefined();
    expect((await jwks(auth)).body.keys.map((k) => k.kid)).toContain(before.kid);
    clock.advanceSeconds(60 + 60 + 1);
    expect((await jwks(auth)).body.keys.map((k) => k.kid)).not.toContain(before.kid);
    await auth.close();
  });

  it('rotates by itself after rotationIntervalSeconds, with audit and outbox', async () => {
    const { auth, clock, storage } = setup({
      tokens: { signingKeys: { keyEncryptionKeys: [KEK], rotationIntervalSeconds: 3600 } },
    });
    const first = await auth.api.issueAccessToken({ subject: 'u', clientId: 'app' });
    clock.advanceSeconds(3600);
    const second = await auth.api.issueAccessToken({ subject: 'u', clientId: 'app' });
    expect(second.kid).not.toBe(first.kid);
    await expect(auth.api.verifyAccessToken(first.token)).rejects.toThrow(); // expired by now
    await expect(auth.api.verifyAccessToken(second.token)).resolves.toBeDefined();
    const events = await storage.outbox.claimBatch(
      new Date(Date.UTC(2031, 0, 1)),
      100,
      new Date(Date.UTC(2031, 0, 2)),
    );
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['signing_key.created', 'signing_key.rotated']),
    );
    await auth.close();
  });

  it('revoking a key drops it from the JWKS and fails its tokens at once; the next key signs', async () => {
    const { auth } = setup();
    const issued = await auth.api.issueAccessToken({ subject: 'u', clientId: 'app' });
    const revoked = await auth.api.revokeSigningKey(issued.kid);
    expect(revoked).toMatchObject({ state: 'revoked', published: false });
    await rejects(auth.api.verifyAccessToken(issued.token));
    expect((await jwks(auth)).body.keys.map((k) => k.kid)).not.toContain(issued.kid);
    const fresh = await auth.api.issueAccessToken({ subject: 'u', clientId: 'app' });
    expect(fresh.kid).not.toBe(issued.kid);
    await expect(auth.api.verifyAccessToken(fresh.token)).resolves.toBeDefined();
    const unknown = await auth.api.revokeSigningKey('no-such-kid').then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAuthError(unknown, 'not_found')).toBe(true);
    await auth.close();
  });

  it('rewraps every private key under a new key-encryption key without downtime', async () => {
    const storage = memoryStorage();
    const { auth } = setup({}, storage);
    const issued = await auth.api.issueAccessToken({ subject: 'u', clientId: 'app' });
    const k2 = { version: 'k2', secret: 'second-key-encryption-key-0123456789-xyz' };
    const both = setup({ tokens: { signingKeys: { keyEncryptionKeys: [k2, KEK] } } }, storage).auth;
    expect(await both.api.rewrapSigningKeys()).toEqual({ rewrapped: 2 });
    expect((await both.api.listSigningKeys()).every((k) => k.keyEncryptionKeyVersion === 'k2')).toBe(true);
    const onlyNew = setup({ tokens: { signingKeys: { keyEncryptionKeys: [k2] } } }, storage).auth;
    const again = await onlyNew.api.issueAccessToken({ subject: 'u', clientId: 'app' });
    expect(again.kid).toBe(issued.kid);
    await expect(onlyNew.api.verifyAccessToken(issued.token)).resolves.toBeDefined();
    await Promise.all([auth.close(), both.close(), onlyNew.close()]);
  });

  it('refuses a key-encryption key equal to the app secret', () => {
    let error: unknown;
    try {
      setup({ tokens: { signingKeys: { keyEncryptionKeys: [{ version: 'k1', secret: SECRET }] } } });
    } catch (e) {
      error = e;
    }
    expect(isAuthError(error, 'config_invalid')).toBe(true);
  });
});

describe('revocation reaches access tokens', () => {
  it('logging out, revoking a session, and suspending a user fail their tokens at once', async () => {
    const { auth } = setup();
    const user = await signedUp(auth);
    const other = await auth.api.signIn({ email: user.user.email, password: PASSWORD });
    if (!('session' in other)) throw new Error('mfa');
    const t1 = await auth.api.issueAccessToken({
      subject: user.user.id,
      clientId: 'app',
      sessionId: user.session.id,
    });
    const t2 = await auth.api.issueAccessToken({
      subject: user.user.id,
      clientId: 'app',
      sessionId: other.session.id,
    });
    await auth.api.signOut(user.token);
    await rejects(auth.api.verifyAccessToken(t1.token));
    await expect(auth.api.verifyAccessToken(t2.token)).resolves.toMatchObject({
      sessionId: other.session.id,
    });

    await auth.api.revokeSession(user.user.id, other.session.id);
    await rejects(auth.api.verifyAccessToken(t2.token));

    const third = await auth.api.signIn({ email: user.user.email, password: PASSWORD });
    if (!('session' in third)) throw new Error('mfa');
    const t3 = await auth.api.issueAccessToken({
      subject: user.user.id,
      clientId: 'app',
      sessionId: third.session.id,
    });
    await expect(auth.api.verifyAccessToken(t3.token)).resolves.toBeDefined();
    await auth.api.suspendUser(user.user.id);
    await rejects(auth.api.verifyAccessToken(t3.token));
    await auth.close();
  });

  it("a password change fails the other sessions' tokens and keeps the current session's", async () => {
    const { auth } = setup();
    const user = await signedUp(auth);
    const other = await auth.api.signIn({ email: user.user.email, password: PASSWORD });
    if (!('session' in other)) throw new Error('mfa');
    const mine = await auth.api.issueAccessToken({
      subject: user.user.id,
      clientId: 'app',
      sessionId: user.session.id,
    });
    const theirs = await auth.api.issueAccessToken({
      subject: user.user.id,
      clientId: 'app',
      sessionId: other.session.id,
    });
    await auth.api.changePassword(user.session, {
      currentPassword: PASSWORD,
      newPassword: `${PASSWORD} again`,
    });
    await rejects(auth.api.verifyAccessToken(theirs.token));
    await expect(auth.api.verifyAccessToken(mine.token)).resolves.toBeDefined();
    await auth.close();
  });

  it('suspending a tenant fails every token acting in it, and no other', async () => {
    const { auth } = setup();
    const owner = await signedUp(auth);
    const tenant = await auth.api.createTenant(owner.user.id, {
      slug: `s-${Math.random().toString(36).slice(2, 8)}`,
      name: 'S',
    });
    const inTenant = await auth.api.issueAccessToken({
      subject: owner.user.id,
      clientId: 'app',
      sessionId: owner.session.id,
      tenantId: tenant.id,
    });
    const machine = await auth.api.issueAccessToken({
      subject: 'client-1',
      clientId: 'client-1',
      tenantId: tenant.id,
    });
    const outside = await auth.api.issueAccessToken({
      subject: owner.user.id,
      clientId: 'app',
      sessionId: owner.session.id,
    });
    await auth.api.updateTenant(tenant.id, owner.user.id, { status: 'suspended' });
    await rejects(auth.api.verifyAccessToken(inTenant.token));
    await rejects(auth.api.verifyAccessToken(machine.token));
    await expect(auth.api.verifyAccessToken(outside.token)).resolves.toBeDefined();
    await auth.close();
  });

  it('removing a member fails their tokens for that tenant, not their other tokens', async () => {
    const { auth } = setup();
    const owner = await signedUp(auth);
    const member = await signedUp(auth);
    const tenant = await auth.api.createTenant(owner.user.id, {
      slug: `t-${Math.random().toString(36).slice(2, 8)}`,
      name: 'T',
    });
    const invitation = await auth.api.createInvitation(tenant.id, owner.user.id, { roles: ['member'] });
    await auth.api.acceptInvitation(member.user.id, invitation.token);
    const inTenant = await auth.api.issueAccessToken({
      subject: member.user.id,
      clientId: 'app',
      sessionId: member.session.id,
      tenantId: tenant.id,
    });
    const outside = await auth.api.issueAccessToken({
      subject: member.user.id,
      clientId: 'app',
      sessionId: member.session.id,
    });
    await auth.api.removeMember(tenant.id, owner.user.id, member.user.id);
    await rejects(auth.api.verifyAccessToken(inTenant.token));
    await expect(auth.api.verifyAccessToken(outside.token)).resolves.toBeDefined();
    await auth.close();
  });
});
