import { describe, expect } from 'vitest';
import type { User } from '../../users/users.js';
import {
  aSession,
  aTenant,
  aUser,
  expectConflict,
  expectLockHeldUntilCommit,
  later,
  type StorageCases,
} from '../storage-fixtures.js';

const MINUTE_MS = 60_000;

export function sessionCases({ it, storage }: StorageCases): void {
  async function createUser(overrides: Partial<User> = {}) {
    const user = aUser(overrides);
    await storage().users.create(user);
    return user;
  }

  describe('sessions', () => {
    it('lock holds a session until the transaction ends: a second locker waits for the commit', async () => {
      const user = await createUser();
      const session = aSession(user.id, new Date());
      await storage().sessions.create(session);
      const absent = aSession(user.id, new Date()).id;
      await expectLockHeldUntilCommit(storage(), (tx, id) => tx.sessions.lock(id), session.id, absent);
    });

    it('finds an active session by token hash together with its user', async () => {
      const tenant = aTenant();
      await storage().tenants.create(tenant);
      const user = await createUser({
        name: 'Grace 🌸',
        emailVerifiedAt: new Date('2024-01-01T00:00:00.321Z'),
      });
      const now = new Date();
      const session = aSession(user.id, later(now, -MINUTE_MS), {
        tenantId: tenant.id,
        ip: '203.0.113.7',
        userAgent: 'Mozilla/5.0 (Ünïcødé; 🦊) Gecko/20100101',
        amr: ['pwd', 'otp'],
        authTime: { pwd: Math.floor(now.getTime() / 1000) - 60, otp: Math.floor(now.getTime() / 1000) - 30 },
        lastSeenAt: later(now, -1_234),
      });
      await storage().sessions.create(session);

      expect(await storage().sessions.findActiveByTokenHash(session.tokenHash, now)).toEqual({
        session,
        user,
      });
      expect(
        await storage().sessions.findActiveByTokenHash(aSession(user.id, now).tokenHash, now),
      ).toBeNull();
    });

    it('does not find a revoked, expired or idle-expired session', async () => {
      const user = await createUser();
      const now = new Date();
      const active = aSession(user.id, later(now, -MINUTE_MS));
      const revoked = aSession(user.id, later(now, -MINUTE_MS), {
        revokedAt: later(now, -1),
        revokedReason: 'logout',
      });
      const expired = aSession(user.id, later(now, -MINUTE_MS), { expiresAt: now });
      const idle = aSession(user.id, later(now, -MINUTE_MS), { idleExpiresAt: now });
      for (const session of [active, revoked, expired, idle]) await storage().sessions.create(session);

      expect((await storage().sessions.findActiveByTokenHash(active.tokenHash, now))?.session).toEqual(
        active,
      );
      expect(await storage().sessions.findActiveByTokenHash(revoked.tokenHash, now)).toBeNull();
      // "at or before now" counts as expired; a millisecond earlier it did not
      expect(await storage().sessions.findActiveByTokenHash(expired.tokenHash, now)).toBeNull();
      expect(await storage().sessions.findActiveByTokenHash(idle.tokenHash, now)).toBeNull();
      expect(
        (await storage().sessions.findActiveByTokenHash(expired.tokenHash, later(now, -1)))?.session,
      ).toEqual(expired);
      expect(
        (await storage().sessions.findActiveByTokenHash(idle.tokenHash, later(now, -1)))?.session,
      ).toEqual(idle);
    });

    it('rejects a second session with the same token hash as a conflict', async () => {
      const user = await createUser();
      const first = aSession(user.id, new Date());
      await storage().sessions.create(first);

      await expectConflict(() =>
        storage().sessions.create(aSession(user.id, new Date(), { tokenHash: first.tokenHash })),
      );
      expect((await storage().sessions.findActiveByTokenHash(first.tokenHash, new Date()))?.session).toEqual(
        first,
      );
    });

    it('moves lastSeenAt and idleExpiresAt forward on touch', async () => {
      const user = await createUser();
      const now = new Date();
      const session = aSession(user.id, now, { idleExpiresAt: later(now, 10 * MINUTE_MS) });
      await storage().sessions.create(session);

      const seenAt = later(now, 5 * MINUTE_MS + 7);
      await storage().sessions.touch(session.id, seenAt, later(seenAt, 30 * MINUTE_MS));

      const found = await storage().sessions.findActiveByTokenHash(
        session.tokenHash,
        later(now, 20 * MINUTE_MS),
      );
      expect(found?.session).toEqual({
        ...session,
        lastSeenAt: seenAt,
        idleExpiresAt: later(seenAt, 30 * MINUTE_MS),
      });
      expect(
        await storage().sessions.findActiveByTokenHash(session.tokenHash, later(seenAt, 30 * MINUTE_MS)),
      ).toBeNull();
    });

    it('records a new authentication: sets the method time in seconds, lists the method once, changes nothing else', async () => {
      const user = await createUser();
      const now = new Date();
      const session = aSession(user.id, later(now, -10 * MINUTE_MS), { amr: ['pwd'] });
      await storage().sessions.create(session);
      const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

      const again = later(now, -999); // not on a second boundary: stored floored
      const afterPwd = await storage().sessions.recordAuthentication(session.id, 'pwd', again);
      expect(afterPwd).toEqual({ ...session, authTime: { pwd: seconds(again) } });

      const afterOtp = await storage().sessions.recordAuthentication(session.id, 'otp', now);
      const expected = {
        ...session,
        amr: ['pwd', 'otp'],
        authTime: { pwd: seconds(again), otp: seconds(now) },
      };
      expect(afterOtp).toEqual(expected);
      expect((await storage().sessions.findActiveByTokenHash(session.tokenHash, now))?.session).toEqual(
        expected,
      );
    });

    it('records no authentication on a revoked or absent session', async () => {
      const user = await createUser();
      const now = new Date();
      const revoked = aSession(user.id, later(now, -MINUTE_MS), {
        revokedAt: later(now, -1),
        revokedReason: 'logout',
      });
      await storage().sessions.create(revoked);

      expect(await storage().sessions.recordAuthentication(revoked.id, 'otp', now)).toBeNull();
      expect(await storage().sessions.recordAuthentication(aSession(user.id, now).id, 'pwd', now)).toBeNull();
    });

    it('of 12 concurrent authentications of one session, by six methods twice each, none is lost', async () => {
      const user = await createUser();
      const now = new Date();
      const session = aSession(user.id, later(now, -MINUTE_MS), { amr: ['pwd'] });
      await storage().sessions.create(session);
      const methods = ['pwd', 'otp', 'hwk', 'swk', 'sms', 'face'];
      const at = (i: number) => later(now, i * 1_000);

      await Promise.all(
        [...methods, ...methods].map((method, i) =>
          storage().sessions.recordAuthentication(session.id, method, at(i % methods.length)),
        ),
      );

      const found = (await storage().sessions.findActiveByTokenHash(session.tokenHash, now))?.session;
      expect([...found!.amr].sort()).toEqual([...methods].sort());
      expect(found!.amr[0]).toBe('pwd');
      expect(found!.authTime).toEqual(
        Object.fromEntries(methods.map((method, i) => [method, Math.floor(at(i).getTime() / 1000)])),
      );
    });

    it("lists a user's active sessions newest first, without revoked, expired or other users' sessions", async () => {
      const user = await createUser();
      const other = await createUser();
      const now = new Date();
      const [oldest, middle, newest] = [3, 2, 1].map((minutes) =>
        aSession(user.id, later(now, -minutes * MINUTE_MS)),
      );
      const hidden = [
        aSession(user.id, later(now, -4 * MINUTE_MS), {
          revokedAt: later(now, -MINUTE_MS),
          revokedReason: 'logout',
        }),
        aSession(user.id, later(now, -5 * MINUTE_MS), { expiresAt: later(now, -1) }),
        aSession(user.id, later(now, -6 * MINUTE_MS), { idleExpiresAt: now }),
        aSession(other.id, later(now, -30_000)),
      ];
      for (const session of [middle!, oldest!, newest!, ...hidden]) await storage().sessions.create(session);

      expect(await storage().sessions.listActiveByUser(user.id, now)).toEqual([newest, middle, oldest]);
      expect(await storage().sessions.listActiveByUser(aUser().id, now)).toEqual([]);
    });

    it('revokes a session once, and only for the user who owns it', async () => {
      const user = await createUser();
      const other = await createUser();
      const now = new Date();
      const session = aSession(user.id, now);
      await storage().sessions.create(session);

      expect(await storage().sessions.revoke(other.id, session.id, now, 'logout')).toBe(false);
      expect(await storage().sessions.findActiveByTokenHash(session.tokenHash, now)).not.toBeNull();
      expect(await storage().sessions.revoke(user.id, session.id, now, 'logout')).toBe(true);
      expect(await storage().sessions.findActiveByTokenHash(session.tokenHash, now)).toBeNull();
      expect(await storage().sessions.revoke(user.id, session.id, later(now, 1), 'logout')).toBe(false);
      expect(await storage().sessions.revoke(user.id, aSession(user.id, now).id, now, 'logout')).toBe(false);
    });

    it('revokes every other session of a user and counts what it revoked', async () => {
      const user = await createUser();
      const other = await createUser();
      const now = new Date();
      const sessions = [1, 2, 3, 4].map((i) => aSession(user.id, later(now, -i * 1_000)));
      const [current] = sessions;
      const othersSession = aSession(other.id, now);
      for (const session of [...sessions, othersSession]) await storage().sessions.create(session);

      expect(await storage().sessions.revokeAllForUser(user.id, now, 'revoke_others', current!.id)).toBe(3);
      expect(await storage().sessions.listActiveByUser(user.id, now)).toEqual([current]);
      expect(await storage().sessions.listActiveByUser(other.id, now)).toEqual([othersSession]);
      expect(await storage().sessions.revokeAllForUser(user.id, now, 'revoke_all')).toBe(1);
      expect(await storage().sessions.revokeAllForUser(user.id, now, 'revoke_all')).toBe(0);
      expect(await storage().sessions.listActiveByUser(user.id, now)).toEqual([]);
    });

    it("revokes every session acting in a tenant, and no other tenant's", async () => {
      const tenant = aTenant();
      const otherTenant = aTenant();
      await storage().tenants.create(tenant);
      await storage().tenants.create(otherTenant);
      const user = await createUser();
      const now = new Date();
      const inTenant = [1, 2].map((i) => aSession(user.id, later(now, -i * 1_000), { tenantId: tenant.id }));
      const elsewhere = aSession(user.id, later(now, -3_000), { tenantId: otherTenant.id });
      const noTenant = aSession(user.id, later(now, -4_000));
      for (const session of [...inTenant, elsewhere, noTenant]) await storage().sessions.create(session);

      expect(await storage().sessions.revokeAllForTenant(tenant.id, now, 'tenant_suspended')).toBe(2);
      expect(await storage().sessions.revokeAllForTenant(tenant.id, now, 'tenant_suspended')).toBe(0);
      expect(await storage().sessions.listActiveByUser(user.id, now)).toEqual([elsewhere, noTenant]);
    });

    it("revokes a member's sessions acting in one tenant, and none of theirs elsewhere or of others", async () => {
      const tenant = aTenant();
      const otherTenant = aTenant();
      await storage().tenants.create(tenant);
      await storage().tenants.create(otherTenant);
      const user = await createUser();
      const colleague = await createUser();
      const now = new Date();
      const inTenant = [1, 2].map((i) => aSession(user.id, later(now, -i * 1_000), { tenantId: tenant.id }));
      const elsewhere = aSession(user.id, later(now, -3_000), { tenantId: otherTenant.id });
      const noTenant = aSession(user.id, later(now, -4_000));
      const colleagues = aSession(colleague.id, later(now, -5_000), { tenantId: tenant.id });
      for (const session of [...inTenant, elsewhere, noTenant, colleagues])
        await storage().sessions.create(session);

      const counts = await Promise.all(
        Array.from({ length: 5 }, () =>
          storage().sessions.revokeAllForTenantMember(tenant.id, user.id, now, 'member_removed'),
        ),
      );

      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(2);
      expect(await storage().sessions.listActiveByUser(user.id, now)).toEqual([elsewhere, noTenant]);
      expect(await storage().sessions.listActiveByUser(colleague.id, now)).toEqual([colleagues]);
    });

    it('of 20 concurrent revocations of one session exactly one returns true', async () => {
      const user = await createUser();
      const now = new Date();
      const session = aSession(user.id, now);
      await storage().sessions.create(session);

      const results = await Promise.all(
        Array.from({ length: 20 }, () => storage().sessions.revoke(user.id, session.id, now, 'logout')),
      );

      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('20 concurrent revocations of all sessions revoke each session exactly once', async () => {
      const user = await createUser();
      const now = new Date();
      const sessions = [1, 2, 3, 4, 5].map((i) => aSession(user.id, later(now, -i * 1_000)));
      for (const session of sessions) await storage().sessions.create(session);

      const counts = await Promise.all(
        Array.from({ length: 20 }, () => storage().sessions.revokeAllForUser(user.id, now, 'revoke_all')),
      );

      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(sessions.length);
      expect(await storage().sessions.listActiveByUser(user.id, now)).toEqual([]);
    });

    it('20 concurrent logins create 20 distinct sessions, all listed newest first', async () => {
      const user = await createUser();
      const now = new Date();
      const sessions = Array.from({ length: 20 }, (_, i) => aSession(user.id, later(now, -(20 - i) * 1_000)));

      await Promise.all(sessions.map((session) => storage().sessions.create(session)));

      expect(await storage().sessions.listActiveByUser(user.id, now)).toEqual([...sessions].reverse());
    });
  });
}
