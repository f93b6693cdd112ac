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
 * awaited one after another, warmed up and measured in rounds like the others — the goal is
 * ≥ 200,000 per second. The run fails unless every cached call asked the revocation check, the
 * calls were cache hits, and a revoked session's token is refused from the cache.
 *
 * Both sides verify with a fixed key set (`createLocalJWKSet` of the same JWKS): the remote
 * key set's fetching is not what is compared.
 *
 * @param {{ concurrency: number, warmupMs: number, rounds: number, roundMs: number }} settings
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
    const revocationChecks = { count: 0, counting: false };
    const cached = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks,
      isRevoked: (principal) => {
        if (revocationChecks.counting) revocationChecks.count++;
        return principal.sessionId !== null && revokedSessions.has(principal.sessionId);
      },
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

    // the repeated-token case: sequential awaited calls, no harness yield per call (a cache hit
    // settles in microtasks); warmed up like the others, then measured in rounds
    // a hit hands back the very principal the miss stored: this proves the calls below are hits
    const stored = await cached.verify(token);
    if ((await cached.verify(token)) !== stored)
      throw new Error('the verifier did not serve the token from its cache');
    const repeated = await measureRepeatedToken(cached, token, settings, revocationChecks);
    if (revocationChecks.count !== repeated.calls)
      throw new Error(
        `the revocation check ran ${revocationChecks.count} times for ${repeated.calls} cached verifications`,
      );
    // the cache must not let a revoked token through: revoke its session, ask again
    revokedSessions.add('s-1');
    const refused = await cached.verify(token).then(
      () => false,
      (error) => error?.code === 'access_token_invalid',
    );
    revokedSessions.delete('s-1');
    if (!refused) throw new Error('the cached verifier accepted a token whose session was revoked');
    results.push({
      alg,
      jose: compared.jose,
      portcullis: compared.portcullis,
      cachedPerSecond: repeated.perSecond,
      cachedRoundsPerSecond: repeated.roundsPerSecond,
    });
  }
  return results;
}

/**
 * The same token through `verifier` (its cache on), one call awaited after another: a warm-up of
 * `warmupMs`, then `rounds` rounds of `roundMs`; the median round is the figure. Counts the
 * measured calls (and has `checks` count the revocation checks of exactly those).
 */
async function measureRepeatedToken(verifier, token, { warmupMs, rounds, roundMs }, checks) {
  const runFor = async (ms) => {
    let calls = 0;
    const started = process.hrtime.bigint();
    const deadline = started + BigInt(Math.round(ms * 1e6));
    while (process.hrtime.bigint() < deadline) {
      for (let i = 0; i < 1000; i++) await verifier.verify(token);
      calls += 1000;
    }
    return { calls, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  };
  await runFor(warmupMs);
  const roundsPerSecond = [];
  let calls = 0;
  checks.counting = true;
  for (let round = 0; round < rounds; round++) {
    globalThis.gc?.();
    const r = await runFor(roundMs);
    calls += r.calls;
    roundsPerSecond.push(r.calls / r.seconds);
  }
  checks.counting = false;
  return { calls, perSecond: median(roundsPerSecond), roundsPerSecond };
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Portcullis ÷ jose of one run: the ratio of the totals, and the median and range of the
 * per-round ratios (rounds of one index ran within one turn of both cases, under the same
 * background load).
 */
function ratioOf(portcullis, jose) {
  const perRound = portcullis.roundOpsPerSecond.map((x, i) => x / jose.roundOpsPerSecond[i]);
  return {
    total: portcullis.opsPerSecond / jose.opsPerSecond,
    median: median(perRound),
    min: Math.min(...perRound),
    max: Math.max(...perRound),
  };
}

/** Report lines for {@link benchTokenVerification}'s results, with the goals (judged on the median per-round ratio). */
export function tokenVerificationLines(results) {
  const lines = [];
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  for (const { alg, jose, portcullis, cachedPerSecond, cachedRoundsPerSecond } of results) {
    const ratio = ratioOf(portcullis, jose);
    lines.push(
      `  ${jose.name.padEnd(52)} ${fmt(jose.opsPerSecond).padStart(10)}/s  p50 ${jose.p50Ms.toFixed(3)} ms`,
      `  ${portcullis.name.padEnd(52)} ${fmt(portcullis.opsPerSecond).padStart(10)}/s  p50 ${portcullis.p50Ms.toFixed(3)} ms`,
      `  ${'  ÷ jose'.padEnd(52)} ${pct(ratio.median).padStart(10)}   per round: median (range ${pct(ratio.min)}–${pct(ratio.max)}; totals ${pct(ratio.total)})` +
        `  goal ≥ 90%: ${ratio.median >= 0.9 ? 'met' : 'NOT met'}`,
      `  ${`repeated token, cache + revocation check (${alg})`.padEnd(52)} ${fmt(cachedPerSecond).padStart(10)}/s` +
        `  median of ${cachedRoundsPerSecond.length} rounds (${fmt(Math.min(...cachedRoundsPerSecond))}–${fmt(Math.max(...cachedRoundsPerSecond))})` +
        `  goal ≥ 200,000/s: ${cachedPerSecond >= 200_000 ? 'met' : 'NOT met'}`,
    );
  }
  return lines;
}
