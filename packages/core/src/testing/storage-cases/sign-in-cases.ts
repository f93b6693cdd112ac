import { describe, expect } from 'vitest';
import { sha256Hex } from '../../crypto/random.js';
import { uuidv7 } from '../../crypto/uuid.js';
import { normalizeEmail } from '../../users/users.js';
import { aPasskey, aTenant, aTotp, aUser, randomSuffix, type StorageCases } from '../storage-fixtures.js';

const DAY_MS = 86_400_000;
// a step of 2026: realistic magnitudes (about 59 million), not small test numbers
const STEP = 59_000_000;

export function signInCases({ it, storage }: StorageCases): void {
  // what core passes: a hex keyed hash of the typed account
  const aKey = () => sha256Hex(`shared:${randomSuffix()}@example.test`);
  const at = (ms: number) => new Date(Math.floor(ms));
  const aHash = () => `$argon2id$v=19$m=19456,t=2,p=1$${randomSuffix()}`;

  async function createUser(overrides: Parameters<typeof aUser>[0] = {}) {
    const user = aUser(overrides);
    await storage().users.create(user);
    return user;
  }

  describe('sign-in reads', () => {
    it('reads a user with the password hash in one call, or a null hash without a password', async () => {
      const withPassword = await createUser();
      const passwordless = await createUser();
      const hash = aHash();
      await storage().passwords.upsert(withPassword.id, hash, new Date());

      expect(await storage().signIn.findAccountByEmail(null, normalizeEmail(withPassword.email))).toEqual({
        user: withPassword,
        passwordHash: hash,
        failures: null,
        hasSecondFactor: false,
      });
      expect(await storage().signIn.findAccountByEmail(null, normalizeEmail(passwordless.email))).toEqual({
        user: passwordless,
        passwordHash: null,
        failures: null,
        hasSecondFactor: false,
      });
    });

    it('finds an account by normalized email only in its own pool, and none for an unknown email', async () => {
      const tenant = aTenant({ userPool: 'isolated' });
      await storage().tenants.create(tenant);
      const isolated = await createUser({
        tenantId: tenant.id,
        email: `Isolated-${randomSuffix()}@Example.TEST`,
      });
      const email = normalizeEmail(isolated.email);

      expect((await storage().signIn.findAccountByEmail(tenant.id, email))?.user).toEqual(isolated);
      expect(await storage().signIn.findAccountByEmail(null, email)).toBeNull();
      expect(await storage().signIn.findAccountByEmail(null, normalizeEmail(aUser().email))).toBeNull();
    });

    it('never finds an isolated-pool user through the shared pool, with or without a failure key (the pool predicate)', async () => {
      const tenant = aTenant({ userPool: 'isolated' });
      await storage().tenants.create(tenant);
      const email = `both-pools-${randomSuffix()}@example.test`;
      const isolated = await createUser({ tenantId: tenant.id, email });
      const isolatedOnly = await createUser({
        tenantId: tenant.id,
        email: `isolated-only-${randomSuffix()}@example.test`,
      });
      const shared = await createUser({ email });
      const sharedHash = aHash();
      const isolatedHash = aHash();
      await storage().passwords.upsert(shared.id, sharedHash, new Date());
      await storage().passwords.upsert(isolated.id, isolatedHash, new Date());

      for (const key of [undefined, aKey()]) {
        expect(await storage().signIn.findAccountByEmail(null, email, key)).toMatchObject({
          user: shared,
          passwordHash: sharedHash,
        });
        expect(await storage().signIn.findAccountByEmail(tenant.id, email, key)).toMatchObject({
          user: isolated,
          passwordHash: isolatedHash,
        });
        expect(
          await storage().signIn.findAccountByEmail(null, normalizeEmail(isolatedOnly.email), key),
        ).toBeNull();
      }
    });

    it('reads the failure record of the given key with the user and password in one call', async () => {
      const user = await createUser();
      const hash = aHash();
      await storage().passwords.upsert(user.id, hash, new Date());
      const key = aKey();
      const email = normalizeEmail(user.email);

      expect(await storage().signIn.findAccountByEmail(null, email, key)).toEqual({
        user,
        passwordHash: hash,
        failures: null,
        hasSecondFactor: false,
      });
      const now = Date.now();
      await storage().credentialFailures.recordFailure(key, at(now), at(now - DAY_MS));
      await storage().credentialFailures.recordFailure(key, at(now), at(now - DAY_MS));

      expect(await storage().signIn.findAccountByEmail(null, email, key)).toEqual({
        user,
        passwordHash: hash,
        failures: { count: 2, lastFailedAt: at(now) },
        hasSecondFactor: false,
      });
      // another account's record is not this one's
      expect((await storage().signIn.findAccountByEmail(null, email, aKey()))?.failures).toBeNull();
      expect((await storage().signIn.findAccountByEmail(null, email))?.failures).toBeNull();
      expect(
        await storage().signIn.findAccountByEmail(null, `nobody-${randomSuffix()}@example.test`, key),
      ).toBeNull();
    });

    it('the sign-in lookup tells a confirmed authenticator from a pending one (hasSecondFactor)', async () => {
      const user = await createUser();
      const lookUp = () => storage().signIn.findAccountByEmail(user.tenantId, normalizeEmail(user.email));
      expect((await lookUp())?.hasSecondFactor).toBe(false);
      await storage().mfa.createTotp(aTotp(user.id));
      expect((await lookUp())?.hasSecondFactor).toBe(false);
      expect(await storage().mfa.confirmTotp(user.id, STEP, new Date())).toBe(true);
      expect((await lookUp())?.hasSecondFactor).toBe(true);
    });

    it('the sign-in lookup counts a passkey as a second factor (hasSecondFactor)', async () => {
      const user = await createUser();
      const lookUp = () => storage().signIn.findAccountByEmail(user.tenantId, normalizeEmail(user.email));
      expect((await lookUp())?.hasSecondFactor).toBe(false);
      await storage().passkeys.create(aPasskey(user.id));
      expect((await lookUp())?.hasSecondFactor).toBe(true);
    });

    it('reads every second factor of a user in one call: confirmed TOTP, unused recovery codes, passkeys', async () => {
      const user = await createUser();
      const none = { totp: false, recoveryCodes: false, passkeys: false };
      expect(await storage().signIn.findSecondFactors(user.id)).toEqual(none);

      await storage().mfa.createTotp(aTotp(user.id));
      // a pending authenticator is not a factor yet
      expect(await storage().signIn.findSecondFactors(user.id)).toEqual(none);
      expect(await storage().mfa.confirmTotp(user.id, STEP, new Date())).toBe(true);
      const code = { id: uuidv7(), userId: user.id, codeHash: sha256Hex(randomSuffix()), usedAt: null };
      await storage().mfa.replaceRecoveryCodes(user.id, [{ ...code, createdAt: new Date() }]);
      expect(await storage().signIn.findSecondFactors(user.id)).toEqual({
        ...none,
        totp: true,
        recoveryCodes: true,
      });

      // a used code is no factor
      expect(await storage().mfa.useRecoveryCode(user.id, code.codeHash, new Date())).toBe(true);
      await storage().passkeys.create(aPasskey(user.id));
      expect(await storage().signIn.findSecondFactors(user.id)).toEqual({
        ...none,
        totp: true,
        passkeys: true,
      });

      expect(await storage().mfa.deleteTotp(user.id)).toBe(true);
      expect(await storage().signIn.findSecondFactors(user.id)).toEqual({ ...none, passkeys: true });
      // another user's factors are not this one's; an unknown user has none
      expect(await storage().signIn.findSecondFactors((await createUser()).id)).toEqual(none);
      expect(await storage().signIn.findSecondFactors(uuidv7())).toEqual(none);
    });

    it('reads the second factors in a transaction as the transaction sees them', async () => {
      const user = await createUser();
      await storage().passkeys.create(aPasskey(user.id));
      await expect(
        storage().transaction(async (tx) => {
          await tx.mfa.createTotp(aTotp(user.id));
          expect(await tx.mfa.confirmTotp(user.id, STEP, new Date())).toBe(true);
          expect(await tx.signIn.findSecondFactors(user.id)).toEqual({
            totp: true,
            recoveryCodes: false,
            passkeys: true,
          });
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');

      expect((await storage().signIn.findSecondFactors(user.id)).totp).toBe(false);
    });
  });
}
