import type { ApiKeyStore } from '../api-keys/api-key-store.js';
import type { ApiKey } from '../api-keys/api-keys.js';
import {
  byId,
  conflict,
  copy,
  copyOrNull,
  lookup,
  type MemoryTables,
  ownedBy,
  paginate,
  pairKey,
  type RunOperation,
  type TableWriter,
} from './memory-tables.js';

/** The API key store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryApiKeyStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): ApiKeyStore {
  const update = (key: ApiKey, changes: Partial<ApiKey>) => {
    const next = { ...key, ...changes };
    writer.set(tables.apiKeys, key.id, next);
    return next;
  };
  /** The port's standing: an active tenant, and no owner or an active owner still a member. */
  const standing = (key: ApiKey) => {
    if (tables.tenants.get(key.tenantId)?.status !== 'active') return false;
    if (key.ownerUserId === null) return true;
    return (
      tables.users.get(key.ownerUserId)?.status === 'active' &&
      tables.membershipIdByTenantUser.has(pairKey(key.tenantId, key.ownerUserId))
    );
  };
  return {
    create: (key) =>
      run(() => {
        if (tables.apiKeys.has(key.id)) throw conflict('api_keys: id exists');
        if (tables.apiKeyIdByHash.has(key.keyHash)) throw conflict('api_keys: key hash exists');
        writer.set(tables.apiKeys, key.id, copy(key));
        writer.set(tables.apiKeyIdByHash, key.keyHash, key.id);
      }),
    findByHash: (keyHash) =>
      run(() => {
        const key = lookup(tables.apiKeys, tables.apiKeyIdByHash.get(keyHash));
        return key ? { key: copy(key), standing: standing(key) } : null;
      }),
    findById: (tenantId, id) => run(() => copyOrNull(ownedBy(tables.apiKeys.get(id), tenantId))),
    listByTenant: (tenantId, page) =>
      run(() =>
        paginate(
          [...tables.apiKeys.values()]
            .filter((key) => key.tenantId === tenantId && key.status === 'active')
            .sort(byId),
          page,
          copy,
        ),
      ),
    beginRotation: (tenantId, id, change) =>
      run(() => {
        const key = ownedBy(tables.apiKeys.get(id), tenantId);
        if (!key || key.status !== 'active' || key.successorId !== null) return null;
        return copy(
          update(key, {
            successorId: change.successorId,
            overlapEndsAt: new Date(change.overlapEndsAt),
            updatedAt: new Date(change.at),
          }),
        );
      }),
    revoke: (tenantId, id, at, reason) =>
      run(() => {
        const key = ownedBy(tables.apiKeys.get(id), tenantId);
        if (!key || key.status !== 'active') return false;
        update(key, {
          status: 'revoked',
          revokedAt: new Date(at),
          revokedReason: reason,
          updatedAt: new Date(at),
        });
        return true;
      }),
    markLeakReported: (tenantId, id, at) =>
      run(() => {
        const key = ownedBy(tables.apiKeys.get(id), tenantId);
        if (!key || key.leakReportedAt !== null) return false;
        update(key, { leakReportedAt: new Date(at), updatedAt: new Date(at) });
        return true;
      }),
    revokeOwnedBy: (userId, tenantId, at, reason) =>
      run(() => {
        let count = 0;
        for (const key of tables.apiKeys.values()) {
          if (key.ownerUserId !== userId || key.status !== 'active') continue;
          if (tenantId !== null && key.tenantId !== tenantId) continue;
          update(key, {
            status: 'revoked',
            revokedAt: new Date(at),
            revokedReason: reason,
            updatedAt: new Date(at),
          });
          count += 1;
        }
        return count;
      }),
    updateLimits: (tenantId, id, change) =>
      run(() => {
        const key = ownedBy(tables.apiKeys.get(id), tenantId);
        if (!key || key.status !== 'active') return null;
        const changes: Partial<ApiKey> = { updatedAt: new Date(change.at) };
        if (change.rateLimitPolicies !== undefined)
          changes.rateLimitPolicies =
            change.rateLimitPolicies === null ? null : [...change.rateLimitPolicies];
        if (change.credits !== undefined) {
          const credits = change.credits;
          changes.creditsRemaining = credits?.remaining ?? null;
          changes.creditRefillAmount = credits?.refillAmount ?? null;
          changes.creditRefillInterval = credits?.refillInterval ?? null;
          changes.creditsRefilledAt = credits ? new Date(credits.setAt) : null;
        }
        return copy(update(key, changes));
      }),
    consumeCredits: (id, cost, periodStart, at) =>
      run(() => {
        const key = tables.apiKeys.get(id);
        if (!key || key.creditsRemaining === null) return null;
        const refill =
          key.creditRefillAmount !== null &&
          (key.creditsRefilledAt === null || key.creditsRefilledAt.getTime() < periodStart.getTime());
        const available = refill ? (key.creditRefillAmount as number) : key.creditsRemaining;
        if (available < cost) return null;
        update(key, {
          creditsRemaining: available - cost,
          ...(refill ? { creditsRefilledAt: new Date(at) } : {}),
        });
        return available - cost;
      }),
    recordUses: (uses) =>
      run(() => {
        for (const use of uses) {
          const key = tables.apiKeys.get(use.id);
          if (!key) continue;
          if (key.lastUsedAt !== null && key.lastUsedAt.getTime() >= use.at.getTime()) continue;
          update(key, { lastUsedAt: new Date(use.at) });
        }
      }),
  };
}
