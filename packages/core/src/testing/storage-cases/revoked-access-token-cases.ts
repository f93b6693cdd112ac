import { describe, expect } from 'vitest';
import { uuidv7 } from '../../crypto/uuid.js';
import type { StorageCases } from '../storage-fixtures.js';

const MINUTE_MS = 60_000;

export function revokedAccessTokenCases({ it, storage }: StorageCases): void {
  describe('revoked access tokens', () => {
    it('denies a recorded jti until its expiry, and nothing else', async () => {
      const now = new Date('2025-03-04T05:06:07.089Z');
      const tokenId = uuidv7(now.getTime());
      const expiresAt = new Date(now.getTime() + 5 * MINUTE_MS);
      expect(await storage().revokedAccessTokens.isRevoked(tokenId, now)).toBe(false);
      await storage().revokedAccessTokens.add({ tokenId, expiresAt, revokedAt: now });
      expect(await storage().revokedAccessTokens.isRevoked(tokenId, now)).toBe(true);
      expect(await storage().revokedAccessTokens.isRevoked(tokenId, new Date(expiresAt.getTime() - 1))).toBe(
        true,
      );
      // at its exp the token is refused anyway: the row need not say so
      expect(await storage().revokedAccessTokens.isRevoked(tokenId, expiresAt)).toBe(false);
      expect(await storage().revokedAccessTokens.isRevoked(uuidv7(now.getTime()), now)).toBe(false);
    });

    it('takes the same revocation twice, and concurrent ones, without a conflict', async () => {
      const now = new Date('2025-03-04T05:06:07.089Z');
      const tokenId = uuidv7(now.getTime());
      const revoked = { tokenId, expiresAt: new Date(now.getTime() + MINUTE_MS), revokedAt: now };
      await storage().revokedAccessTokens.add(revoked);
      await storage().revokedAccessTokens.add({ ...revoked, revokedAt: new Date(now.getTime() + 1000) });
      const other = uuidv7(now.getTime());
      await Promise.all(
        Array.from({ length: 5 }, () => storage().revokedAccessTokens.add({ ...revoked, tokenId: other })),
      );
      expect(await storage().revokedAccessTokens.isRevoked(tokenId, now)).toBe(true);
      expect(await storage().revokedAccessTokens.isRevoked(other, now)).toBe(true);
    });
  });
}
