import { describe, expect } from 'vitest';
import type { RecoveryCode } from '../../credentials/totp/mfa.js';
import { sha256Hex } from '../../crypto/random.js';
import { uuidv7 } from '../../crypto/uuid.js';
import { aTotp, aUser, expectConflict, later, randomSuffix, type StorageCases } from '../storage-fixtures.js';

// a step of 2026: realistic magnitudes (about 59 million), not small test numbers
const STEP = 59_000_000;

export function mfaCases({ it, storage }: StorageCases): void {
  async function createUser() {
    const user = aUser();
    await storage().users.create(user);
    return user;
  }

  function someCodes(userId: string, n = 10): RecoveryCode[] {
    const now = new Date();
    return Array.from({ length: n }, (_, i) => ({
      id: uuidv7(),
      userId,
      codeHash: sha256Hex(`code-${i}-${randomSuffix()}`),
      usedAt: null,
      createdAt: now,
    }));
  }

  async function confirmedTotp() {
    const user = await createUser();
    await storage().mfa.createTotp(aTotp(user.id));
    expect(await storage().mfa.confirmTotp(user.id, STEP, new Date())).toBe(true);
    return user;
  }

  describe('mfa: TOTP', () => {
    it('creates a pending authenticator, finds it as written, and refuses a second one', async () => {
      const user = await createUser();
      const totp = aTotp(user.id);

      await storage().mfa.createTotp(totp);

      expect(await storage().mfa.findTotp(user.id)).toEqual(totp);
      expect(await storage().mfa.findTotp(aUser().id)).toBeNull();
      await expectConflict(() => storage().mfa.createTotp(aTotp(user.id)));
    });

    it('deletes a pending authenticator but never a confirmed one through deletePendingTotp', async () => {
      const pending = await createUser();
      await storage().mfa.createTotp(aTotp(pending.id));
      expect(await storage().mfa.deletePendingTotp(pending.id)).toBe(true);
      expect(await storage().mfa.findTotp(pending.id)).toBeNull();
      expect(await storage().mfa.deletePendingTotp(pending.id)).toBe(false);

      const confirmed = await confirmedTotp();
      expect(await storage().mfa.deletePendingTotp(confirmed.id)).toBe(false);
      expect(await storage().mfa.findTotp(confirmed.id)).not.toBeNull();
    });

    it('confirms once, burning the first step; the confirmed authenticator keeps its step', async () => {
      const user = await createUser();
      const totp = aTotp(user.id);
      await storage().mfa.createTotp(totp);
      const at = later(totp.createdAt, 5_000);

      expect(await storage().mfa.confirmTotp(user.id, STEP, at)).toBe(true);
      expect(await storage().mfa.confirmTotp(user.id, STEP + 1, at)).toBe(false);

      expect(await storage().mfa.findTotp(user.id)).toEqual({
        ...totp,
        confirmedAt: at,
        lastUsedStep: STEP,
        updatedAt: at,
      });
      expect(await storage().mfa.claimTotpStep(user.id, STEP, at)).toBe(false);
    });

    it('claims only later steps of a confirmed authenticator, never one already used', async () => {
      const pending = await createUser();
      await storage().mfa.createTotp(aTotp(pending.id));
      expect(await storage().mfa.claimTotpStep(pending.id, STEP, new Date())).toBe(false);

      const user = await confirmedTotp();
      expect(await storage().mfa.claimTotpStep(user.id, STEP + 1, new Date())).toBe(true);
      expect(await storage().mfa.claimTotpStep(user.id, STEP + 1, new Date())).toBe(false);
      expect(await storage().mfa.claimTotpStep(user.id, STEP, new Date())).toBe(false);
      expect(await storage().mfa.claimTotpStep(user.id, STEP + 3, new Date())).toBe(true);
      expect((await storage().mfa.findTotp(user.id))?.lastUsedStep).toBe(STEP + 3);
    });

    it('of 20 concurrent claims of one step exactly one wins', async () => {
      const user = await confirmedTotp();

      const results = await Promise.all(
        Array.from({ length: 20 }, () => storage().mfa.claimTotpStep(user.id, STEP + 1, new Date())),
      );

      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('deletes an authenticator, confirmed or not, and answers false when there is none', async () => {
      const user = await confirmedTotp();
      expect(await storage().mfa.deleteTotp(user.id)).toBe(true);
      expect(await storage().mfa.findTotp(user.id)).toBeNull();
      expect(await storage().mfa.deleteTotp(user.id)).toBe(false);
    });
  });

  describe('mfa: recovery codes', () => {
    it('replaces every code of the user, and only of that user', async () => {
      const user = await createUser();
      const other = await createUser();
      const first = someCodes(user.id);
      await storage().mfa.replaceRecoveryCodes(user.id, first);
      await storage().mfa.replaceRecoveryCodes(other.id, someCodes(other.id, 3));
      expect(await storage().mfa.countUnusedRecoveryCodes(user.id)).toBe(10);

      const second = someCodes(user.id, 4);
      await storage().mfa.replaceRecoveryCodes(user.id, second);

      expect(await storage().mfa.countUnusedRecoveryCodes(user.id)).toBe(4);
      expect(await storage().mfa.useRecoveryCode(user.id, first[0]!.codeHash, new Date())).toBe(false);
      expect(await storage().mfa.useRecoveryCode(user.id, second[0]!.codeHash, new Date())).toBe(true);
      expect(await storage().mfa.countUnusedRecoveryCodes(other.id)).toBe(3);
    });

    it("uses a code once, and never another user's code", async () => {
      const user = await createUser();
      const other = await createUser();
      const codes = someCodes(user.id);
      await storage().mfa.replaceRecoveryCodes(user.id, codes);

      expect(await storage().mfa.useRecoveryCode(other.id, codes[2]!.codeHash, new Date())).toBe(false);
      expect(await storage().mfa.useRecoveryCode(user.id, codes[2]!.codeHash, new Date())).toBe(true);
      expect(await storage().mfa.useRecoveryCode(user.id, codes[2]!.codeHash, new Date())).toBe(false);
      expect(await storage().mfa.countUnusedRecoveryCodes(user.id)).toBe(9);
    });

    it('of 20 concurrent uses of one recovery code exactly one succeeds', async () => {
      const user = await createUser();
      const codes = someCodes(user.id);
      await storage().mfa.replaceRecoveryCodes(user.id, codes);

      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          storage().mfa.useRecoveryCode(user.id, codes[0]!.codeHash, new Date()),
        ),
      );

      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('deletes every code of the user and says how many', async () => {
      const user = await createUser();
      await storage().mfa.replaceRecoveryCodes(user.id, someCodes(user.id, 6));
      expect(await storage().mfa.deleteRecoveryCodes(user.id)).toBe(6);
      expect(await storage().mfa.countUnusedRecoveryCodes(user.id)).toBe(0);
      expect(await storage().mfa.deleteRecoveryCodes(user.id)).toBe(0);
    });

    it('rolls the replacement back with the transaction that failed', async () => {
      const user = await createUser();
      await storage().mfa.replaceRecoveryCodes(user.id, someCodes(user.id, 5));

      await expect(
        storage().transaction(async (tx) => {
          await tx.mfa.replaceRecoveryCodes(user.id, someCodes(user.id, 2));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');

      expect(await storage().mfa.countUnusedRecoveryCodes(user.id)).toBe(5);
    });
  });
}
