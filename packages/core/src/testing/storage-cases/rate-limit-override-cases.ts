import { describe, expect } from 'vitest';
import { uuidv7 } from '../../crypto/uuid.js';
import type { StoredRateLimitOverride } from '../../rate-limit/rate-limit-overrides.js';
import { aTenant, later, type StorageCases } from '../storage-fixtures.js';

export function rateLimitOverrideCases({ it, storage }: StorageCases): void {
  async function createTenant() {
    const tenant = aTenant();
    await storage().tenants.create(tenant);
    return tenant;
  }

  function anOverride(
    tenantId: string,
    overrides: Partial<StoredRateLimitOverride> = {},
  ): StoredRateLimitOverride {
    const now = new Date('2025-03-04T05:06:07.089Z');
    return {
      id: uuidv7(),
      tenantId,
      apiKeyId: null,
      policy: 'api',
      limit: 1000,
      periodSeconds: 60,
      burst: null,
      createdAt: now,
      updatedAt: now,
      ...overrides,
    };
  }

  describe('rate-limit overrides', () => {
    it('stores tenant-wide and per-key overrides and lists the tenant’s by id', async () => {
      const tenant = await createTenant();
      const tenantWide = anOverride(tenant.id);
      const perKey = anOverride(tenant.id, { apiKeyId: uuidv7(), burst: 50, limit: 2_000_000_000 });
      const otherPolicy = anOverride(tenant.id, { policy: 'signIn:hourly.v2', periodSeconds: 3600 });
      for (const override of [tenantWide, perKey, otherPolicy]) {
        expect(await storage().rateLimitOverrides.put(override)).toEqual(override);
      }
      expect(await storage().rateLimitOverrides.listByTenant(tenant.id)).toEqual([
        tenantWide,
        perKey,
        otherPolicy,
      ]);
    });

    it('replaces the numbers of an existing (tenant, key, policy), keeping its id and creation time', async () => {
      const tenant = await createTenant();
      const keyId = uuidv7();
      const first = anOverride(tenant.id, { apiKeyId: keyId });
      await storage().rateLimitOverrides.put(first);
      const second = anOverride(tenant.id, {
        apiKeyId: keyId,
        limit: 5,
        periodSeconds: 10,
        burst: 2,
        createdAt: later(first.createdAt, 1000),
        updatedAt: later(first.updatedAt, 1000),
      });
      const expected = { ...second, id: first.id, createdAt: first.createdAt };
      expect(await storage().rateLimitOverrides.put(second)).toEqual(expected);
      expect(await storage().rateLimitOverrides.listByTenant(tenant.id)).toEqual([expected]);
      // and back to no burst
      const third = { ...second, id: uuidv7(), burst: null };
      expect((await storage().rateLimitOverrides.put(third)).burst).toBeNull();
    });

    it('deletes an override by (tenant, key, policy), tenant-wide apart from per-key', async () => {
      const tenant = await createTenant();
      const keyId = uuidv7();
      const tenantWide = anOverride(tenant.id);
      const perKey = anOverride(tenant.id, { apiKeyId: keyId });
      await storage().rateLimitOverrides.put(tenantWide);
      await storage().rateLimitOverrides.put(perKey);

      expect(await storage().rateLimitOverrides.delete(tenant.id, null, 'other')).toBe(false);
      expect(await storage().rateLimitOverrides.delete(tenant.id, null, 'api')).toBe(true);
      expect(await storage().rateLimitOverrides.delete(tenant.id, null, 'api')).toBe(false);
      expect(await storage().rateLimitOverrides.listByTenant(tenant.id)).toEqual([perKey]);
      expect(await storage().rateLimitOverrides.delete(tenant.id, keyId, 'api')).toBe(true);
      expect(await storage().rateLimitOverrides.listByTenant(tenant.id)).toEqual([]);
    });

    it('never lists nor deletes another tenant’s override', async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      const keyId = uuidv7();
      const theirs = [anOverride(other.id), anOverride(other.id, { apiKeyId: keyId })];
      for (const override of theirs) await storage().rateLimitOverrides.put(override);
      // the same (key, policy) in this tenant is a row of its own
      const mine = anOverride(tenant.id, { apiKeyId: keyId, limit: 7 });
      await storage().rateLimitOverrides.put(mine);

      expect(await storage().rateLimitOverrides.listByTenant(tenant.id)).toEqual([mine]);
      expect(await storage().rateLimitOverrides.delete(tenant.id, null, 'api')).toBe(false);
      expect(await storage().rateLimitOverrides.listByTenant(other.id)).toEqual(theirs);
      expect(await storage().rateLimitOverrides.delete(tenant.id, keyId, 'api')).toBe(true);
      expect(await storage().rateLimitOverrides.listByTenant(other.id)).toEqual(theirs);
    });

    it('leaves one row, of one writer, after 20 concurrent puts of one (tenant, key, policy)', async () => {
      const tenant = await createTenant();
      const keyId = uuidv7();
      const puts = Array.from({ length: 20 }, (_, i) =>
        anOverride(tenant.id, { apiKeyId: keyId, limit: 100 + i, burst: i % 2 === 0 ? null : i }),
      );
      const results = await Promise.all(puts.map((put) => storage().rateLimitOverrides.put(put)));
      const rows = await storage().rateLimitOverrides.listByTenant(tenant.id);
      expect(rows).toHaveLength(1);
      const [row] = rows as [StoredRateLimitOverride];
      // the surviving numbers are one writer's whole: never one's limit with another's burst
      const writer = puts.find((put) => put.limit === row.limit);
      expect(row.burst).toBe(writer?.burst);
      expect(puts.map((put) => put.id)).toContain(row.id);
      // every put answered with the row's id, the one first inserted
      expect(new Set(results.map((result) => result.id))).toEqual(new Set([row.id]));
    });

    it('undoes a put in a rolled-back transaction', async () => {
      const tenant = await createTenant();
      const kept = anOverride(tenant.id);
      await storage().rateLimitOverrides.put(kept);
      await expect(
        storage().transaction(async (tx) => {
          await tx.rateLimitOverrides.put({ ...anOverride(tenant.id), limit: 1 });
          await tx.rateLimitOverrides.put(anOverride(tenant.id, { policy: 'other' }));
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await storage().rateLimitOverrides.listByTenant(tenant.id)).toEqual([kept]);
    });
  });
}
