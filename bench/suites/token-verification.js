import { createVerifier } from '@portcullis/core/tokens';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { compareInterleaved } from '../lib/harness.js';

const ISSUER = 'https://bench.example.test/auth';
const AUDIENCE = 'https://api.bench.example.test';

/**
 * Token verification: one access token per algorithm (EdDSA, ES256), in Portcullis's format,
 * verified by `@portcullis/core/tokens` with its cache off against raw jose `jwtVerify` with the
 * same key set and the same checks (issuer, audience, `typ`, algorithms), interleaved — the goal is
 * ≥ 90% of jose; then the same token repeated through a verifier with its verified-token cache
 * and a revocation check on (an in-memory revoked-session set, as the key-value fan-out keeps it),
 * awaited one after another — the goal is ≥ 200,000 per second.
 *
 * @param {{ concurrency: number, warmupMs: number, rounds: number, roundMs: number, cachedMs: number }} settings
 */
export async function benchTokenVerification(settings) {
  const results = [];
  for (const alg of ['EdDSA', 'ES256']) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: `bench-${alg}`, alg, use: 'sig' }] };
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      client_id: 'first-party',
      tid: 't-1',
      sid: 's-1',
      scope: 'openid invoices:read',
      amr: ['pwd'],
      auth_time: now,
    })
      .setProtectedHeader({ alg, typ: 'at+jwt', kid: `bench-${alg}` })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('u-1')
      .setJti(crypto.randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + 900)
      .sign(privateKey);

    const keySet = createLocalJWKSet(jwks);
    const uncached = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, cache: false });
    const revokedSessions = new Set(['s-revoked']);
    const cached = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks,
      isRevoked: (principal) => principal.sessionId !== null && revokedSessions.has(principal.sessionId),
    });
    const mustBeUser = (what) => (result) => {
      if (result?.payload?.sub !== 'u-1' && result?.id !== 'u-1')
        throw new Error(`${what} did not verify the token`);
    };

    const compared = await compareInterleaved(
      [
        {
          key: 'jose',
          name: `jose jwtVerify (${alg})`,
          op: () =>
            jwtVerify(token, keySet, {
              issuer: ISSUER,
              audience: AUDIENCE,
              typ: 'at+jwt',
              algorithms: ['EdDSA', 'ES256'],
              requiredClaims: ['exp', 'iat', 'sub', 'jti', 'client_id'],
            }),
          check: mustBeUser('jose'),
        },
        {
          key: 'portcullis',
          name: `@portcullis/core/tokens verify, no cache (${alg})`,
          op: () => uncached.verify(token),
          check: mustBeUser('Portcullis'),
        },
      ],
      settings,
    );

    // the repeated-token case: sequential awaited calls, no harness yield per call
    await cached.verify(token);
    let calls = 0;
    const started = process.hrtime.bigint();
    const deadline = started + BigInt(settings.cachedMs) * 1_000_000n;
    while (process.hrtime.bigint() < deadline) {
      for (let i = 0; i < 1000; i++) await cached.verify(token);
      calls += 1000;
    }
    const cachedPerSecond = calls / (Number(process.hrtime.bigint() - started) / 1e9);
    results.push({ alg, jose: compared.jose, portcullis: compared.portcullis, cachedPerSecond });
  }
  return results;
}

/** Report lines for {@link benchTokenVerification}'s results, with the goals. */
export function tokenVerificationLines(results) {
  const lines = [];
  for (const { alg, jose, portcullis, cachedPerSecond } of results) {
    const ratio = portcullis.opsPerSecond / jose.opsPerSecond;
    const fmt = (n) => Math.round(n).toLocaleString('en-US');
    lines.push(
      `  ${jose.name.padEnd(52)} ${fmt(jose.opsPerSecond).padStart(10)}/s  p50 ${jose.p50Ms.toFixed(3)} ms`,
      `  ${portcullis.name.padEnd(52)} ${fmt(portcullis.opsPerSecond).padStart(10)}/s  p50 ${portcullis.p50Ms.toFixed(3)} ms` +
        `  ${(ratio * 100).toFixed(1)}% of jose (goal ≥ 90%: ${ratio >= 0.9 ? 'met' : 'NOT met'})`,
      `  ${`repeated token, cache + revocation check (${alg})`.padEnd(52)} ${fmt(cachedPerSecond).padStart(10)}/s` +
        `  (goal ≥ 200,000/s: ${cachedPerSecond >= 200_000 ? 'met' : 'NOT met'})`,
    );
  }
  return lines;
}
