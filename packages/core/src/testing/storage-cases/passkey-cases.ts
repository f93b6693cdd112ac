import { describe, expect } from 'vitest';
import { sha256Hex } from '../../crypto/random.js';
import { uuidv7 } from '../../crypto/uuid.js';
import { aPasskey, aUser, expectConflict, later, type StorageCases } from '../storage-fixtures.js';

// a counter beyond 2^31: hardware keys count in 32 bits unsigned, so the column must hold it
const BIG_COUNTER = 3_000_000_000;

export function passkeyCases({ it, storage }: StorageCases): void {
  async function createUser() {
    const user = aUser();
    await storage().users.create(user);
    return user;
  }

  describe('passkeys', () => {
    it('creates passkeys, lists them oldest first, counts them and finds one with its user', async () => {
      const user = await createUser();
      const first = aPasskey(user.id, { createdAt: new Date(Date.now() - 60_000) });
      const second = aPasskey(user.id, {
        deviceType: 'singleDevice',
        backedUp: false,
        transports: [],
        counter: BIG_COUNTER,
        lastUsedAt: new Date(),
      });
      await storage().passkeys.create(second);
      await storage().passkeys.create(first);

      expect(await storage().passkeys.listByUser(user.id)).toEqual([first, second]);
      expect(await storage().passkeys.countByUser(user.id)).toBe(2);
      expect(await storage().passkeys.countByUser(aUser().id)).toBe(0);
      expect(await storage().passkeys.findByCredentialIdHash(second.credentialIdHash)).toEqual({
        passkey: second,
        user,
      });
      expect(await storage().passkeys.findByCredentialIdHash(sha256Hex('unknown'))).toBeNull();
    });

    it('refuses a credential id registered before, for any user', async () => {
      const user = await createUser();
      const other = await createUser();
      const passkey = aPasskey(user.id);
      await storage().passkeys.create(passkey);

      await expectConflict(() =>
        storage().passkeys.create(
          aPasskey(other.id, {
            credentialId: passkey.credentialId,
            credentialIdHash: passkey.credentialIdHash,
          }),
        ),
      );
      expect(await storage().passkeys.countByUser(other.id)).toBe(0);
    });

    it("renames and deletes only the user's own passkey", async () => {
      const user = await createUser();
      const other = await createUser();
      const passkey = aPasskey(user.id);
      await storage().passkeys.create(passkey);
      const at = later(passkey.createdAt, 1_000);

      expect(await storage().passkeys.rename(other.id, passkey.id, 'Mine now', at)).toBeNull();
      expect(await storage().passkeys.delete(other.id, passkey.id)).toBe(false);
      expect(await storage().passkeys.rename(user.id, passkey.id, 'Work YubiKey', at)).toEqual({
        ...passkey,
        name: 'Work YubiKey',
        updatedAt: at,
      });
      expect(await storage().passkeys.rename(user.id, uuidv7(), 'x', at)).toBeNull();

      expect(await storage().passkeys.delete(user.id, passkey.id)).toBe(true);
      expect(await storage().passkeys.delete(user.id, passkey.id)).toBe(false);
      expect(await storage().passkeys.listByUser(user.id)).toEqual([]);
      expect(await storage().passkeys.findByCredentialIdHash(passkey.credentialIdHash)).toBeNull();
    });

    it('advances the counter only forward, and always for authenticators without one', async () => {
      const user = await createUser();
      const counted = aPasskey(user.id, { counter: 5 });
      const uncounted = aPasskey(user.id);
      await storage().passkeys.create(counted);
      await storage().passkeys.create(uncounted);
      const at = later(counted.createdAt, 1_000);

      expect(await storage().passkeys.advanceCounter(counted.id, 5, at)).toBe(false);
      expect(await storage().passkeys.advanceCounter(counted.id, 4, at)).toBe(false);
      expect(await storage().passkeys.advanceCounter(counted.id, 0, at)).toBe(false);
      expect(await storage().passkeys.advanceCounter(counted.id, BIG_COUNTER, at)).toBe(true);
      const [found] = (await storage().passkeys.listByUser(user.id)).filter((p) => p.id === counted.id);
      expect(found).toEqual({ ...counted, counter: BIG_COUNTER, lastUsedAt: at });

      expect(await storage().passkeys.advanceCounter(uncounted.id, 0, later(at, 1))).toBe(true);
      expect(await storage().passkeys.advanceCounter(uncounted.id, 0, later(at, 2))).toBe(true);
      expect(await storage().passkeys.advanceCounter(uncounted.id, 1, later(at, 3))).toBe(true);
      // once it counted, a counter of 0 is a regression like any other
      expect(await storage().passkeys.advanceCounter(uncounted.id, 0, later(at, 4))).toBe(false);
      expect(await storage().passkeys.advanceCounter(uuidv7(), 9, at)).toBe(false);
    });

    it('of 20 concurrent uses with the same counter value exactly one wins', async () => {
      const user = await createUser();
      const passkey = aPasskey(user.id, { counter: 41 });
      await storage().passkeys.create(passkey);

      const results = await Promise.all(
        Array.from({ length: 20 }, () => storage().passkeys.advanceCounter(passkey.id, 42, new Date())),
      );

      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('rolls a registration back with the transaction that failed', async () => {
      const user = await createUser();
      const passkey = aPasskey(user.id);

      await expect(
        storage().transaction(async (tx) => {
          await tx.passkeys.create(passkey);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');

      expect(await storage().passkeys.findByCredentialIdHash(passkey.credentialIdHash)).toBeNull();
    });
  });
}
