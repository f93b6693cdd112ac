import { describe, expect } from 'vitest';
import type { OAuthAccount } from '../../credentials/oauth/oauth.js';
import { uuidv7 } from '../../crypto/uuid.js';
import { isAuthError } from '../../errors.js';
import { aUser, expectConflict, later, randomSuffix, type StorageCases } from '../storage-fixtures.js';

export function oauthAccountCases({ it, storage }: StorageCases): void {
  async function createUser() {
    const user = aUser();
    await storage().users.create(user);
    return user;
  }

  function anAccount(userId: string, overrides: Partial<OAuthAccount> = {}): OAuthAccount {
    return {
      id: uuidv7(),
      userId,
      provider: 'google',
      // subjects are opaque strings of the provider: long, case-sensitive, sometimes numeric
      subject: `1098${randomSuffix()}AbC`,
      email: `someone-${randomSuffix()}@gmail.test`,
      createdAt: new Date(),
      ...overrides,
    };
  }

  describe('oauth accounts', () => {
    it('creates an account and finds it with its user by (provider, subject)', async () => {
      const user = await createUser();
      const account = anAccount(user.id);

      await storage().oauthAccounts.create(account);

      expect(await storage().oauthAccounts.findByProviderSubject('google', account.subject)).toEqual({
        account,
        user,
      });
      expect(await storage().oauthAccounts.findByProviderSubject('github', account.subject)).toBeNull();
      expect(
        await storage().oauthAccounts.findByProviderSubject('google', account.subject.toLowerCase()),
      ).toBeNull();
    });

    it('keeps a null email as null', async () => {
      const user = await createUser();
      const account = anAccount(user.id, { provider: 'github', subject: randomSuffix(), email: null });
      await storage().oauthAccounts.create(account);
      expect(
        (await storage().oauthAccounts.findByProviderSubject('github', account.subject))?.account,
      ).toEqual(account);
    });

    it('refuses a second account with the same (provider, subject), for the same or another user', async () => {
      const user = await createUser();
      const other = await createUser();
      const account = anAccount(user.id);
      await storage().oauthAccounts.create(account);

      await expectConflict(() =>
        storage().oauthAccounts.create(anAccount(user.id, { subject: account.subject })),
      );
      await expectConflict(() =>
        storage().oauthAccounts.create(anAccount(other.id, { subject: account.subject })),
      );
      // the same subject at another provider is another person
      await storage().oauthAccounts.create(
        anAccount(other.id, { provider: 'microsoft', subject: account.subject }),
      );
    });

    it('of 20 concurrent creations of one (provider, subject) exactly one succeeds', async () => {
      const users = await Promise.all(Array.from({ length: 4 }, createUser));
      const subject = `race-${randomSuffix()}`;

      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          storage().oauthAccounts.create(anAccount(users[i % users.length]!.id, { subject })),
        ),
      );

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') expect(isAuthError(result.reason, 'conflict')).toBe(true);
      }
      expect(await storage().oauthAccounts.findByProviderSubject('google', subject)).not.toBeNull();
    });

    it("lists a user's accounts oldest first, and only theirs", async () => {
      const user = await createUser();
      const other = await createUser();
      const first = anAccount(user.id, {
        provider: 'github',
        createdAt: new Date('2026-01-01T00:00:00.000Z'),
      });
      const second = anAccount(user.id, { createdAt: later(first.createdAt, 60_000) });
      await storage().oauthAccounts.create(second);
      await storage().oauthAccounts.create(first);
      await storage().oauthAccounts.create(anAccount(other.id));

      expect(await storage().oauthAccounts.listByUser(user.id)).toEqual([first, second]);
      expect(await storage().oauthAccounts.listByUser(aUser().id)).toEqual([]);
    });

    it("deletes a user's own account only, then frees its (provider, subject)", async () => {
      const user = await createUser();
      const other = await createUser();
      const account = anAccount(user.id);
      await storage().oauthAccounts.create(account);

      expect(await storage().oauthAccounts.delete(other.id, account.id)).toBe(false);
      expect(await storage().oauthAccounts.delete(user.id, account.id)).toBe(true);
      expect(await storage().oauthAccounts.delete(user.id, account.id)).toBe(false);
      expect(await storage().oauthAccounts.findByProviderSubject('google', account.subject)).toBeNull();
      await storage().oauthAccounts.create(anAccount(other.id, { subject: account.subject }));
    });

    it('rolls a creation back with the transaction that failed', async () => {
      const user = await createUser();
      const account = anAccount(user.id);

      await expect(
        storage().transaction(async (tx) => {
          await tx.oauthAccounts.create(account);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');

      expect(await storage().oauthAccounts.findByProviderSubject('google', account.subject)).toBeNull();
    });
  });
}
