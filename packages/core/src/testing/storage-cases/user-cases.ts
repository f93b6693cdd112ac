import { describe, expect } from 'vitest';
import { isAuthError } from '../../errors.js';
import { normalizeEmail } from '../../users/users.js';
import {
  aTenant,
  aUser,
  expectConflict,
  expectLockHeldUntilCommit,
  later,
  randomSuffix,
  type StorageCases,
} from '../storage-fixtures.js';

export function userCases({ it, storage }: StorageCases): void {
  describe('users', () => {
    it('stores every user field and reads the user back by id', async () => {
      const tenant = aTenant({ userPool: 'isolated' });
      await storage().tenants.create(tenant);
      const verified = aUser({
        email: `Zoë.Ünïcødé-${randomSuffix()}@Example.TEST`,
        name: 'Zoë 山田 🦊',
        emailVerifiedAt: new Date('2024-05-06T07:08:09.123Z'),
        createdAt: new Date('2024-05-06T07:00:00.001Z'),
        updatedAt: new Date('2024-05-06T07:08:09.999Z'),
      });
      const bare = aUser({ tenantId: tenant.id, name: null, status: 'suspended' });
      await storage().users.create(verified);
      await storage().users.create(bare);

      expect(await storage().users.findById(verified.id)).toEqual(verified);
      expect(await storage().users.findById(bare.id)).toEqual(bare);
    });

    it('finds a user by normalized email, only in its own pool', async () => {
      const tenant = aTenant({ userPool: 'isolated' });
      await storage().tenants.create(tenant);
      const shared = aUser({ email: `Mixed.Case-${randomSuffix()}@Example.TEST` });
      const isolated = aUser({ tenantId: tenant.id, email: `Isolated-${randomSuffix()}@Example.TEST` });
      await storage().users.create(shared);
      await storage().users.create(isolated);

      // the email comes back as typed; the lookup uses the normalized form
      expect(await storage().users.findByEmail(null, normalizeEmail(shared.email))).toEqual(shared);
      expect(await storage().users.findByEmail(tenant.id, normalizeEmail(isolated.email))).toEqual(isolated);
      expect(await storage().users.findByEmail(tenant.id, normalizeEmail(shared.email))).toBeNull();
      expect(await storage().users.findByEmail(null, normalizeEmail(isolated.email))).toBeNull();
    });

    it('accepts one email once in the shared pool and once in each isolated tenant', async () => {
      const email = `same-${randomSuffix()}@example.test`;
      const [a, b] = [aTenant({ userPool: 'isolated' }), aTenant({ userPool: 'isolated' })];
      await storage().tenants.create(a);
      await storage().tenants.create(b);
      const inShared = aUser({ email });
      const inA = aUser({ tenantId: a.id, email: email.toUpperCase() });
      const inB = aUser({ tenantId: b.id, email });
      for (const user of [inShared, inA, inB]) await storage().users.create(user);

      expect((await storage().users.findByEmail(null, email))?.id).toBe(inShared.id);
      expect((await storage().users.findByEmail(a.id, email))?.id).toBe(inA.id);
      expect((await storage().users.findByEmail(b.id, email))?.id).toBe(inB.id);
      // the same normalized email twice in one pool
      await expectConflict(() => storage().users.create(aUser({ email: email.toUpperCase() })));
      await expectConflict(() => storage().users.create(aUser({ tenantId: a.id, email })));
    });

    it('treats emails that differ only by an accent as different', async () => {
      const suffix = randomSuffix();
      const plain = aUser({ email: `jose-${suffix}@example.test` });
      const accented = aUser({ email: `josé-${suffix}@example.test` });
      await storage().users.create(plain);
      await storage().users.create(accented);

      expect((await storage().users.findByEmail(null, normalizeEmail(plain.email)))?.id).toBe(plain.id);
      expect((await storage().users.findByEmail(null, normalizeEmail(accented.email)))?.id).toBe(accented.id);
    });

    it('finds no user for an unknown id or email', async () => {
      const unknown = aUser();
      expect(await storage().users.findById(unknown.id)).toBeNull();
      expect(await storage().users.findByEmail(null, normalizeEmail(unknown.email))).toBeNull();
    });

    it('updates the status and updatedAt and returns the user, or null for an unknown user', async () => {
      const user = aUser();
      await storage().users.create(user);
      const suspendedAt = later(user.updatedAt, 5_000);

      const suspended = await storage().users.updateStatus(user.id, 'suspended', suspendedAt);
      expect(suspended).toEqual({ ...user, status: 'suspended', updatedAt: suspendedAt });
      expect(await storage().users.findById(user.id)).toEqual(suspended);
      expect(await storage().users.updateStatus(aUser().id, 'deleted', suspendedAt)).toBeNull();
    });

    it('of 20 concurrent creations with one email exactly one succeeds and 19 conflict', async () => {
      const email = `race-${randomSuffix()}@example.test`;
      const users = Array.from({ length: 20 }, (_, i) =>
        aUser({ email: i % 2 === 0 ? email : email.toUpperCase() }),
      );

      const results = await Promise.allSettled(users.map((user) => storage().users.create(user)));

      const winners = users.filter((_, i) => results[i]!.status === 'fulfilled');
      const losers = results.filter((result) => result.status === 'rejected');
      expect(winners).toHaveLength(1);
      expect(losers.every((result) => isAuthError(result.reason, 'conflict'))).toBe(true);
      expect((await storage().users.findByEmail(null, email))?.id).toBe(winners[0]!.id);
    });

    it('lock holds a user until the transaction ends: a second locker waits for the commit', async () => {
      const user = aUser();
      await storage().users.create(user);
      await expectLockHeldUntilCommit(storage(), (tx, id) => tx.users.lock(id), user.id, aUser().id);
    });
  });

  describe('passwords', () => {
    it('creates the password hash on the first upsert and replaces it on the next', async () => {
      const user = aUser();
      await storage().users.create(user);
      expect(await storage().passwords.findHash(user.id)).toBeNull();

      await storage().passwords.upsert(user.id, 'hash-1', new Date());
      expect(await storage().passwords.findHash(user.id)).toBe('hash-1');
      await storage().passwords.upsert(user.id, 'hash-2', new Date());
      expect(await storage().passwords.findHash(user.id)).toBe('hash-2');
      expect(await storage().passwords.findHash(aUser().id)).toBeNull();
    });

    it("deletes the user's password hash once, and never another user's", async () => {
      const user = aUser();
      const other = aUser();
      await storage().users.create(user);
      await storage().users.create(other);
      await storage().passwords.upsert(user.id, 'hash-1', new Date());
      await storage().passwords.upsert(other.id, 'hash-other', new Date());

      expect(await storage().passwords.delete(user.id)).toBe(true);
      expect(await storage().passwords.findHash(user.id)).toBeNull();
      expect(await storage().passwords.delete(user.id)).toBe(false);
      expect(await storage().passwords.findHash(other.id)).toBe('hash-other');
    });

    it('replaces the hash only while it still equals the expected hash', async () => {
      const user = aUser();
      const passwordless = aUser();
      await storage().users.create(user);
      await storage().users.create(passwordless);
      await storage().passwords.upsert(user.id, 'hash-1', new Date());

      expect(await storage().passwords.replaceIfUnchanged(user.id, 'hash-other', 'hash-2', new Date())).toBe(
        false,
      );
      expect(await storage().passwords.findHash(user.id)).toBe('hash-1');
      expect(await storage().passwords.replaceIfUnchanged(user.id, 'hash-1', 'hash-2', new Date())).toBe(
        true,
      );
      expect(await storage().passwords.findHash(user.id)).toBe('hash-2');
      expect(await storage().passwords.replaceIfUnchanged(user.id, 'hash-1', 'hash-3', new Date())).toBe(
        false,
      );
      expect(await storage().passwords.findHash(user.id)).toBe('hash-2');
      expect(
        await storage().passwords.replaceIfUnchanged(passwordless.id, 'hash-1', 'hash-2', new Date()),
      ).toBe(false);
      expect(await storage().passwords.findHash(passwordless.id)).toBeNull();
    });

    it('of 20 concurrent replacements of one hash exactly one wins', async () => {
      const user = aUser();
      await storage().users.create(user);
      await storage().passwords.upsert(user.id, 'hash-old', new Date());

      const replaced = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          storage().passwords.replaceIfUnchanged(user.id, 'hash-old', `hash-new-${i}`, new Date()),
        ),
      );

      expect(replaced.filter(Boolean)).toHaveLength(1);
      expect(await storage().passwords.findHash(user.id)).toBe(`hash-new-${replaced.indexOf(true)}`);
    });
  });
}
