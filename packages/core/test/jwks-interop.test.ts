import { createRemoteJWKSet, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Auth, type AuthConfig, createAuth } from '../src/index.js';
import { memoryStorage } from '../src/memory/index.js';
import { silentLogger } from '../src/ports/logger.js';
import { serveHandler } from './support/handler-server.js';
import { SECRET } from './support.js';

const KEK = { version: 'k1', secret: 'key-encryption-key-0123456789-abcdefghij' };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** `auth.handler` on a real local HTTP server; the issuer is that server's URL. */
async function serve(tokens: AuthConfig['tokens']): Promise<{ auth: Auth; issuer: string; jwksUrl: URL }> {
  let auth: Auth | undefined;
  const server = await serveHandler(() => auth);
  const origin = server.baseURL;
  auth = createAuth({
    storage: memoryStorage(),
    secret: SECRET,
    baseURL: origin,
    logger: silentLogger,
    outbox: { autoStart: false },
    tokens,
  });
  cleanups.push(async () => {
    await auth?.close();
    await server.close();
  });
  return { auth, issuer: `${origin}/auth`, jwksUrl: new URL(`${origin}/auth/.well-known/jwks.json`) };
}

describe('JWKS interoperability', () => {
  it('a caching jose verifier sees zero false rejects across automatic rotations (fake clock)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2030, 0, 1) });
    const { auth, issuer, jwksUrl } = await serve({
      accessTokenTtlSeconds: 300,
      signingKeys: { keyEncryptionKeys: [KEK], jwksCacheSeconds: 300, rotationIntervalSeconds: 3600 },
    });
    // honours max-age (300 s) and never refetches sooner on an unknown kid: only publication
    // ahead of use can make it know a new key in time
    const honest = createRemoteJWKSet(jwksUrl, { cacheMaxAge: 300_000, cooldownDuration: 300_000 });
    // the control: caches three times the rotation interval, ignoring max-age; it must fail,
    // which shows this test can see a false reject
    const stale = createRemoteJWKSet(jwksUrl, {
      cacheMaxAge: 3 * 3_600_000,
      cooldownDuration: 3 * 3_600_000,
    });

    const live: Array<{ token: string; exp: number }> = [];
    const kids = new Set<string>();
    let honestRejects = 0;
    let staleRejects = 0;
    for (let step = 0; step < 5 * 60; step++) {
      const issued = await auth.api.issueAccessToken({ subject: 'user-1', clientId: 'app' });
      kids.add(issued.kid);
      live.push({ token: issued.token, exp: issued.claims.exp });
      const now = Math.floor(Date.now() / 1000);
      for (const { token, exp } of live) {
        if (exp <= now) continue;
        const options = { issuer, audience: issuer, typ: 'at+jwt', algorithms: ['EdDSA'] };
        await jwtVerify(token, honest, options).catch(() => honestRejects++);
        await jwtVerify(token, stale, options).catch(() => staleRejects++);
      }
      vi.setSystemTime(Date.now() + 60_000);
    }
    expect(kids.size).toBeGreaterThanOrEqual(5); // five hours, a rotation an hour
    expect(honestRejects).toBe(0);
    expect(staleRejects).toBeGreaterThan(0);
  }, 60_000);

  it('jsonwebtoken + jwks-rsa verify ES256 and RS256 tokens from the JWKS', async () => {
    const { auth, issuer, jwksUrl } = await serve({
      signingKeys: { keyEncryptionKeys: [KEK], algorithms: ['ES256', 'RS256'] },
    });
    const client = new JwksClient({ jwksUri: jwksUrl.href, cache: false });
    for (const algorithm of ['ES256', 'RS256'] as const) {
      const issued = await auth.api.issueAccessToken({
        subject: 'user-1',
        clientId: 'app',
        algorithm,
        scopes: ['read'],
      });
      const key = await client.getSigningKey(issued.kid);
      const payload = jwt.verify(issued.token, key.getPublicKey(), {
        algorithms: [algorithm],
        issuer,
        audience: issuer,
      }) as jwt.JwtPayload;
      expect(payload).toMatchObject({ sub: 'user-1', client_id: 'app', scope: 'read', jti: issued.tokenId });
      // and the other algorithm's key does not verify it
      const other = algorithm === 'ES256' ? 'RS256' : 'ES256';
      expect(() => jwt.verify(issued.token, key.getPublicKey(), { algorithms: [other] })).toThrow();
      // jose agrees, over the same HTTP JWKS
      const { protectedHeader } = await jwtVerify(issued.token, createRemoteJWKSet(jwksUrl), {
        issuer,
        audience: issuer,
        typ: 'at+jwt',
      });
      expect(protectedHeader).toEqual({ alg: algorithm, typ: 'at+jwt', kid: issued.kid });
    }
  });
});
