import { describe, expect } from 'vitest';
import { sha256Hex } from '../../crypto/random.js';
import { randomSuffix, type StorageCases } from '../storage-fixtures.js';

const DAY_MS = 86_400_000;

export function credentialFailureCases({ it, storage }: StorageCases): void {
  // what core passes: a hex keyed hash of the typed account
  const aKey = () => sha256Hex(`shared:${randomSuffix()}@example.test`);
  const at = (ms: number) => new Date(Math.floor(ms));

  describe('credential failures', () => {
    it('records failures one by one, counting up from 1, and finds the record as written', async () => {
      const key = aKey();
      const t0 = Date.now();
      expect(await storage().credentialFailures.find(key)).toBeNull();

      expect(await storage().credentialFailures.recordFailure(key, at(t0), at(t0 - DAY_MS))).toBe(1);
      expect(await storage().credentialFailures.recordFailure(key, at(t0 + 1000), at(t0 - DAY_MS))).toBe(2);
      expect(await storage().credentialFailures.recordFailure(key, at(t0 + 2000), at(t0 - DAY_MS))).toBe(3);

      expect(await storage().credentialFailures.find(key)).toEqual({ count: 3, lastFailedAt: at(t0 + 2000) });
      expect(await storage().credentialFailures.find(aKey())).toBeNull();
    });

    it('starts a lapsed record over at 1', async () => {
      const key = aKey();
      const t0 = Date.now() - 2 * DAY_MS;
      await storage().credentialFailures.recordFailure(key, at(t0), at(t0 - DAY_MS));
      await storage().credentialFailures.recordFailure(key, at(t0), at(t0 - DAY_MS));

      const now = Date.now();
      expect(await storage().credentialFailures.recordFailure(key, at(now), at(now - DAY_MS))).toBe(1);
      expect(await storage().credentialFailures.find(key)).toEqual({ count: 1, lastFailedAt: at(now) });
    });

    it('clears a record, and says whether there was one', async () => {
      const key = aKey();
      const now = Date.now();
      await storage().credentialFailures.recordFailure(key, at(now), at(now - DAY_MS));

      expect(await storage().credentialFailures.clear(key)).toBe(true);
      expect(await storage().credentialFailures.find(key)).toBeNull();
      expect(await storage().credentialFailures.clear(key)).toBe(false);
    });

    it('deletes the lapsed records and keeps the others', async () => {
      const lapsed = aKey();
      const fresh = aKey();
      const now = Date.now();
      await storage().credentialFailures.recordFailure(lapsed, at(now - 2 * DAY_MS), at(now - 3 * DAY_MS));
      await storage().credentialFailures.recordFailure(fresh, at(now), at(now - DAY_MS));

      expect(await storage().credentialFailures.deleteLapsed(at(now - DAY_MS))).toBeGreaterThanOrEqual(1);

      expect(await storage().credentialFailures.find(lapsed)).toBeNull();
      expect(await storage().credentialFailures.find(fresh)).toEqual({ count: 1, lastFailedAt: at(now) });
    });

    it('of 20 concurrent failures on one account each gets its own count, 1 to 20', async () => {
      const key = aKey();
      const now = Date.now();
      const counts = await Promise.all(
        Array.from({ length: 20 }, () =>
          storage().credentialFailures.recordFailure(key, at(now), at(now - DAY_MS)),
        ),
      );

      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect((await storage().credentialFailures.find(key))?.count).toBe(20);
    });

    it('rolls a recorded failure back with its transaction', async () => {
      const key = aKey();
      const now = Date.now();
      await expect(
        storage().transaction(async (tx) => {
          await tx.credentialFailures.recordFailure(key, at(now), at(now - DAY_MS));
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');

      expect(await storage().credentialFailures.find(key)).toBeNull();
    });
  });
}
