import type { CallContext } from '../call-context.js';
import type {
  RemoveRateLimitOverrideInput,
  SetRateLimitOverrideInput,
} from './rate-limit-override-schemas.js';
import type { StoredRateLimitOverride } from './rate-limit-overrides.js';

// Declared apart from the service, which writes through the storage port and the audit domain:
// the storage port reaches this domain's index (through the store slices' row types), so the
// index exports this interface and the composition root imports the service file itself.

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
