import { kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import {
  isAuthError,
  normalizeEmail,
  type Storage,
  sealAuditEvent,
  uuidv7,
  wrapStorage,
} from '@portcullis/core/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  makeAuditInput,
  makeMembership,
  makeOutboxEvent,
  makeRole,
  makeSession,
  makeTenant,
  makeUser,
  T0,
} from '../support/fixtures.js';
import { randomTablePrefix, type TestConnection, type TestDatabase } from '../support/test-databases.js';

async function expectConflict(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAuthError(error, 'conflict'), `expected a conflict, got ${String(error)}`).toBe(true);
}

/**
 * What this adapter promises beyond the shared conformance suite: exact column round-trips,
 * the atomic methods raced on the real database, and the SQL strategies per dialect.
 */
export function describeAdapterBehaviour(database: TestDatabase): void {
  describe('kyselyStorage', () => {
    let connection: TestConnection;
    let storage: Storage;
    const tablePrefix = randomTablePrefix();

    beforeAll(async () => {
      connection = await database.connect();
      await migrate(connection.db, { direction: 'up', tablePrefix });
      storage = wrapStorage(kyselyStorage(connection.db, { tablePrefix }));
    });

    afterAll(async () => {
      if (!connection) return;
      await migrate(connection.db, { direction: 'down', tablePrefix, steps: Number.POSITIVE_INFINITY });
      await connection.close();
    });

    it('declares the dialect and whether it can skip locked rows', () => {
      expect(storage.capabilities.dialect).toBe(connection.dialect);
      expect(storage.capabilities.skipLocked).toBe(connection.dialect !== 'sqlite');
    });

    describe('tenants', () => {
      it('round-trips every field, milliseconds and JSON metadata included', async () => {
        const tenant = makeTenant({ userPool: 'isolated' });
        await storage.tenants.create(tenant);
        expect(await storage.tenants.findById(tenant.id)).toEqual(tenant);
        expect(await storage.tenants.findBySlug(tenant.slug)).toEqual(tenant);
        expect(await storage.tenants.findById(uuidv7())).toBeNull();
      });

      it('rejects a taken slug as a conflict', async () => {
        const tenant = makeTenant();
        await storage.tenants.create(tenant);
        await expectConflict(storage.tenants.create(makeTenant({ slug: tenant.slug })));
      });

      it('updates only the patched fields and returns the tenant, or null when absent', async () => {
        const tenant = makeTenant();
        await storage.tenants.create(tenant);
        const updated = await storage.tenants.update(tenant.id, { status: 'suspended', updatedAt: at(1) });
        expect(updated).toEqual({ ...tenant, status: 'suspended', updatedAt: at(1) });
        const renamed = await storage.tenants.update(tenant.id, {
          name: 'New',
          metadata: {},
          updatedAt: at(2),
        });
        expect(renamed).toMatchObject({ name: 'New', status: 'suspended', metadata: {}, updatedAt: at(2) });
        expect(await storage.tenants.update(uuidv7(), { name: 'x', updatedAt: at(3) })).toBeNull();
      });

      it('lists the tenants of a user by id, page by page, in one join', async () => {
        const user = makeUser();
        await storage.users.create(user);
        const tenants = [makeTenant(), makeTenant(), makeTenant()];
        for (const tenant of tenants) {
          await storage.tenants.create(tenant);
          await storage.memberships.create(makeMembership(tenant.id, user.id));
        }
        await storage.tenants.create(makeTenant()); // not a member
        const first = await storage.tenants.listForUser(user.id, { limit: 2 });
        expect(first.items.map((t) => t.id)).toEqual([tenants[0]!.id, tenants[1]!.id]);
        expect(first.nextCursor).toBe(tenants[1]!.id);
        const second = await storage.tenants.listForUser(user.id, { limit: 2, cursor: first.nextCursor! });
        expect(second).toEqual({ items: [{ ...tenants[2], roles: ['member'] }], nextCursor: null });
      });
    });

    describe('users', () => {
      it('finds users by normalized email within their pool only', async () => {
        const tenant = makeTenant({ userPool: 'isolated' });
        await storage.tenants.create(tenant);
        const shared = makeUser({ email: ' Grace@Example.COM'.trim(), emailVerifiedAt: at(5) });
        const isolated = makeUser({ email: 'grace@example.com', tenantId: tenant.id });
        await storage.users.create(shared);
        await storage.users.create(isolated);
        expect(await storage.users.findByEmail(null, 'grace@example.com')).toEqual(shared);
        expect(await storage.users.findByEmail(tenant.id, 'grace@example.com')).toEqual(isolated);
        expect(await storage.users.findById(isolated.id)).toEqual(isolated);
        expect(await storage.users.findByEmail(uuidv7(), 'grace@example.com')).toBeNull();
      });

      it('rejects a second user with the same normalized email in one pool, even when raced', async () => {
        const email = `Race.${uuidv7().slice(-8)}@example.com`;
        const results = await Promise.allSettled(
          Array.from({ length: 6 }, (_, i) =>
            storage.users.create(makeUser({ email: i % 2 ? email : email.toUpperCase() })),
          ),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results)
          if (r.status === 'rejected') expect(isAuthError(r.reason, 'conflict')).toBe(true);
      });

      it('keeps emails that differ only in case or accent apart when they normalize apart', async () => {
        // MySQL's default *_ci collations would fold these together; the tables use utf8mb4_bin
        const a = makeUser({ email: `rené.${uuidv7().slice(-8)}@example.com` });
        const b = makeUser({ email: a.email.replace('é', 'e') });
        await storage.users.create(a);
        await storage.users.create(b);
        expect((await storage.users.findByEmail(null, normalizeEmail(a.email)))?.id).toBe(a.id);
        expect((await storage.users.findByEmail(null, normalizeEmail(b.email)))?.id).toBe(b.id);
      });

      it('reads the password hash in the same query, null when there is none', async () => {
        const user = makeUser();
        await storage.users.create(user);
        const normalized = normalizeEmail(user.email);
        expect(await storage.signIn.findAccountByEmail(null, normalized)).toEqual({
          user,
          passwordHash: null,
          failures: null,
          hasSecondFactor: false,
        });
        await storage.passwords.upsert(user.id, '$argon2id$v=19$one', at(1));
        expect(await storage.signIn.findAccountByEmail(null, normalized)).toEqual({
          user,
          passwordHash: '$argon2id$v=19$one',
          failures: null,
          hasSecondFactor: false,
        });
        expect(await storage.signIn.findAccountByEmail(null, 'nobody@example.com')).toBeNull();
      });

      it('updates the status and returns the user, or null when absent', async () => {
        const user = makeUser();
        await storage.users.create(user);
        expect(await storage.users.updateStatus(user.id, 'suspended', at(9))).toEqual({
          ...user,
          status: 'suspended',
          updatedAt: at(9),
        });
        expect(await storage.users.updateStatus(uuidv7(), 'suspended', at(9))).toBeNull();
      });
    });

    describe('passwords', () => {
      it('upserts, and replaces only an unchanged hash', async () => {
        const user = makeUser();
        await storage.users.create(user);
        expect(await storage.passwords.findHash(user.id)).toBeNull();
        await storage.passwords.upsert(user.id, 'h1', at(1));
        await storage.passwords.upsert(user.id, 'h2', at(2));
        expect(await storage.passwords.findHash(user.id)).toBe('h2');
        expect(await storage.passwords.replaceIfUnchanged(user.id, 'h1', 'h3', at(3))).toBe(false);
        expect(await storage.passwords.replaceIfUnchanged(user.id, 'h2', 'h3', at(3))).toBe(true);
        expect(await storage.passwords.findHash(user.id)).toBe('h3');
      });

      it('lets exactly one of concurrent rehashes of the same hash win', async () => {
        const user = makeUser();
        await storage.users.create(user);
        await storage.passwords.upsert(user.id, 'old', at(1));
        const wins = await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            storage.passwords.replaceIfUnchanged(user.id, 'old', `new${i}`, at(2)),
          ),
        );
        expect(wins.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('memberships', () => {
      it('creates, finds and rejects a second membership of the same user and tenant', async () => {
        const tenant = makeTenant();
        const user = makeUser();
        await storage.tenants.create(tenant);
        await storage.users.create(user);
        const membership = makeMembership(tenant.id, user.id, { roles: ['owner', 'admin'] });
        await storage.memberships.create(membership);
        expect(await storage.memberships.find(tenant.id, user.id)).toEqual(membership);
        expect(await storage.memberships.find(tenant.id, uuidv7())).toBeNull();
        await expectConflict(storage.memberships.create(makeMembership(tenant.id, user.id)));
      });

      it('lists members with their user fields by membership id, page by page', async () => {
        const tenant = makeTenant();
        await storage.tenants.create(tenant);
        const users = [makeUser({ name: null }), makeUser(), makeUser({ status: 'suspended' })];
        const memberships = [];
        for (const user of users) {
          await storage.users.create(user);
          const membership = makeMembership(tenant.id, user.id);
          await storage.memberships.create(membership);
          memberships.push(membership);
        }
        const first = await storage.memberships.listByTenant(tenant.id, { limit: 2 });
        expect(first.items).toEqual(
          memberships.slice(0, 2).map((m, i) => ({
            ...m,
            user: {
              id: users[i]!.id,
              email: users[i]!.email,
              name: users[i]!.name,
              status: users[i]!.status,
            },
          })),
        );
        const second = await storage.memberships.listByTenant(tenant.id, {
          limit: 2,
          cursor: first.nextCursor!,
        });
        expect(second.items.map((m) => m.user.status)).toEqual(['suspended']);
        expect(second.nextCursor).toBeNull();
      });

      it("lists a user's memberships across tenants by tenant id", async () => {
        const user = makeUser();
        await storage.users.create(user);
        const tenants = [makeTenant(), makeTenant()];
        for (const tenant of [...tenants].reverse()) {
          await storage.tenants.create(tenant);
          await storage.memberships.create(makeMembership(tenant.id, user.id));
        }
        const list = await storage.memberships.listByUser(user.id);
        expect(list.map((m) => m.tenantId)).toEqual([tenants[0]!.id, tenants[1]!.id].sort());
      });
    });

    describe('roles', () => {
      it('creates roles together, lists them by key and finds by key case-sensitively', async () => {
        const tenant = makeTenant();
        await storage.tenants.create(tenant);
        const roles = [
          makeRole(tenant.id, 'viewer'),
          makeRole(tenant.id, 'admin'),
          makeRole(tenant.id, 'Admin'),
        ];
        await storage.roles.createMany(roles);
        expect((await storage.roles.listByTenant(tenant.id)).map((r) => r.key)).toEqual([
          'Admin',
          'admin',
          'viewer',
        ]);
        expect(await storage.roles.findByKey(tenant.id, 'admin')).toEqual(roles[1]);
        expect(await storage.roles.findByKey(tenant.id, 'owner')).toBeNull();
        await storage.roles.createMany([]);
      });

      it('inserts none of the batch when one key is taken', async () => {
        const tenant = makeTenant();
        await storage.tenants.create(tenant);
        await storage.roles.createMany([makeRole(tenant.id, 'member')]);
        await expectConflict(
          storage.roles.createMany([makeRole(tenant.id, 'owner'), makeRole(tenant.id, 'member')]),
        );
        expect((await storage.roles.listByTenant(tenant.id)).map((r) => r.key)).toEqual(['member']);
      });
    });

    describe('sessions', () => {
      it('finds an active session with its user in one query, and nothing once expired or revoked', async () => {
        const user = makeUser();
        await storage.users.create(user);
        const session = makeSession(user.id);
        await storage.sessions.create(session);
        expect(await storage.sessions.findActiveByTokenHash(session.tokenHash, at(1))).toEqual({
          session,
          user,
        });
        // idle expiry and absolute expiry are exclusive: at the instant, the session is over
        expect(
          await storage.sessions.findActiveByTokenHash(session.tokenHash, session.idleExpiresAt),
        ).toBeNull();
        await storage.sessions.touch(session.id, at(10), at(2 * 60 * 60_000));
        const touched = await storage.sessions.findActiveByTokenHash(session.tokenHash, at(90 * 60_000));
        expect(touched?.session).toEqual({
          ...session,
          lastSeenAt: at(10),
          idleExpiresAt: at(2 * 60 * 60_000),
        });
        expect(await storage.sessions.findActiveByTokenHash(session.tokenHash, session.expiresAt)).toBeNull();
        expect(await storage.sessions.revoke(user.id, session.id, at(11), 'logout')).toBe(true);
        expect(await storage.sessions.findActiveByTokenHash(session.tokenHash, at(12))).toBeNull();
        expect(await storage.sessions.findActiveByTokenHash('0'.repeat(64), at(1))).toBeNull();
      });

      it('rejects a duplicate token hash as a conflict', async () => {
        const user = makeUser();
        await storage.users.create(user);
        const session = makeSession(user.id);
        await storage.sessions.create(session);
        await expectConflict(storage.sessions.create(makeSession(user.id, { tokenHash: session.tokenHash })));
      });

      it("lists a user's active sessions newest first", async () => {
        const user = makeUser();
        await storage.users.create(user);
        const older = makeSession(user.id, { createdAt: at(1) });
        const newer = makeSession(user.id, { createdAt: at(2), tenantId: uuidv7() });
        const expired = makeSession(user.id, { createdAt: at(3), expiresAt: at(4) });
        for (const s of [older, newer, expired]) await storage.sessions.create(s);
        expect(await storage.sessions.listActiveByUser(user.id, at(5))).toEqual([newer, older]);
      });

      it('lets exactly one of concurrent revocations of a session win', async () => {
        const user = makeUser();
        await storage.users.create(user);
        const session = makeSession(user.id);
        await storage.sessions.create(session);
        const other = makeUser();
        await storage.users.create(other);
        expect(await storage.sessions.revoke(other.id, session.id, at(1), 'x')).toBe(false);
        const wins = await Promise.all(
          Array.from({ length: 8 }, () => storage.sessions.revoke(user.id, session.id, at(1), 'logout')),
        );
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect(await storage.sessions.revoke(user.id, session.id, at(2), 'again')).toBe(false);
      });

      it('revokes all other sessions once, counting each session for one caller only', async () => {
        const user = makeUser();
        await storage.users.create(user);
        const sessions = Array.from({ length: 5 }, () => makeSession(user.id));
        for (const s of sessions) await storage.sessions.create(s);
        const keep = sessions[0]!;
        const counts = await Promise.all(
          Array.from({ length: 4 }, () =>
            storage.sessions.revokeAllForUser(user.id, at(1), 'revoke_others', keep.id),
          ),
        );
        expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
        expect((await storage.sessions.listActiveByUser(user.id, at(2))).map((s) => s.id)).toEqual([keep.id]);
        expect(await storage.sessions.revokeAllForUser(user.id, at(3), 'all')).toBe(1);
      });

      it("revokes a tenant's sessions once under concurrent suspensions, and no other tenant's", async () => {
        const user = makeUser();
        await storage.users.create(user);
        const [tenant, other] = [makeTenant(), makeTenant()];
        for (const t of [tenant, other]) await storage.tenants.create(t);
        const inTenant = Array.from({ length: 4 }, () => makeSession(user.id, { tenantId: tenant.id }));
        const elsewhere = makeSession(user.id, { tenantId: other.id });
        for (const s of [...inTenant, elsewhere]) await storage.sessions.create(s);
        const counts = await Promise.all(
          Array.from({ length: 4 }, () =>
            storage.sessions.revokeAllForTenant(tenant.id, at(1), 'tenant_suspended'),
          ),
        );
        expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
        expect((await storage.sessions.listActiveByUser(user.id, at(2))).map((s) => s.id)).toEqual([
          elsewhere.id,
        ]);
      });
    });

    describe('audit', () => {
      it('chains entries per tenant: gap-free seqs, each prevHash the previous hash', async () => {
        const tenant = makeTenant();
        await storage.tenants.create(tenant);
        const [firstInput, secondInput] = [
          makeAuditInput(tenant.id),
          makeAuditInput(tenant.id, { action: 'user.logout' }),
        ];
        await storage.audit.append(firstInput);
        await storage.audit.append(secondInput);
        await storage.audit.append(makeAuditInput(null));
        const [first, second] = await storage.audit.listChain(tenant.id, 0, 10);
        expect(first).toMatchObject({ id: firstInput.id, seq: 1, prevHash: '' });
        expect(first!.hash).toBe(sealAuditEvent({ seq: 0, hash: '' }, firstInput));
        expect(second).toMatchObject({ id: secondInput.id, seq: 2, prevHash: first!.hash });
        expect(await storage.audit.list(tenant.id, { limit: 10 })).toEqual([second, first]);
        expect(await storage.audit.list(tenant.id, { limit: 10, beforeSeq: 2 })).toEqual([first]);
        expect(await storage.audit.list(tenant.id, { limit: 10, action: 'user.logout' })).toEqual([second]);
      });

      it('serializes concurrent appends to one chain', async () => {
        const tenant = makeTenant();
        await storage.tenants.create(tenant);
        await Promise.all(Array.from({ length: 12 }, () => storage.audit.append(makeAuditInput(tenant.id))));
        const chain = await storage.audit.listChain(tenant.id, 0, 100);
        expect(chain.map((e) => e.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
        let head = { seq: 0, hash: '' };
        for (const entry of chain) {
          expect(entry.prevHash).toBe(head.hash);
          expect(entry.hash).toBe(sealAuditEvent(head, entry));
          head = { seq: entry.seq, hash: entry.hash };
        }
      });

      it('appends inside a transaction and disappears with its rollback', async () => {
        const tenant = makeTenant();
        await storage.tenants.create(tenant);
        await expect(
          storage.transaction(async (tx) => {
            await tx.audit.append(makeAuditInput(tenant.id));
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        const input = makeAuditInput(tenant.id);
        await storage.transaction((tx) => tx.audit.append(input));
        expect(await storage.audit.listChain(tenant.id, 0, 10)).toMatchObject([{ id: input.id, seq: 1 }]);
      });
    });

    describe('outbox', () => {
      it('claims due events oldest first, sets them processing and reclaims expired claims', async () => {
        const now = at(60 * 60_000 * 1000);
        const due = [makeOutboxEvent({ createdAt: at(1) }), makeOutboxEvent({ createdAt: at(2) })];
        const later = makeOutboxEvent({ availableAt: at(60 * 60_000 * 2000) });
        for (const e of [...due].reverse()) await storage.outbox.enqueue(e);
        await storage.outbox.enqueue(later);
        const lockedUntil = new Date(now.getTime() + 30_000);
        const claimed = await storage.outbox.claimBatch(now, 10, lockedUntil);
        const mine = claimed.filter((e) => due.some((d) => d.id === e.id));
        expect(mine).toEqual(due.map((e) => ({ ...e, status: 'processing', lockedUntil })));
        expect(claimed.some((e) => e.id === later.id)).toBe(false);
        expect(await storage.outbox.findById(due[0]!.id)).toEqual(mine[0]);
        // a crashed claimer: after lockedUntil the events are claimable again
        const again = await storage.outbox.claimBatch(lockedUntil, 10, new Date(lockedUntil.getTime() + 1));
        expect(again.filter((e) => due.some((d) => d.id === e.id))).toHaveLength(2);
      });

      it('gives each event to exactly one of concurrent claimers', async () => {
        const now = at(60 * 60_000 * 5000);
        const events = Array.from({ length: 20 }, (_, i) =>
          makeOutboxEvent({ createdAt: at(i), availableAt: at(i) }),
        );
        for (const e of events) await storage.outbox.enqueue(e);
        const batches = await Promise.all(
          Array.from({ length: 4 }, () =>
            storage.outbox.claimBatch(now, 8, new Date(now.getTime() + 60_000)),
          ),
        );
        const ids = batches.flat().map((e) => e.id);
        expect(new Set(ids).size).toBe(ids.length);
        // claimers may skip rows another one holds; whatever is left goes to the next claim
        const rest = await storage.outbox.claimBatch(now, 100, new Date(now.getTime() + 60_000));
        const all = [...ids, ...rest.map((e) => e.id)];
        expect(new Set(all).size).toBe(all.length);
        for (const e of events) expect(all).toContain(e.id);
      });

      it('marks events delivered, retried later or dead', async () => {
        const delivered = makeOutboxEvent();
        const retried = makeOutboxEvent();
        const dead = makeOutboxEvent();
        for (const e of [delivered, retried, dead]) await storage.outbox.enqueue(e);
        await storage.outbox.markDelivered([delivered.id], at(5));
        await storage.outbox.markFailed(retried.id, {
          attempts: 1,
          lastError: 'HTTP 500',
          availableAt: at(60),
          dead: false,
        });
        await storage.outbox.markFailed(dead.id, {
          attempts: 9,
          lastError: 'gone',
          availableAt: at(99),
          dead: true,
        });
        expect(await storage.outbox.findById(delivered.id)).toEqual({
          ...delivered,
          status: 'delivered',
          deliveredAt: at(5),
        });
        expect(await storage.outbox.findById(retried.id)).toEqual({
          ...retried,
          attempts: 1,
          lastError: 'HTTP 500',
          availableAt: at(60),
        });
        expect(await storage.outbox.findById(dead.id)).toEqual({
          ...dead,
          status: 'dead',
          attempts: 9,
          lastError: 'gone',
        });
        expect(await storage.outbox.findById(uuidv7())).toBeNull();
      });
    });

    describe('transaction', () => {
      it('commits everything written through tx together', async () => {
        const tenant = makeTenant();
        const user = makeUser();
        const event = makeOutboxEvent({ tenantId: tenant.id });
        const result = await storage.transaction(async (tx) => {
          await tx.tenants.create(tenant);
          await tx.users.create(user);
          await tx.memberships.create(makeMembership(tenant.id, user.id));
          await tx.outbox.enqueue(event);
          return 'done';
        });
        expect(result).toBe('done');
        expect(await storage.memberships.find(tenant.id, user.id)).not.toBeNull();
        expect(await storage.outbox.findById(event.id)).toEqual(event);
      });

      it('rolls everything back when fn throws, and rethrows', async () => {
        const tenant = makeTenant();
        const event = makeOutboxEvent();
        await expect(
          storage.transaction(async (tx) => {
            await tx.tenants.create(tenant);
            await tx.outbox.enqueue(event);
            await tx.tenants.create(makeTenant({ slug: tenant.slug })); // conflict
          }),
        ).rejects.toSatisfy((e) => isAuthError(e, 'conflict'));
        expect(await storage.tenants.findById(tenant.id)).toBeNull();
        expect(await storage.outbox.findById(event.id)).toBeNull();
      });
    });

    it('stores times at millisecond precision in UTC', async () => {
      const odd = new Date('1999-12-31T23:59:59.999Z');
      const tenant = makeTenant({ createdAt: odd, updatedAt: T0 });
      await storage.tenants.create(tenant);
      expect((await storage.tenants.findById(tenant.id))?.createdAt.toISOString()).toBe(odd.toISOString());
    });
  });
}
