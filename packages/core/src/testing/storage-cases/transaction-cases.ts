import { describe, expect } from 'vitest';
import { isAuthError } from '../../errors.js';
import { normalizeEmail } from '../../users/users.js';
import {
  aMembership,
  anAuditEvent,
  anOutboxEvent,
  aRole,
  aSession,
  aTenant,
  aUser,
  caught,
  later,
  type StorageCases,
  sealEntry,
} from '../storage-fixtures.js';

// due only in 2037, so no dispatcher sharing the database claims what these cases enqueue
const FAR_FUTURE = new Date('2037-12-31T23:59:58.999Z');

export function transactionCases({ it, storage }: StorageCases): void {
  /** One row of every kind, as a sign-up that creates a tenant would write them. */
  function aSignUp() {
    const now = new Date();
    const tenant = aTenant();
    const user = aUser();
    return {
      tenant,
      user,
      membership: aMembership(tenant.id, user.id, { roles: ['owner'] }),
      role: aRole(tenant.id, 'owner'),
      session: aSession(user.id, now, { tenantId: tenant.id }),
      audit: anAuditEvent(tenant.id, { action: 'tenant.created', actorId: user.id }),
      outbox: anOutboxEvent(now, { tenantId: tenant.id, type: 'tenant.created', availableAt: FAR_FUTURE }),
    };
  }

  describe('transactions', () => {
    it("commits every write of a transaction together and returns the callback's value", async () => {
      const signUp = aSignUp();

      const result = await storage().transaction(async (tx) => {
        await tx.tenants.create(signUp.tenant);
        await tx.users.create(signUp.user);
        await tx.passwords.upsert(signUp.user.id, 'hash-1', new Date());
        await tx.memberships.create(signUp.membership);
        await tx.roles.createMany([signUp.role]);
        await tx.sessions.create(signUp.session);
        await tx.audit.append(signUp.audit, sealEntry);
        await tx.outbox.enqueue(signUp.outbox);
        return 'committed';
      });

      expect(result).toBe('committed');
      const now = new Date();
      expect(await storage().tenants.findById(signUp.tenant.id)).toEqual(signUp.tenant);
      expect(await storage().users.findById(signUp.user.id)).toEqual(signUp.user);
      expect(await storage().passwords.findHash(signUp.user.id)).toBe('hash-1');
      expect(await storage().memberships.find(signUp.tenant.id, signUp.user.id)).toEqual(signUp.membership);
      expect(await storage().roles.listByTenant(signUp.tenant.id)).toEqual([signUp.role]);
      expect(
        (await storage().sessions.findActiveByTokenHash(signUp.session.tokenHash, now))?.session,
      ).toEqual(signUp.session);
      expect(await storage().audit.list(signUp.tenant.id, { limit: 10 })).toMatchObject([
        { id: signUp.audit.id },
      ]);
      expect(await storage().outbox.findById(signUp.outbox.id)).toEqual(signUp.outbox);
      await storage().outbox.markDelivered(signUp.outbox.id, now);
    });

    it('rolls back every write when the callback throws, and rethrows its error', async () => {
      const signUp = aSignUp();
      const failure = new Error('something failed after the writes');

      const error = await caught(() =>
        storage().transaction(async (tx) => {
          await tx.tenants.create(signUp.tenant);
          await tx.users.create(signUp.user);
          await tx.passwords.upsert(signUp.user.id, 'hash-1', new Date());
          await tx.memberships.create(signUp.membership);
          await tx.roles.createMany([signUp.role]);
          await tx.sessions.create(signUp.session);
          await tx.audit.append(signUp.audit, sealEntry);
          await tx.outbox.enqueue(signUp.outbox);
          throw failure;
        }),
      );

      expect(error).toBe(failure);
      expect(await storage().tenants.findById(signUp.tenant.id)).toBeNull();
      expect(await storage().tenants.findBySlug(signUp.tenant.slug)).toBeNull();
      expect(await storage().users.findById(signUp.user.id)).toBeNull();
      expect(await storage().users.findByEmail(null, normalizeEmail(signUp.user.email))).toBeNull();
      expect(await storage().passwords.findHash(signUp.user.id)).toBeNull();
      expect(await storage().memberships.find(signUp.tenant.id, signUp.user.id)).toBeNull();
      expect(await storage().roles.listByTenant(signUp.tenant.id)).toEqual([]);
      expect(await storage().sessions.findActiveByTokenHash(signUp.session.tokenHash, new Date())).toBeNull();
      expect(await storage().audit.list(signUp.tenant.id, { limit: 10 })).toEqual([]);
      expect(await storage().outbox.findById(signUp.outbox.id)).toBeNull();
      // nothing half-written blocks doing it again
      await storage().tenants.create(signUp.tenant);
      await storage().users.create(signUp.user);
    });

    it('rolls back updates, not only inserts', async () => {
      const tenant = aTenant();
      const user = aUser();
      const now = new Date();
      const session = aSession(user.id, now);
      await storage().tenants.create(tenant);
      await storage().users.create(user);
      await storage().passwords.upsert(user.id, 'hash-1', now);
      await storage().sessions.create(session);
      const failure = new Error('roll back');

      const error = await caught(() =>
        storage().transaction(async (tx) => {
          await tx.tenants.update(tenant.id, {
            name: 'Renamed',
            status: 'suspended',
            updatedAt: later(now, 1),
          });
          await tx.users.updateStatus(user.id, 'suspended', later(now, 1));
          await tx.passwords.upsert(user.id, 'hash-2', later(now, 1));
          expect(await tx.passwords.replaceIfUnchanged(user.id, 'hash-2', 'hash-3', later(now, 2))).toBe(
            true,
          );
          await tx.sessions.touch(session.id, later(now, 1), later(now, 60_000));
          expect(await tx.sessions.revokeAllForUser(user.id, later(now, 1), 'suspended')).toBe(1);
          throw failure;
        }),
      );

      expect(error).toBe(failure);
      expect(await storage().tenants.findById(tenant.id)).toEqual(tenant);
      expect(await storage().users.findById(user.id)).toEqual(user);
      expect(await storage().passwords.findHash(user.id)).toBe('hash-1');
      expect((await storage().sessions.findActiveByTokenHash(session.tokenHash, now))?.session).toEqual(
        session,
      );
    });

    it('rolls back the writes made before a conflict inside the transaction', async () => {
      const taken = aUser();
      await storage().users.create(taken);
      const tenant = aTenant();
      const fresh = aUser();

      const error = await caught(() =>
        storage().transaction(async (tx) => {
          await tx.tenants.create(tenant);
          await tx.users.create(fresh);
          await tx.users.create(aUser({ email: taken.email.toUpperCase() }));
        }),
      );

      expect(isAuthError(error, 'conflict'), String(error)).toBe(true);
      expect(await storage().tenants.findById(tenant.id)).toBeNull();
      expect(await storage().users.findById(fresh.id)).toBeNull();
      expect(await storage().users.findById(taken.id)).toEqual(taken);
    });

    it("reads inside a transaction see the transaction's own writes", async () => {
      const tenant = aTenant();
      const user = aUser();

      await storage().transaction(async (tx) => {
        await tx.tenants.create(tenant);
        await tx.users.create(user);
        await tx.memberships.create(aMembership(tenant.id, user.id));
        expect(await tx.tenants.findBySlug(tenant.slug)).toEqual(tenant);
        expect(await tx.users.findByEmail(null, normalizeEmail(user.email))).toEqual(user);
        expect((await tx.tenants.listForUser(user.id, { limit: 10 })).items).toEqual([tenant]);
        const entry = await tx.audit.append(anAuditEvent(tenant.id), sealEntry);
        expect(await tx.audit.list(tenant.id, { limit: 10 })).toEqual([entry]);
      });
    });
  });
}
