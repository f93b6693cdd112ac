import { randomBytes } from 'node:crypto';
import { describe, expect } from 'vitest';
import { sha256Hex } from '../../crypto/random.js';
import { uuidv7 } from '../../crypto/uuid.js';
import type { OneTimeToken } from '../../email-links/one-time-tokens.js';
import { aUser, expectConflict, later, type StorageCases } from '../storage-fixtures.js';

/** An unused token of `userId`, created now and expiring in 10 minutes. */
function aOneTimeToken(userId: string, overrides: Partial<OneTimeToken> = {}): OneTimeToken {
  const now = new Date();
  return {
    id: uuidv7(),
    userId,
    purpose: 'magic_link',
    tokenHash: sha256Hex(randomBytes(32).toString('base64url')),
    email: 'ada@example.test',
    redirectTo: null,
    expiresAt: later(now, 600_000),
    usedAt: null,
    createdAt: now,
    ...overrides,
  };
}

export function oneTimeTokenCases({ it, storage }: StorageCases): void {
  async function createUser() {
    const user = aUser();
    await storage().users.create(user);
    return user;
  }

  describe('one-time tokens', () => {
    it('stores every one-time token field and finds it by token hash', async () => {
      const user = await createUser();
      const token = aOneTimeToken(user.id, {
        purpose: 'password_reset',
        email: user.email,
        redirectTo: 'https://app.example.com/welcome?tab=1&x=é',
        expiresAt: new Date('2037-06-07T08:09:10.011Z'),
        createdAt: new Date('2024-05-06T07:08:09.010Z'),
      });
      const plain = aOneTimeToken(user.id, { purpose: 'email_verification' });
      await storage().oneTimeTokens.create(token);
      await storage().oneTimeTokens.create(plain);

      expect(await storage().oneTimeTokens.findByTokenHash(token.tokenHash)).toEqual(token);
      expect(await storage().oneTimeTokens.findByTokenHash(plain.tokenHash)).toEqual(plain);
      expect(await storage().oneTimeTokens.findByTokenHash(aOneTimeToken(user.id).tokenHash)).toBeNull();
    });

    it('rejects a second one-time token with the same token hash as a conflict', async () => {
      const user = await createUser();
      const first = aOneTimeToken(user.id);
      await storage().oneTimeTokens.create(first);
      await expectConflict(() =>
        storage().oneTimeTokens.create(aOneTimeToken(user.id, { tokenHash: first.tokenHash })),
      );
      expect(await storage().oneTimeTokens.findByTokenHash(first.tokenHash)).toEqual(first);
    });

    it('consumes a one-time token once: the use sets usedAt, a second use gets nothing', async () => {
      const user = await createUser();
      const token = aOneTimeToken(user.id);
      await storage().oneTimeTokens.create(token);
      const now = later(token.createdAt, 1_000);

      expect(await storage().oneTimeTokens.consume(token.id, now)).toEqual({ ...token, usedAt: now });
      expect(await storage().oneTimeTokens.consume(token.id, later(now, 1))).toBeNull();
      expect(await storage().oneTimeTokens.findByTokenHash(token.tokenHash)).toEqual({
        ...token,
        usedAt: now,
      });
      expect(await storage().oneTimeTokens.consume(aOneTimeToken(user.id).id, now)).toBeNull();
    });

    it('does not consume a one-time token at or after its expiry', async () => {
      const user = await createUser();
      const token = aOneTimeToken(user.id);
      await storage().oneTimeTokens.create(token);

      expect(await storage().oneTimeTokens.consume(token.id, token.expiresAt)).toBeNull();
      expect(await storage().oneTimeTokens.consume(token.id, later(token.expiresAt, 1))).toBeNull();
      expect(await storage().oneTimeTokens.findByTokenHash(token.tokenHash)).toEqual(token);
      expect(await storage().oneTimeTokens.consume(token.id, later(token.expiresAt, -1))).not.toBeNull();
    });

    it('of 20 concurrent consumers of one token exactly one wins', async () => {
      const user = await createUser();
      const token = aOneTimeToken(user.id);
      await storage().oneTimeTokens.create(token);
      const now = new Date();

      const results = await Promise.all(
        Array.from({ length: 20 }, () => storage().oneTimeTokens.consume(token.id, now)),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });

    it('of 20 concurrent transactions consuming one token exactly one commits its use', async () => {
      const user = await createUser();
      const token = aOneTimeToken(user.id);
      await storage().oneTimeTokens.create(token);
      const now = new Date();

      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          storage().transaction(async (tx) => {
            const used = await tx.oneTimeTokens.consume(token.id, now);
            if (!used) throw new Error('lost');
            return used;
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it("expires the user's unused tokens of one purpose, no other purpose and no other user's", async () => {
      const user = await createUser();
      const other = await createUser();
      const now = new Date();
      const resets = [
        aOneTimeToken(user.id, { purpose: 'password_reset' }),
        aOneTimeToken(user.id, { purpose: 'password_reset' }),
      ];
      const used = aOneTimeToken(user.id, { purpose: 'password_reset', usedAt: later(now, -5_000) });
      const magic = aOneTimeToken(user.id, { purpose: 'magic_link' });
      const othersReset = aOneTimeToken(other.id, { purpose: 'password_reset' });
      for (const token of [...resets, used, magic, othersReset]) await storage().oneTimeTokens.create(token);

      expect(await storage().oneTimeTokens.expireUnused(user.id, 'password_reset', now)).toBe(2);
      for (const token of resets) {
        expect(await storage().oneTimeTokens.findByTokenHash(token.tokenHash)).toEqual({
          ...token,
          usedAt: now,
        });
      }
      expect(await storage().oneTimeTokens.findByTokenHash(used.tokenHash)).toEqual(used);
      expect(await storage().oneTimeTokens.findByTokenHash(magic.tokenHash)).toEqual(magic);
      expect(await storage().oneTimeTokens.findByTokenHash(othersReset.tokenHash)).toEqual(othersReset);
    });

    it("marks a user's email verified once, only while the email is unchanged", async () => {
      const user = await createUser();
      const at = later(user.updatedAt, 1_000);

      expect(await storage().users.markEmailVerified(user.id, 'someone.else@example.test', at)).toBe(false);
      expect(await storage().users.findById(user.id)).toEqual(user);
      const results = await Promise.all(
        Array.from({ length: 5 }, () => storage().users.markEmailVerified(user.id, user.email, at)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await storage().users.findById(user.id)).toEqual({
        ...user,
        emailVerifiedAt: at,
        updatedAt: at,
      });
      expect(await storage().users.markEmailVerified(user.id, user.email, later(at, 1_000))).toBe(false);
    });
  });
}
