import { recordChange } from '../audit/index.js';
import type { CallContext } from '../call-context.js';
import { uuidv7 } from '../crypto/uuid.js';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import { parseInput } from '../validation.js';
import type { RateLimitOverrideCache } from './rate-limit-override-cache.js';
import {
  type RemoveRateLimitOverrideInput,
  rateLimitOverrideSchemas,
  type SetRateLimitOverrideInput,
} from './rate-limit-override-schemas.js';
import type { StoredRateLimitOverride } from './rate-limit-overrides.js';

/**
 * The rate-limit override operations of `auth.api`: server-side only, with no HTTP route, since
 * the SaaS operator sets a plan's limits and a tenant must not raise its own. The actor of their
 * audit entries is the system unless the call's `context` names one.
 */
export interface RateLimitOverridesApi {
  /**
   * Sets a tenant's numbers for one policy: for one of its API keys (`apiKeyId`), or for every
   * request acting in the tenant. They replace the policy's `limit`, `periodSeconds` and `burst`
   * (default: the new limit) for requests whose facts name that tenant (and key), on this instance
   * at once and on the others within a second (see `docs/rate-limits.md`, "Overrides"). Setting
   * the same (tenant, key, policy) again replaces the numbers. `invalid_request` for a policy that
   * is not configured or numbers out of range; `not_found` for an unknown tenant or a key that is
   * not the tenant's. Audited and emitted as `rate_limit.override_set`.
   *
   * @example
   * // the Pro plan: 1000 requests a minute on the `api` policy
   * await auth.api.setRateLimitOverride(tenantId, { policy: 'api', limit: 1000, periodSeconds: 60 })
   */
  setRateLimitOverride(
    tenantId: string,
    input: SetRateLimitOverrideInput,
    context?: CallContext,
  ): Promise<StoredRateLimitOverride>;
  /**
   * Removes a tenant's override of one policy (the key's when `apiKeyId` is given, else the
   * tenant-wide one): the policy's numbers apply again. `not_found` when there is none. Audited
   * and emitted as `rate_limit.override_removed`.
   *
   * @example
   * await auth.api.removeRateLimitOverride(tenantId, { policy: 'api' })
   */
  removeRateLimitOverride(
    tenantId: string,
    input: RemoveRateLimitOverrideInput,
    context?: CallContext,
  ): Promise<void>;
  /**
   * The tenant's overrides, tenant-wide and per key, oldest first, as this instance applies them
   * (from its cache, read from the database when it holds none). `not_found` for an unknown tenant.
   *
   * @example
   * const overrides = await auth.api.listRateLimitOverrides(tenantId)
   */
  listRateLimitOverrides(tenantId: string): Promise<StoredRateLimitOverride[]>;
}

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
    if (!(await tx.tenants.findById(tenantId))) throw new AuthError('not_found', { detail: 'no such tenant' });
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
