import type { RateLimitOverrideStore } from '../rate-limit/rate-limit-override-store.js';
import {
  byId,
  copy,
  lookup,
  type MemoryTables,
  pairKey,
  type RunOperation,
  type TableWriter,
} from './memory-tables.js';

/** The unique key of an override: its tenant, its key (`''`: tenant-wide) and its policy. */
function scopeKey(tenantId: string, apiKeyId: string | null, policy: string): string {
  return pairKey(pairKey(tenantId, apiKeyId ?? ''), policy);
}

/** The rate-limit override store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryRateLimitOverrideStore(
  tables: MemoryTables,
  writer: TableWriter,
  run: RunOperation,
): RateLimitOverrideStore {
  return {
    listByTenant: (tenantId) =>
      run(() =>
        [...tables.rateLimitOverrides.values()]
          .filter((override) => override.tenantId === tenantId)
          .sort(byId)
          .map(copy),
      ),
    put: (override) =>
      run(() => {
        const scope = scopeKey(override.tenantId, override.apiKeyId, override.policy);
        const existing = lookup(tables.rateLimitOverrides, tables.rateLimitOverrideIdByScope.get(scope));
        const next = existing
          ? {
              ...existing,
              limit: override.limit,
              periodSeconds: override.periodSeconds,
              burst: override.burst,
              updatedAt: override.updatedAt,
            }
          : copy(override);
        writer.set(tables.rateLimitOverrides, next.id, next);
        writer.set(tables.rateLimitOverrideIdByScope, scope, next.id);
        return copy(next);
      }),
    delete: (tenantId, apiKeyId, policy) =>
      run(() => {
        const scope = scopeKey(tenantId, apiKeyId, policy);
        const id = tables.rateLimitOverrideIdByScope.get(scope);
        if (id === undefined) return false;
        writer.delete(tables.rateLimitOverrides, id);
        writer.delete(tables.rateLimitOverrideIdByScope, scope);
        return true;
      }),
  };
}
