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
  expectVerifiedChain,
  later,
  type StorageCases,
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
        await tx.audit.append(signUp.audit);
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
      await storage().outbox.markDelivered([signUp.outbox.id], now);
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
          await tx.audit.append(signUp.audit);
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

    // a sign-in's transaction writes only: a session, its outbox event and its audit entry (a
    // store may send such a transaction as one statement at its end)
    it('commits a write-only transaction of a session, an outbox event and audit entries on two chains', async () => {
      const tenant = aTenant();
      const user = aUser();
      const now = new Date();
      await storage().tenants.create(tenant);
      await storage().users.create(user);
      const session = aSession(user.id, now);
      const outbox = anOutboxEvent(now);
      const userChain = `user:${user.id}`;
      const entries = [
        anAuditEvent(null, { chainKey: userChain, action: 'session.created', createdAt: now }),
        anAuditEvent(tenant.id, { createdAt: now }),
        anAuditEvent(null, { chainKey: userChain, action: 'session.touched', createdAt: later(now, 1) }),
      ];

      await storage().transaction(async (tx) => {
        await tx.sessions.create(session);
        await tx.outbox.enqueue(outbox);
        for (const entry of entries) await tx.audit.append(entry);
      });

      expect((await storage().sessions.findActiveByTokenHash(session.tokenHash, now))?.session).toEqual(
        session,
      );
      expect(await storage().outbox.findById(outbox.id)).toEqual(outbox);
      const userEntries = await storage().audit.listChain(userChain, 0, 10);
      expect(userEntries.map(({ id, seq }) => ({ id, seq }))).toEqual([
        { id: entries[0]!.id, seq: 1 },
        { id: entries[2]!.id, seq: 2 },
      ]);
      expectVerifiedChain(userEntries);
      expectVerifiedChain(await storage().audit.listChain(tenant.id, 0, 10));
      await storage().outbox.markDelivered([outbox.id], now);
    });

    it('appends concurrent entries of one chain inside one transaction in turn', async () => {
      const user = aUser();
      const now = new Date();
      await storage().users.create(user);
      const chainKey = `user:${user.id}`;
      const entries = Array.from({ length: 4 }, (_, i) =>
        anAuditEvent(null, { chainKey, createdAt: later(now, i) }),
      );

      await storage().transaction(async (tx) => {
        await Promise.all([
          tx.sessions.create(aSession(user.id, now)),
          ...entries.map((entry) => tx.audit.append(entry)),
        ]);
      });

      const chain = await storage().audit.listChain(chainKey, 0, 10);
      expect(chain.map((entry) => entry.seq)).toEqual([1, 2, 3, 4]);
      expect(chain.map((entry) => entry.id).sort()).toEqual(entries.map((entry) => entry.id).sort());
      expectVerifiedChain(chain);
    });

    it('writes nothing of a write-only transaction when one of its writes conflicts', async () => {
      const user = aUser();
      const now = new Date();
      await storage().users.create(user);
      const existing = aSession(user.id, now);
      await storage().sessions.create(existing);
      const outbox = anOutboxEvent(now);
      const entry = anAuditEvent(null, { chainKey: `user:${user.id}`, createdAt: now });

      const error = await caught(() =>
        storage().transaction(async (tx) => {
          await tx.outbox.enqueue(outbox);
          await tx.sessions.create(aSession(user.id, now, { id: existing.id }));
          await tx.audit.append(entry);
        }),
      );

      expect(isAuthError(error, 'conflict'), String(error)).toBe(true);
      expect(await storage().outbox.findById(outbox.id)).toBeNull();
      expect(await storage().audit.listChain(`user:${user.id}`, 0, 10)).toEqual([]);
      // the chain did not move either: the next entry is still the first
      await storage().audit.append(entry);
      expect(await storage().audit.listChain(`user:${user.id}`, 0, 10)).toMatchObject([
        { id: entry.id, seq: 1 },
      ]);
    });

    it('20 concurrent write-only transactions on one chain each commit, with seqs 1 to 20', async () => {
      const user = aUser();
      const now = new Date();
      await storage().users.create(user);
      const chainKey = `user:${user.id}`;
      const sessions = Array.from({ length: 20 }, () => aSession(user.id, now));

      await Promise.all(
        sessions.map((session, i) =>
          storage().transaction(async (tx) => {
            await tx.sessions.create(session);
            await tx.audit.append(anAuditEvent(null, { chainKey, createdAt: later(now, i) }));
          }),
        ),
      );

      const chain = await storage().audit.listChain(chainKey, 0, 100);
      expect(chain.map((entry) => entry.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expectVerifiedChain(chain);
      for (const session of sessions) {
        expect(await storage().sessions.findActiveByTokenHash(session.tokenHash, now)).not.toBeNull();
      }
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
        expect((await tx.tenants.listForUser(user.id, { limit: 10 })).items).toEqual([
          { ...tenant, roles: ['member'] },
        ]);
        const entry = anAuditEvent(tenant.id);
        await tx.audit.append(entry);
        expect(await tx.audit.list(tenant.id, { limit: 10 })).toMatchObject([{ ...entry, seq: 1 }]);
      });
    });
  });
}
