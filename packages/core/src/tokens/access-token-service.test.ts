import { createLocalJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { isAuthError } from '../errors.js';
import { silentEventLogger } from '../logging/index.js';
import { memoryKeyValue, memoryStorage } from '../memory/index.js';
import { wrapStorage } from '../storage/wrap-storage.js';
import { testClock } from '../testing/test-clock.js';
import { createAccessTokenRevocations } from './access-token-revocations.js';
import { createAccessTokenService } from './access-token-service.js';
import { createProcessKeyRing } from './signing-key-ring.js';
import { createTokenIssuers } from './token-issuers.js';
import type { SigningAlgorithm } from './tokens.js';

const ISSUER = 'https://app.example.com/auth';

function setup(algorithms: SigningAlgorithm[] = ['EdDSA', 'ES256']) {
  const clock = testClock();
  const kv = memoryKeyValue({ clock });
  const keyRing = createProcessKeyRing({ algorithms, rsaModulusLength: 3072 });
  // wrapped as createAuth wraps it: a revoked jti's row writes the store's entry after it
  const storage = wrapStorage(memoryStorage(), {
    effects: { accessTokensRevoked: (scope) => revocations.revoked(scope) },
  });
  const revocations = createAccessTokenRevocations({ kv, storage, clock, logger: silentEventLogger });
  const issuers = createTokenIssuers({ tenants: storage.tenants }, { issuer: ISSUER, tenantIssuers: false });
  const service = createAccessTokenService(
    { clock, issuers, keyRingOf: () => keyRing, revocations },
    { accessTokenTtlSeconds: 300, clockToleranceSeconds: 5, algorithms },
  );
  // a store that has held revocations for long (no database confirmation of made-up sessions)
  void kv.set('pc:at:since', '0');
  return { clock, kv, keyRing, revocations, service };
}

/** Both are `access_token_invalid`; the detail tells an expired token from the rest. */
async function expectCode(promise: Promise<unknown>, reason: 'token_invalid' | 'token_expired') {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isAuthError(error, 'access_token_invalid'), String(error)).toBe(true);
  expect((error as { detail?: string }).detail).toBe(
    reason === 'token_expired' ? 'access token has expired' : 'access token is invalid',
  );
}

describe('AccessTokenService', () => {
  it('issues an RFC 9068 token (typ at+jwt, kid) that verifies back to its principal', async () => {
    const { service, keyRing } = setup();
    const issued = await service.issue({
      subject: 'user-1',
      clientId: 'app',
      sessionId: 'sess-1',
      tenantId: 'tenant-1',
      scopes: ['read', 'write'],
      amr: ['pwd'],
      authTime: 1_893_456_000,
    });
    const header = decodeProtectedHeader(issued.token);
    expect(header).toEqual({ alg: 'EdDSA', typ: 'at+jwt', kid: issued.kid });
    expect(issued.expiresInSeconds).toBe(300);
    expect(issued.claims).toMatchObject({
      iss: ISSUER,
      aud: ISSUER,
      sub: 'user-1',
      client_id: 'app',
      sid: 'sess-1',
    });
    expect(issued.claims.exp - issued.claims.iat).toBe(300);

    // an independent verifier over the published keys agrees
    const jwks = createLocalJWKSet({ keys: await keyRing.publishedKeys() });
    const { payload } = await jwtVerify(issued.token, jwks, {
      issuer: ISSUER,
      audience: ISSUER,
      typ: 'at+jwt',
      currentDate: new Date(issued.claims.iat * 1000),
    });
    expect(payload.jti).toBe(issued.tokenId);

    const principal = await service.verify(issued.token);
    expect(principal).toMatchObject({
      type: 'user',
      id: 'user-1',
      clientId: 'app',
      tenantId: 'tenant-1',
      sessionId: 'sess-1',
      scopes: ['read', 'write'],
      amr: ['pwd'],
      authTime: 1_893_456_000,
      tokenId: issued.tokenId,
    });
  });

  it('signs with ES256 when asked, and a client-credentials token has the client as principal', async () => {
    const { service } = setup();
    const issued = await service.issue({
      subject: 'client-1',
      clientId: 'client-1',
      algorithm: 'ES256',
      environment: 'live',
    });
    expect(decodeProtectedHeader(issued.token).alg).toBe('ES256');
    const principal = await service.verify(issued.token);
    expect(principal).toMatchObject({ type: 'client', id: 'client-1', environment: 'live', sessionId: null });
  });

  it('caps the lifetime at 15 minutes and rejects an expired token with token_expired', async () => {
    const { service, clock } = setup();
    const issued = await service.issue({ subject: 'u', clientId: 'app', ttlSeconds: 3600 });
    expect(issued.expiresInSeconds).toBe(900);
    clock.advanceSeconds(900 + 4);
    await service.verify(issued.token); // within the 5 s tolerance
    clock.advanceSeconds(1);
    await expectCode(service.verify(issued.token), 'token_expired');
  });

  it('checks the audience: the issuer by default, the resource when asked', async () => {
    const { service } = setup();
    const issued = await service.issue({
      subject: 'u',
      clientId: 'app',
      audience: 'https://api.example.com',
    });
    await expectCode(service.verify(issued.token), 'token_invalid');
    await expect(
      service.verify(issued.token, { audience: 'https://api.example.com' }),
    ).resolves.toMatchObject({
      id: 'u',
    });
  });

  it('rejects a token that is not an access token, alg none, a foreign key, a tampered payload', async () => {
    const { service } = setup();
    const issued = await service.issue({ subject: 'u', clientId: 'app' });
    const [h, p, s] = issued.token.split('.') as [string, string, string];

    // our kid, someone else's key
    const foreign = await generateKeyPair('EdDSA');
    const forged = await new SignJWT({ ...issued.claims })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: issued.kid })
      .sign(foreign.privateKey);
    await expectCode(service.verify(forged), 'token_invalid');

    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: issued.kid })).toString('base64url')}.${p}.`;
    await expectCode(service.verify(none), 'token_invalid');

    const idToken = `${Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid: issued.kid })).toString('base64url')}.${p}.${s}`;
    await expectCode(service.verify(idToken), 'token_invalid');

    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...issued.claims, sub: 'admin' })).toString('base64url')}.${s}`;
    await expectCode(service.verify(tampered), 'token_invalid');

    await expectCode(service.verify(`${h}.${p}.${s.slice(0, -4)}`), 'token_invalid');
    await expectCode(service.verify('not a token'), 'token_invalid');
  });

  it('denies a revoked jti until its expiry, and nothing else', async () => {
    const { service } = setup();
    const a = await service.issue({ subject: 'u', clientId: 'app' });
    const b = await service.issue({ subject: 'u', clientId: 'app' });
    await service.revokeAccessToken(a.tokenId, a.expiresAt);
    await expectCode(service.verify(a.token), 'token_invalid');
    await expect(service.verify(b.token)).resolves.toMatchObject({ tokenId: b.tokenId });
  });

  it('while the store is new or was flushed, the database confirms session-bound tokens', async () => {
    const { service, kv } = setup();
    await kv.delete('pc:at:since');
    const bound = await service.issue({ subject: 'u', clientId: 'app', sessionId: 'no-such-session' });
    await expectCode(service.verify(bound.token), 'token_invalid');
    const client = await service.issue({ subject: 'c', clientId: 'c' });
    await expect(service.verify(client.token)).resolves.toMatchObject({ type: 'client' });
  });

  it('denies tokens of a revoked session, of a user before their epoch, and of a removed member', async () => {
    const { service, revocations, clock } = setup();
    const s1 = await service.issue({ subject: 'u', clientId: 'app', sessionId: 's1' });
    const s2 = await service.issue({ subject: 'u', clientId: 'app', sessionId: 's2', tenantId: 't' });
    await revocations.revoked({ sessionIds: ['s1'] });
    await expectCode(service.verify(s1.token), 'token_invalid');
    await expect(service.verify(s2.token)).resolves.toBeDefined();

    await revocations.revoked({ members: [{ tenantId: 't', userId: 'u' }] });
    await expectCode(service.verify(s2.token), 'token_invalid');

    clock.advanceMs(1);
    const s3 = await service.issue({ subject: 'u', clientId: 'app', sessionId: 's3' });
    const s4 = await service.issue({ subject: 'u', clientId: 'app', sessionId: 's4' });
    clock.advanceMs(1);
    await revocations.revoked({ users: [{ userId: 'u', exceptSessionId: 's4' }] });
    await expectCode(service.verify(s3.token), 'token_invalid');
    await expect(service.verify(s4.token)).resolves.toBeDefined();
    // a token issued in the same second, after the revocation, is valid
    clock.advanceMs(1);
    const s5 = await service.issue({ subject: 'u', clientId: 'app', sessionId: 's5' });
    await expect(service.verify(s5.token)).resolves.toBeDefined();
  });
});
