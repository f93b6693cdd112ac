import { describe, expect } from 'vitest';
import type { Invitation } from '../../invitations/invitations.js';
import {
  anInvitation,
  aTenant,
  aUser,
  caught,
  expectConflict,
  later,
  type StorageCases,
} from '../storage-fixtures.js';

const DAY_MS = 24 * 3_600_000;

export function invitationCases({ it, storage }: StorageCases): void {
  async function createTenant() {
    const tenant = aTenant();
    await storage().tenants.create(tenant);
    return tenant;
  }

  describe('invitations', () => {
    it('stores every invitation field and finds it by token hash from any tenant', async () => {
      const tenant = await createTenant();
      const inviter = aUser();
      await storage().users.create(inviter);
      const invitation = anInvitation(tenant.id, {
        email: 'grace.hopper@example.test',
        roles: ['admin', 'member'],
        maxUses: 1,
        createdBy: inviter.id,
        expiresAt: new Date('2037-06-07T08:09:10.011Z'),
        createdAt: new Date('2024-05-06T07:08:09.010Z'),
        updatedAt: new Date('2024-05-06T07:08:09.999Z'),
      });
      const open = anInvitation(tenant.id);
      await storage().invitations.create(invitation);
      await storage().invitations.create(open);

      expect(await storage().invitations.findByTokenHash(invitation.tokenHash)).toEqual(invitation);
      expect(await storage().invitations.findByTokenHash(open.tokenHash)).toEqual(open);
      expect(await storage().invitations.findByTokenHash(anInvitation(tenant.id).tokenHash)).toBeNull();
    });

    it('rejects a second invitation with the same token hash as a conflict', async () => {
      const tenant = await createTenant();
      const first = anInvitation(tenant.id);
      await storage().invitations.create(first);
      await expectConflict(() =>
        storage().invitations.create(anInvitation(tenant.id, { tokenHash: first.tokenHash })),
      );
      expect(await storage().invitations.findByTokenHash(first.tokenHash)).toEqual(first);
    });

    it("lists the tenant's invitations of every status by id, page by page, and no other tenant's", async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      const invitations = [
        anInvitation(tenant.id),
        anInvitation(tenant.id, { status: 'revoked' }),
        anInvitation(tenant.id, { status: 'exhausted', uses: 3 }),
      ];
      for (const invitation of [invitations[1]!, invitations[2]!, invitations[0]!]) {
        await storage().invitations.create(invitation);
      }
      await storage().invitations.create(anInvitation(other.id));

      const first = await storage().invitations.listByTenant(tenant.id, { limit: 2 });
      expect(first.items).toEqual(invitations.slice(0, 2));
      expect(first.nextCursor).not.toBeNull();
      expect(
        await storage().invitations.listByTenant(tenant.id, { limit: 2, cursor: first.nextCursor! }),
      ).toEqual({ items: invitations.slice(2), nextCursor: null });
      expect(await storage().invitations.listByTenant(tenant.id, { limit: 3 })).toEqual({
        items: invitations,
        nextCursor: null,
      });
    });

    it('revokes a pending invitation once, never another tenant’s', async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      const invitation = anInvitation(tenant.id);
      await storage().invitations.create(invitation);
      const revokedAt = later(invitation.updatedAt, 1_000);

      expect(await storage().invitations.revoke(other.id, invitation.id, revokedAt)).toBe(false);
      expect(await storage().invitations.findByTokenHash(invitation.tokenHash)).toEqual(invitation);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => storage().invitations.revoke(tenant.id, invitation.id, revokedAt)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await storage().invitations.findByTokenHash(invitation.tokenHash)).toEqual({
        ...invitation,
        status: 'revoked',
        updatedAt: revokedAt,
      });
      expect(await storage().invitations.consumeUse(invitation.id, new Date())).toBeNull();
    });

    it('uses an invitation up: each use counts, the last one exhausts it, then none is left', async () => {
      const tenant = await createTenant();
      const invitation = anInvitation(tenant.id, { maxUses: 2 });
      await storage().invitations.create(invitation);
      const now = later(invitation.createdAt, 1_000);

      expect(await storage().invitations.consumeUse(invitation.id, now)).toEqual({
        ...invitation,
        uses: 1,
        updatedAt: now,
      });
      expect(await storage().invitations.consumeUse(invitation.id, now)).toEqual({
        ...invitation,
        uses: 2,
        status: 'exhausted',
        updatedAt: now,
      });
      expect(await storage().invitations.consumeUse(invitation.id, now)).toBeNull();
      expect(await storage().invitations.findByTokenHash(invitation.tokenHash)).toMatchObject({
        uses: 2,
        status: 'exhausted',
      });
    });

    it('does not use an invitation at or after its expiry, nor one that does not exist', async () => {
      const tenant = await createTenant();
      const now = new Date();
      const invitation = anInvitation(tenant.id, { expiresAt: later(now, DAY_MS) });
      await storage().invitations.create(invitation);

      expect(await storage().invitations.consumeUse(invitation.id, invitation.expiresAt)).toBeNull();
      expect(
        await storage().invitations.consumeUse(invitation.id, later(invitation.expiresAt, 1)),
      ).toBeNull();
      expect(await storage().invitations.findByTokenHash(invitation.tokenHash)).toEqual(invitation);
      expect(
        await storage().invitations.consumeUse(invitation.id, later(invitation.expiresAt, -1)),
      ).toMatchObject({
        uses: 1,
      });
      expect(await storage().invitations.consumeUse(anInvitation(tenant.id).id, now)).toBeNull();
    });

    it('does not use a pending invitation whose uses already reached maxUses (the guard is uses < maxUses, not the status alone)', async () => {
      const tenant = await createTenant();
      // a row another writer left pending at its limit: the count, not the status, decides
      const invitation = anInvitation(tenant.id, { maxUses: 2, uses: 2 });
      await storage().invitations.create(invitation);

      expect(
        await storage().invitations.consumeUse(invitation.id, later(invitation.createdAt, 1_000)),
      ).toBeNull();
      expect(await storage().invitations.findByTokenHash(invitation.tokenHash)).toMatchObject({
        uses: 2,
        status: 'pending',
      });
    });

    it('never exceeds maxUses: of 20 concurrent uses of a 3-use invitation exactly 3 win', async () => {
      const tenant = await createTenant();
      const invitation = anInvitation(tenant.id, { maxUses: 3 });
      await storage().invitations.create(invitation);
      const now = new Date();

      const results = await Promise.all(
        Array.from({ length: 20 }, () => storage().invitations.consumeUse(invitation.id, now)),
      );
      const winners = results.filter((r): r is Invitation => r !== null);
      expect(winners.map((w) => w.uses).sort()).toEqual([1, 2, 3]);
      expect(winners.filter((w) => w.status === 'exhausted')).toHaveLength(1);
      expect(await storage().invitations.findByTokenHash(invitation.tokenHash)).toMatchObject({
        uses: 3,
        status: 'exhausted',
      });
    });

    it('rejects the invitation calls that name no tenant', async () => {
      const calls = [
        () => storage().invitations.listByTenant('', { limit: 10 }),
        () => storage().invitations.revoke('', 'x', new Date()),
      ];
      for (const call of calls) expect(String(await caught(call))).toMatch(/without a tenant id/);
    });
  });
}
