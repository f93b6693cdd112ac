import { randomBytes } from 'node:crypto';
import { describe, expect } from 'vitest';
import { sha256Hex } from '../../crypto/random.js';
import { uuidv7 } from '../../crypto/uuid.js';
import type { Session } from '../../sessions/sessions.js';
import type { RefreshToken } from '../../tokens/refresh-token-store.js';
import { aSession, aUser, expectConflict, later, type StorageCases } from '../storage-fixtures.js';

const MINUTE_MS = 60_000;

/** A token of `session`, the first of a new family unless `overrides` say otherwise. */
export function aRefreshToken(
  session: Session,
  now: Date,
  overrides: Partial<RefreshToken> = {},
): RefreshToken {
  return {
    id: uuidv7(),
    familyId: uuidv7(),
    parentId: null,
    generation: 1,
    sessionId: session.id,
    userId: session.userId,
    tenantId: session.tenantId,
    clientId: 'first-party',
    scope: null,
    tokenHash: sha256Hex(randomBytes(32).toString('base64url')),
    createdAt: now,
    expiresAt: later(now, 24 * 60 * MINUTE_MS),
    rotatedAt: null,
    replacedById: null,
    graceReplays: 0,
    revokedAt: null,
    revokedReason: null,
    ...overrides,
  };
}

export function refreshTokenCases({ it, storage }: StorageCases): void {
  async function aSignedInSession(now = new Date()) {
    const user = aUser();
    await storage().users.create(user);
    const session = aSession(user.id, later(now, -MINUTE_MS));
    await storage().sessions.create(session);
    return session;
  }
  async function aStoredToken(session: Session, now: Date, overrides: Partial<RefreshToken> = {}) {
    const token = aRefreshToken(session, now, overrides);
    await storage().refreshTokens.create(token);
    return token;
  }

  describe('refresh tokens', () => {
    it('finds a token by its hash as written, with its session, whatever their state', async () => {
      const now = new Date();
      const session = await aSignedInSession(now);
      const token = await aStoredToken(session, now, { scope: 'openid offline_access', tenantId: null });

      expect(await storage().refreshTokens.findByTokenHash(token.tokenHash)).toEqual({ token, session });
      expect(await storage().refreshTokens.findByTokenHash(sha256Hex('unknown'))).toBeNull();
      // a revoked session is still found with its tokens: the caller decides
      await storage().sessions.revoke(session.userId, session.id, now, 'signed_out');
      expect((await storage().refreshTokens.findByTokenHash(token.tokenHash))?.session).toMatchObject({
        id: session.id,
        revokedAt: now,
      });
    });

    it('refuses a second token with the same hash', async () => {
      const now = new Date();
      const session = await aSignedInSession(now);
      const token = await aStoredToken(session, now);
      await expectConflict(() =>
        storage().refreshTokens.create(aRefreshToken(session, now, { tokenHash: token.tokenHash })),
      );
    });

    it('rotates a current token once: of 50 concurrent claims exactly one wins', async () => {
      const now = new Date();
      const session = await aSignedInSession(now);
      const token = await aStoredToken(session, now);
      const children = Array.from({ length: 50 }, () => uuidv7());

      const won = await Promise.all(
        children.map((childId) =>
          storage().transaction((tx) => tx.refreshTokens.claimRotation(token.id, childId, now)),
        ),
      );

      expect(won.filter(Boolean)).toHaveLength(1);
      const winner = children[won.indexOf(true)];
      const found = await storage().refreshTokens.findByTokenHash(token.tokenHash);
      expect(found?.token).toMatchObject({ rotatedAt: now, replacedById: winner, revokedAt: null });
    });

    it('does not rotate a token that is revoked, expired, or whose session ended', async () => {
      const now = new Date();
      const session = await aSignedInSession(now);
      const revoked = await aStoredToken(session, now, { revokedAt: now, revokedReason: 'test' });
      const expired = await aStoredToken(session, now, { expiresAt: later(now, -1) });
      expect(await storage().refreshTokens.claimRotation(revoked.id, uuidv7(), now)).toBe(false);
      expect(await storage().refreshTokens.claimRotation(expired.id, uuidv7(), now)).toBe(false);
      expect(await storage().refreshTokens.claimRotation(uuidv7(), uuidv7(), now)).toBe(false);

      const current = await aStoredToken(session, now);
      await storage().sessions.revoke(session.userId, session.id, now, 'signed_out');
      expect(await storage().refreshTokens.claimRotation(current.id, uuidv7(), now)).toBe(false);

      const idle = await aStoredToken(await aSignedInSession(now), now);
      expect(await storage().refreshTokens.claimRotation(idle.id, uuidv7(), later(now, 31 * MINUTE_MS))).toBe(
        false,
      );
    });

    it('undoes a rotation with its transaction', async () => {
      const now = new Date();
      const session = await aSignedInSession(now);
      const token = await aStoredToken(session, now);
      await expect(
        storage().transaction(async (tx) => {
          expect(await tx.refreshTokens.claimRotation(token.id, uuidv7(), now)).toBe(true);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');

      expect((await storage().refreshTokens.findByTokenHash(token.tokenHash))?.token.rotatedAt).toBeNull();
      expect(await storage().refreshTokens.claimRotation(token.id, uuidv7(), now)).toBe(true);
    });

    it('makes a session revocation wait for a rotation in flight, and refuses rotations after it', async () => {
      const now = new Date();
      const session = await aSignedInSession(now);
      const token = await aStoredToken(session, now);
      const order: string[] = [];
      let claimed!: () => void;
      const claimedOnce = new Promise<void>((resolve) => {
        claimed = resolve;
      });

      const rotation = storage().transaction(async (tx) => {
        const won = await tx.refreshTokens.claimRotation(token.id, uuidv7(), now);
        claimed();
        await new Promise((resolve) => setTimeout(resolve, 200));
        order.push('rotation committed');
        return won;
      });
      await claimedOnce;
      const revocation = storage()
        .sessions.revoke(session.userId, session.id, now, 'signed_out')
        .then((revoked) => {
          order.push('session revoked');
          return revoked;
        });

      expect(await rotation).toBe(true);
      expect(await revocation).toBe(true);
      expect(order).toEqual(['rotation committed', 'session revoked']);
      const child = await aStoredToken(session, now);
      expect(await storage().refreshTokens.claimRotation(child.id, uuidv7(), now)).toBe(false);
    });

    it('revokes a family behind the session lock: a rotation in flight commits first, and its child is revoked too', async () => {
      const now = new Date();
      const session = await aSignedInSession(now);
      const token = await aStoredToken(session, now);
      const child = aRefreshToken(session, now, {
        familyId: token.familyId,
        parentId: token.id,
        generation: 2,
      });
      let claimed!: () => void;
      const claimedOnce = new Promise<void>((resolve) => {
        claimed = resolve;
      });
      const rotation = storage().transaction(async (tx) => {
        const won = await tx.refreshTokens.claimRotation(token.id, child.id, now);
        claimed();
        // the child is written after the revocation started waiting, as a slow rotation would
        await new Promise((resolve) => setTimeout(resolve, 200));
        await tx.refreshTokens.create(child);
        return won;
      });
      await claimedOnce;
      // what the family's revocation does (RFC 7009): the session's row first, then the family
      const revoked = await storage().transaction(async (tx) => {
        await tx.sessions.lock(session.id);
        return tx.refreshTokens.revokeFamily(token.familyId, now, 'revoked');
      });
      expect(await rotation).toBe(true);
      expect(revoked).toBe(2);
      expect((await storage().refreshTokens.findByTokenHash(child.tokenHash))?.token.revokedAt).toEqual(now);
      expect(await storage().refreshTokens.claimRotation(child.id, uuidv7(), now)).toBe(false);
    });

    it('counts grace replays of a rotated token up to the cap, concurrently too, and only within the window', async () => {
      const now = new Date();
      const session = await aSignedInSession(now);
      const token = await aStoredToken(session, now);
      const current = await aStoredToken(session, now);
      expect(await storage().refreshTokens.claimRotation(token.id, uuidv7(), now)).toBe(true);

      // a token not rotated yet has no successor to hand out again
      expect(await storage().refreshTokens.claimGraceReplay(current.id, later(now, -10_000), 3, now)).toBe(
        false,
      );
      // rotated before the window began
      expect(await storage().refreshTokens.claimGraceReplay(token.id, later(now, 1), 3, now)).toBe(false);

      const won = await Promise.all(
        Array.from({ length: 10 }, () =>
          storage().transaction((tx) =>
            tx.refreshTokens.claimGraceReplay(token.id, later(now, -10_000), 3, now),
          ),
        ),
      );
      expect(won.filter(Boolean)).toHaveLength(3);
      expect((await storage().refreshTokens.findByTokenHash(token.tokenHash))?.token.graceReplays).toBe(3);
    });

    it('counts no grace replay once the family or the session is revoked', async () => {
      const now = new Date();
      const session = await aSignedInSession(now);
      const token = await aStoredToken(session, now);
      expect(await storage().refreshTokens.claimRotation(token.id, uuidv7(), now)).toBe(true);
      await storage().sessions.revoke(session.userId, session.id, now, 'signed_out');
      expect(await storage().refreshTokens.claimGraceReplay(token.id, later(now, -10_000), 3, now)).toBe(
        false,
      );

      const other = await aSignedInSession(now);
      const rotated = await aStoredToken(other, now);
      expect(await storage().refreshTokens.claimRotation(rotated.id, uuidv7(), now)).toBe(true);
      await storage().refreshTokens.revokeFamily(rotated.familyId, now, 'reuse_detected');
      expect(await storage().refreshTokens.claimGraceReplay(rotated.id, later(now, -10_000), 3, now)).toBe(
        false,
      );
    });

    it('revokes a whole family and no other, counting each token once', async () => {
      const now = new Date();
      const session = await aSignedInSession(now);
      const first = await aStoredToken(session, now);
      const second = await aStoredToken(session, now, {
        familyId: first.familyId,
        parentId: first.id,
        generation: 2,
      });
      const otherFamily = await aStoredToken(session, now);

      const counts = await Promise.all([
        storage().refreshTokens.revokeFamily(first.familyId, now, 'reuse_detected'),
        storage().refreshTokens.revokeFamily(first.familyId, now, 'reuse_detected'),
      ]);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(2);

      for (const token of [first, second]) {
        expect((await storage().refreshTokens.findByTokenHash(token.tokenHash))?.token).toMatchObject({
          revokedAt: now,
          revokedReason: 'reuse_detected',
        });
      }
      expect(
        (await storage().refreshTokens.findByTokenHash(otherFamily.tokenHash))?.token.revokedAt,
      ).toBeNull();
      expect(await storage().refreshTokens.claimRotation(second.id, uuidv7(), now)).toBe(false);
    });
  });
}
