import { describe, expect, it } from 'vitest';
import { auditChainKey } from '../src/audit/audit.js';
import { sha256Hex } from '../src/crypto/random.js';
import { isAuthError } from '../src/errors.js';
import { memoryStorage } from '../src/memory/index.js';
import { fakeClock, PASSWORD, testAuth, uniqueEmail } from './support.js';

async function signedInWithTokens(overrides: Parameters<typeof testAuth>[0] = {}) {
  const storage = memoryStorage();
  const clock = fakeClock(Date.UTC(2026, 0, 1, 12));
  const { auth } = testAuth({ storage, clock, ...overrides });
  const email = uniqueEmail();
  const signedUp = await auth.api.signUp({ email, password: PASSWORD });
  if ('pending' in signedUp) throw new Error('expected a session');
  const pair = await auth.api.issueTokens(signedUp.token);
  return { auth, storage, clock, user: signedUp.user, session: signedUp.session, pair };
}

const code = (error: unknown) => (isAuthError(error) ? error.code : String(error));

describe('refresh tokens (auth.api)', () => {
  it('stores only the hash of a refresh token, and never the successor handed out again', async () => {
    const { auth, storage, pair } = await signedInWithTokens();
    const found = await storage.refreshTokens.findByTokenHash(sha256Hex(pair.refreshToken));
    expect(found?.token.tokenHash).toBe(sha256Hex(pair.refreshToken));
    expect(JSON.stringify(found)).not.toContain(pair.refreshToken);

    const next = await auth.api.refreshTokens(pair.refreshToken);
    const child = await storage.refreshTokens.findByTokenHash(sha256Hex(next.refreshToken));
    expect(child?.token).toMatchObject({
      parentId: found?.token.id,
      generation: 2,
      familyId: found?.token.familyId,
    });
    expect(JSON.stringify(child)).not.toContain(next.refreshToken);
  });

  it('audits reuse in the user’s chain and emits a security outbox event', async () => {
    const { auth, storage, clock, user, session, pair } = await signedInWithTokens();
    await auth.api.refreshTokens(pair.refreshToken);
    clock.advance(11);
    const error = await auth.api.refreshTokens(pair.refreshToken).catch((e) => e);
    expect(code(error)).toBe('refresh_token_reused');

    const [entry] = await storage.audit.list(auditChainKey({ userId: user.id }), {
      limit: 1,
      action: 'refresh_token.reuse_detected',
    });
    expect(entry?.data).toMatchObject({ sessionId: session.id, sessionRevoked: true, revokedTokens: 2 });
    const events = await storage.outbox.claimBatch(
      clock.now(),
      100,
      new Date(clock.now().getTime() + 60_000),
    );
    const reuse = events.find((e) => e.type === 'refresh_token.reuse_detected');
    expect(reuse?.payload).toMatchObject({ security: true, sessionId: session.id, userId: user.id });
    expect(events.filter((e) => e.type === 'refresh_token.rotated')).toHaveLength(1);
  });

  it('ends a family at its absolute lifetime, rotation or not', async () => {
    const { auth, clock, pair } = await signedInWithTokens({ refreshTokens: { familyLifetimeSeconds: 120 } });
    clock.advance(60);
    const next = await auth.api.refreshTokens(pair.refreshToken);
    clock.advance(61);
    expect(code(await auth.api.refreshTokens(next.refreshToken).catch((e) => e))).toBe(
      'refresh_token_invalid',
    );
  });

  it('never lets a family outlive its session', async () => {
    const { auth, clock, pair } = await signedInWithTokens({
      session: { absoluteTtlSeconds: 3600 },
      refreshTokens: { familyLifetimeSeconds: 30 * 86_400 },
    });
    clock.advance(1800);
    const next = await auth.api.refreshTokens(pair.refreshToken);
    clock.advance(1801);
    expect(code(await auth.api.refreshTokens(next.refreshToken).catch((e) => e))).toBe(
      'refresh_token_invalid',
    );
  });

  it('keeps the session alive while its app refreshes (idle expiry moves with each refresh)', async () => {
    const { auth, clock, pair } = await signedInWithTokens({ session: { idleTtlSeconds: 600 } });
    let current = pair.refreshToken;
    for (let i = 0; i < 4; i++) {
      clock.advance(400);
      current = (await auth.api.refreshTokens(current)).refreshToken;
    }
    clock.advance(601);
    expect(code(await auth.api.refreshTokens(current).catch((e) => e))).toBe('refresh_token_invalid');
  });

  it('issues no tokens for a revoked session', async () => {
    const storage = memoryStorage();
    const { auth } = testAuth({ storage });
    const signedUp = await auth.api.signUp({ email: uniqueEmail(), password: PASSWORD });
    if ('pending' in signedUp) throw new Error('expected a session');
    await auth.api.signOut(signedUp.token);
    expect(code(await auth.api.issueTokens(signedUp.token).catch((e) => e))).toBe('unauthenticated');
  });
});
