import { describe, expect } from 'vitest';
import { sha256Hex } from '../../crypto/random.js';
import { uuidv7 } from '../../crypto/uuid.js';
import {
  aMembership,
  anApiKey,
  aTenant,
  aUser,
  expectConflict,
  later,
  randomSuffix,
  type StorageCases,
} from '../storage-fixtures.js';

const HOUR_MS = 3_600_000;

export function apiKeyCases({ it, storage }: StorageCases): void {
  async function createTenant() {
    const tenant = aTenant();
    await storage().tenants.create(tenant);
    return tenant;
  }

  describe('api keys', () => {
    it('stores every API key field and finds it by hash from any tenant and by id in its own', async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      const plain = anApiKey(tenant.id);
      const full = anApiKey(tenant.id, {
        environment: 'test',
        ownerUserId: uuidv7(),
        constraints: {
          and: [
            { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] },
            { eq: [{ ref: 'subject.environment' }, 'test'] },
          ],
        },
        expiresAt: new Date('2026-01-02T03:04:05.678Z'),
        predecessorId: uuidv7(),
        createdBy: uuidv7(),
        lastUsedAt: new Date('2025-03-04T06:00:00.001Z'),
        rateLimitPolicies: ['standard', 'burst'],
        creditsRemaining: 5_000_000_000,
        creditRefillAmount: 2_000_000_000,
        creditRefillInterval: 'month',
        creditsRefilledAt: new Date('2025-03-01T00:00:00.001Z'),
        leakReportedAt: new Date('2025-03-05T00:00:00.123Z'),
      });
      await storage().apiKeys.create(plain);
      await storage().apiKeys.create(full);

      expect(await storage().apiKeys.findByHash(plain.keyHash)).toEqual({ key: plain, standing: true });
      // its owner is no user of this storage: found all the same, not standing
      expect(await storage().apiKeys.findByHash(full.keyHash)).toEqual({ key: full, standing: false });
      expect(await storage().apiKeys.findById(tenant.id, full.id)).toEqual(full);
      expect(await storage().apiKeys.findById(other.id, full.id)).toBeNull();
      expect(await storage().apiKeys.findByHash(sha256Hex(randomSuffix()))).toBeNull();
    });

    it("reads a key's standing with it: its tenant active, and its owner, if any, active and still a member", async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      const at = new Date('2025-05-06T07:08:09.010Z');
      async function aMember(...tenantIds: string[]) {
        const user = aUser();
        await storage().users.create(user);
        for (const tenantId of tenantIds) await storage().memberships.create(aMembership(tenantId, user.id));
        return user;
      }
      const member = await aMember(tenant.id);
      const suspended = await aMember(tenant.id);
      const deleted = await aMember(tenant.id);
      const leaver = await aMember(tenant.id, other.id);
      const stranger = await aMember(other.id);
      await storage().users.updateStatus(suspended.id, 'suspended', at);
      await storage().users.updateStatus(deleted.id, 'deleted', at);
      await storage().memberships.remove(tenant.id, leaver.id);
      const keys = {
        tenantOwned: anApiKey(tenant.id),
        member: anApiKey(tenant.id, { ownerUserId: member.id }),
        suspended: anApiKey(tenant.id, { ownerUserId: suspended.id }),
        deleted: anApiKey(tenant.id, { ownerUserId: deleted.id }),
        // a member of another tenant only: the membership joined is the key's tenant's
        leaver: anApiKey(tenant.id, { ownerUserId: leaver.id }),
        stranger: anApiKey(tenant.id, { ownerUserId: stranger.id }),
        elsewhere: anApiKey(other.id, { ownerUserId: leaver.id }),
      };
      for (const key of Object.values(keys)) await storage().apiKeys.create(key);
      const standings = async () => {
        const found: Record<string, boolean | undefined> = {};
        for (const [name, key] of Object.entries(keys)) {
          const read = await storage().apiKeys.findByHash(key.keyHash);
          // whatever its standing, the key is read whole
          expect(read?.key).toEqual(key);
          found[name] = read?.standing;
        }
        return found;
      };

      expect(await standings()).toEqual({
        tenantOwned: true,
        member: true,
        suspended: false,
        deleted: false,
        leaver: false,
        stranger: false,
        elsewhere: true,
      });
      await storage().tenants.update(tenant.id, { status: 'suspended', updatedAt: at });
      expect(await standings()).toMatchObject({ tenantOwned: false, member: false, elsewhere: true });
      await storage().tenants.update(tenant.id, { status: 'active', updatedAt: at });
      await storage().users.updateStatus(member.id, 'suspended', at);
      expect(await standings()).toMatchObject({ tenantOwned: true, member: false });
    });

    it('refuses a second API key with the same hash', async () => {
      const tenant = await createTenant();
      const key = anApiKey(tenant.id);
      await storage().apiKeys.create(key);
      await expectConflict(() => storage().apiKeys.create(anApiKey(tenant.id, { keyHash: key.keyHash })));
    });

    it("lists a tenant's API keys that are not revoked, by id, page by page", async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      const keys = [anApiKey(tenant.id), anApiKey(tenant.id), anApiKey(tenant.id)];
      const revoked = anApiKey(tenant.id, {
        status: 'revoked',
        revokedAt: new Date(),
        revokedReason: 'revoked',
      });
      for (const key of [...keys, revoked, anApiKey(other.id)]) await storage().apiKeys.create(key);

      const first = await storage().apiKeys.listByTenant(tenant.id, { limit: 2 });
      expect(first.items.map((k) => k.id)).toEqual(keys.slice(0, 2).map((k) => k.id));
      const second = await storage().apiKeys.listByTenant(tenant.id, {
        limit: 2,
        cursor: first.nextCursor ?? '',
      });
      expect(second.items.map((k) => k.id)).toEqual([keys[2]?.id]);
      expect(second.nextCursor).toBeNull();
    });

    it('gives one API key exactly one successor under 20 concurrent rotations', async () => {
      const tenant = await createTenant();
      const key = anApiKey(tenant.id);
      await storage().apiKeys.create(key);
      const at = new Date();
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          storage().transaction(async (tx) => {
            const successor = anApiKey(tenant.id, { predecessorId: key.id });
            const rotated = await tx.apiKeys.beginRotation(tenant.id, key.id, {
              successorId: successor.id,
              overlapEndsAt: later(at, HOUR_MS),
              at,
            });
            if (!rotated) return null;
            await tx.apiKeys.create(successor);
            return successor.id;
          }),
        ),
      );
      const winners = results.filter((r) => r.status === 'fulfilled' && r.value !== null);
      expect(winners).toHaveLength(1);
      const successorId = (winners[0] as PromiseFulfilledResult<string>).value;
      const stored = await storage().apiKeys.findById(tenant.id, key.id);
      expect(stored).toMatchObject({ status: 'active', successorId, overlapEndsAt: later(at, HOUR_MS) });
      const listed = await storage().apiKeys.listByTenant(tenant.id, { limit: 50 });
      expect(listed.items.filter((k) => k.predecessorId === key.id).map((k) => k.id)).toEqual([successorId]);
    });

    it('rotates only an active API key of its own tenant', async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      const key = anApiKey(tenant.id);
      const revoked = anApiKey(tenant.id, {
        status: 'revoked',
        revokedAt: new Date(),
        revokedReason: 'revoked',
      });
      await storage().apiKeys.create(key);
      await storage().apiKeys.create(revoked);
      const change = { successorId: uuidv7(), overlapEndsAt: new Date(), at: new Date() };
      expect(await storage().apiKeys.beginRotation(other.id, key.id, change)).toBeNull();
      expect(await storage().apiKeys.beginRotation(tenant.id, revoked.id, change)).toBeNull();
      expect(await storage().apiKeys.findById(tenant.id, key.id)).toMatchObject({ successorId: null });
    });

    it('revokes an API key once, only in its own tenant, and the revoked row is what verification then reads', async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      const key = anApiKey(tenant.id);
      await storage().apiKeys.create(key);
      const at = new Date('2025-05-06T07:08:09.010Z');
      expect(await storage().apiKeys.revoke(other.id, key.id, at, 'revoked')).toBe(false);
      // revoke against verification's read: every read sees the key whole, before or after
      const [reads, revokes] = await Promise.all([
        Promise.all(Array.from({ length: 10 }, () => storage().apiKeys.findByHash(key.keyHash))),
        Promise.all(
          Array.from({ length: 5 }, () => storage().apiKeys.revoke(tenant.id, key.id, at, 'leaked')),
        ),
      ]);
      expect(revokes.filter(Boolean)).toHaveLength(1);
      for (const read of reads) {
        expect(['active null', `revoked ${at.toISOString()}`]).toContain(
          `${read?.key.status} ${read?.key.revokedAt?.toISOString() ?? null}`,
        );
      }
      expect((await storage().apiKeys.findByHash(key.keyHash))?.key).toMatchObject({
        status: 'revoked',
        revokedAt: at,
        revokedReason: 'leaked',
      });
      expect((await storage().apiKeys.listByTenant(tenant.id, { limit: 10 })).items).toEqual([]);
    });

    it('marks an API key reported as leaked once, only in its own tenant, whatever its status', async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      const key = anApiKey(tenant.id);
      const revoked = anApiKey(tenant.id, {
        status: 'revoked',
        revokedAt: new Date(),
        revokedReason: 'revoked',
      });
      await storage().apiKeys.create(key);
      await storage().apiKeys.create(revoked);
      const at = new Date('2025-05-06T07:08:09.010Z');
      expect(await storage().apiKeys.markLeakReported(other.id, key.id, at)).toBe(false);
      expect(await storage().apiKeys.markLeakReported(tenant.id, uuidv7(), at)).toBe(false);
      // concurrent reports of one key: exactly one is the first
      const marks = await Promise.all(
        Array.from({ length: 10 }, () => storage().apiKeys.markLeakReported(tenant.id, key.id, at)),
      );
      expect(marks.filter(Boolean)).toHaveLength(1);
      expect(await storage().apiKeys.markLeakReported(tenant.id, key.id, later(at, 1000))).toBe(false);
      expect((await storage().apiKeys.findByHash(key.keyHash))?.key).toMatchObject({
        status: 'active',
        leakReportedAt: at,
        updatedAt: at,
      });
      expect(await storage().apiKeys.markLeakReported(tenant.id, revoked.id, at)).toBe(true);
      expect(await storage().apiKeys.findById(tenant.id, revoked.id)).toMatchObject({
        status: 'revoked',
        leakReportedAt: at,
      });
    });

    it("revokes a user's API keys in one tenant, or in all of them", async () => {
      const user = aUser();
      await storage().users.create(user);
      const first = await createTenant();
      const second = await createTenant();
      const inFirst = anApiKey(first.id, { ownerUserId: user.id });
      const inSecond = anApiKey(second.id, { ownerUserId: user.id });
      const tenantOwned = anApiKey(first.id);
      for (const key of [inFirst, inSecond, tenantOwned]) await storage().apiKeys.create(key);
      const at = new Date('2025-05-06T07:08:09.010Z');

      expect(await storage().apiKeys.revokeOwnedBy(user.id, first.id, at, 'owner_removed')).toBe(1);
      expect(await storage().apiKeys.findById(first.id, inFirst.id)).toMatchObject({
        status: 'revoked',
        revokedReason: 'owner_removed',
      });
      expect(await storage().apiKeys.findById(second.id, inSecond.id)).toMatchObject({ status: 'active' });
      expect(await storage().apiKeys.revokeOwnedBy(user.id, null, at, 'owner_removed')).toBe(1);
      expect(await storage().apiKeys.findById(second.id, inSecond.id)).toMatchObject({ status: 'revoked' });
      expect(await storage().apiKeys.findById(first.id, tenantOwned.id)).toMatchObject({ status: 'active' });
    });

    it("replaces an active API key's limits only in its own tenant, leaving what is not named", async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      const key = anApiKey(tenant.id, { rateLimitPolicies: ['standard'] });
      const revoked = anApiKey(tenant.id, {
        status: 'revoked',
        revokedAt: new Date(),
        revokedReason: 'revoked',
      });
      await storage().apiKeys.create(key);
      await storage().apiKeys.create(revoked);
      const at = new Date('2025-05-06T07:08:09.010Z');
      const credits = { remaining: 7, refillAmount: 100, refillInterval: 'week' as const, setAt: at };

      expect(await storage().apiKeys.updateLimits(other.id, key.id, { credits, at })).toBeNull();
      expect(await storage().apiKeys.updateLimits(tenant.id, revoked.id, { credits, at })).toBeNull();
      const updated = await storage().apiKeys.updateLimits(tenant.id, key.id, { credits, at });
      expect(updated).toEqual({
        ...key,
        creditsRemaining: 7,
        creditRefillAmount: 100,
        creditRefillInterval: 'week',
        creditsRefilledAt: at,
        updatedAt: at,
      });
      const cleared = await storage().apiKeys.updateLimits(tenant.id, key.id, {
        rateLimitPolicies: null,
        credits: null,
        at,
      });
      expect(cleared).toMatchObject({
        rateLimitPolicies: null,
        creditsRemaining: null,
        creditRefillAmount: null,
        creditRefillInterval: null,
        creditsRefilledAt: null,
      });
      expect(await storage().apiKeys.findById(tenant.id, key.id)).toEqual(cleared);
    });

    it('spends exactly the credits an API key has under 50 concurrent calls, never below zero', async () => {
      const tenant = await createTenant();
      const key = anApiKey(tenant.id, { creditsRemaining: 20 });
      await storage().apiKeys.create(key);
      const at = new Date('2025-05-06T07:08:09.010Z');
      const results = await Promise.all(
        Array.from({ length: 50 }, () => storage().apiKeys.consumeCredits(key.id, 1, at, at)),
      );
      const spent = results.filter((left): left is number => left !== null);
      expect(spent).toHaveLength(20);
      // each success saw its own count: 19 down to 0, once each
      expect([...spent].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect((await storage().apiKeys.findById(tenant.id, key.id))?.creditsRemaining).toBe(0);
      expect(await storage().apiKeys.consumeCredits(key.id, 1, at, at)).toBeNull();
      expect((await storage().apiKeys.findById(tenant.id, key.id))?.creditsRemaining).toBe(0);
    });

    it('refuses a cost larger than the credits left and changes nothing; a key without a quota spends nothing', async () => {
      const tenant = await createTenant();
      const key = anApiKey(tenant.id, { creditsRemaining: 3 });
      const unlimited = anApiKey(tenant.id);
      await storage().apiKeys.create(key);
      await storage().apiKeys.create(unlimited);
      const at = new Date('2025-05-06T07:08:09.010Z');
      expect(await storage().apiKeys.consumeCredits(key.id, 4, at, at)).toBeNull();
      expect(await storage().apiKeys.consumeCredits(key.id, 3, at, at)).toBe(0);
      expect(await storage().apiKeys.consumeCredits(unlimited.id, 1, at, at)).toBeNull();
      expect(await storage().apiKeys.consumeCredits(uuidv7(), 1, at, at)).toBeNull();
      expect(await storage().apiKeys.findById(tenant.id, unlimited.id)).toEqual(unlimited);
    });

    it('refills an API key once at a period boundary, and never within a period', async () => {
      const tenant = await createTenant();
      const setAt = new Date('2025-05-06T10:00:00.000Z');
      const key = anApiKey(tenant.id, {
        creditsRemaining: 1,
        creditRefillAmount: 10,
        creditRefillInterval: 'day',
        creditsRefilledAt: setAt,
      });
      await storage().apiKeys.create(key);
      const today = new Date('2025-05-06T00:00:00.000Z');
      const noon = new Date('2025-05-06T12:00:00.000Z');
      // within the period the key was set in: no refill, however low it runs
      expect(await storage().apiKeys.consumeCredits(key.id, 1, today, noon)).toBe(0);
      expect(await storage().apiKeys.consumeCredits(key.id, 1, today, noon)).toBeNull();
      expect(await storage().apiKeys.findById(tenant.id, key.id)).toMatchObject({
        creditsRemaining: 0,
        creditsRefilledAt: setAt,
      });

      // the next day: refilled to the amount once, however many race for it
      const tomorrow = new Date('2025-05-07T00:00:00.000Z');
      const justAfter = new Date('2025-05-07T00:00:00.250Z');
      const results = await Promise.all(
        Array.from({ length: 15 }, () => storage().apiKeys.consumeCredits(key.id, 1, tomorrow, justAfter)),
      );
      expect(results.filter((left) => left !== null)).toHaveLength(10);
      expect(await storage().apiKeys.findById(tenant.id, key.id)).toMatchObject({
        creditsRemaining: 0,
        creditsRefilledAt: justAfter,
      });
      expect(
        await storage().apiKeys.consumeCredits(key.id, 1, tomorrow, new Date('2025-05-07T23:59:59.999Z')),
      ).toBeNull();
    });

    it('records API key uses in a batch, never moving a last use back', async () => {
      const tenant = await createTenant();
      const a = anApiKey(tenant.id);
      const b = anApiKey(tenant.id, { lastUsedAt: new Date('2025-06-01T00:00:00.000Z') });
      await storage().apiKeys.create(a);
      await storage().apiKeys.create(b);
      const at = new Date('2025-05-06T07:08:09.010Z');
      await storage().apiKeys.recordUses([
        { id: a.id, at },
        { id: b.id, at },
        { id: uuidv7(), at },
      ]);
      expect((await storage().apiKeys.findById(tenant.id, a.id))?.lastUsedAt).toEqual(at);
      expect((await storage().apiKeys.findById(tenant.id, b.id))?.lastUsedAt).toEqual(b.lastUsedAt);
    });
  });
}
