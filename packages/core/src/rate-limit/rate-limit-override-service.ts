import { recordChange } from '../audit/index.js';
import { uuidv7 } from '../crypto/uuid.js';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import { parseInput } from '../validation.js';
import type { RateLimitOverrideCache } from './rate-limit-override-cache.js';
import { rateLimitOverrideSchemas } from './rate-limit-override-schemas.js';
import type { RateLimitOverridesApi } from './rate-limit-overrides-api.js';

/** The rate-limit overrides: their `auth.api` operations. */
export interface RateLimitOverrideService {
  api: RateLimitOverridesApi;
}

/** What the override service uses. */
export interface RateLimitOverrideServiceDeps {
  storage: Storage;
  clock: Clock;
  cache: RateLimitOverrideCache;
}

export function createRateLimitOverrideService(
  { storage, clock, cache }: RateLimitOverrideServiceDeps,
  options: { policyNames: readonly string[] },
): RateLimitOverrideService {
  const schemas = rateLimitOverrideSchemas(new Set(options.policyNames));

  /** The tenant, and the key when one is named, must exist and be the tenant's. */
  async function assertScope(tx: StorageStores, tenantId: string, apiKeyId: string | undefined) {
    if (!(await tx.tenants.findById(tenantId)))
      throw new AuthError('not_found', { detail: 'no such tenant' });
    if (apiKeyId !== undefined && !(await tx.apiKeys.findById(tenantId, apiKeyId))) {
      throw new AuthError('not_found', { detail: 'no such API key in this tenant' });
    }
  }

  return {
    api: {
      async setRateLimitOverride(tenantId, rawInput, context = {}) {
        assertTenantId(tenantId);
        const input = parseInput(schemas.set, rawInput);
        return storage.transaction(async (tx) => {
          await assertScope(tx, tenantId, input.apiKeyId);
          const now = clock.now();
          const stored = await tx.rateLimitOverrides.put({
            id: uuidv7(now.getTime()),
            tenantId,
            apiKeyId: input.apiKeyId ?? null,
            policy: input.policy,
            limit: input.limit,
            periodSeconds: input.periodSeconds,
            burst: input.burst ?? null,
            createdAt: now,
            updatedAt: now,
          });
          await recordChange(tx, clock, context, {
            tenantId,
            action: 'rate_limit.override_set',
            target: { type: 'rate_limit_override', id: stored.id },
            data: {
              policy: stored.policy,
              apiKeyId: stored.apiKeyId,
              limit: stored.limit,
              periodSeconds: stored.periodSeconds,
              burst: stored.burst,
            },
          });
          return stored;
        });
      },

      async removeRateLimitOverride(tenantId, rawInput, context = {}) {
        assertTenantId(tenantId);
        const input = parseInput(schemas.remove, rawInput);
        const apiKeyId = input.apiKeyId ?? null;
        await storage.transaction(async (tx) => {
          const existing = (await tx.rateLimitOverrides.listByTenant(tenantId)).find(
            (row) => row.policy === input.policy && row.apiKeyId === apiKeyId,
          );
          if (!existing || !(await tx.rateLimitOverrides.delete(tenantId, apiKeyId, input.policy))) {
            throw new AuthError('not_found', { detail: 'no such rate-limit override' });
          }
          await recordChange(tx, clock, context, {
            tenantId,
            action: 'rate_limit.override_removed',
            target: { type: 'rate_limit_override', id: existing.id },
            data: { policy: existing.policy, apiKeyId: existing.apiKeyId },
          });
        });
      },

      async listRateLimitOverrides(tenantId) {
        assertTenantId(tenantId);
        if (!(await storage.tenants.findById(tenantId))) {
          throw new AuthError('not_found', { detail: 'no such tenant' });
        }
        return cache.list(tenantId);
      },
    },
  };
}

/** A tenant id that is no string, or empty, names no tenant (and never reaches the storage). */
function assertTenantId(tenantId: unknown): asserts tenantId is string {
  if (typeof tenantId !== 'string' || tenantId.length === 0 || tenantId.length > 36) {
    throw new AuthError('not_found', { detail: 'no such tenant' });
  }
}
