import type { PolicyStore, StoredPolicy } from '../authorization/policy-store.js';
import {
  byId,
  conflict,
  copy,
  copyOrNull,
  type MemoryTables,
  ownedBy,
  type RunOperation,
  type TableWriter,
} from './memory-tables.js';

/** The policy store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryPolicyStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): PolicyStore {
  return {
    create: (policy) =>
      run(() => {
        if (tables.policies.has(policy.id)) throw conflict('policies: id exists');
        writer.set(tables.policies, policy.id, copy(policy));
      }),
    findById: (tenantId, id) => run(() => copyOrNull(ownedBy(tables.policies.get(id), tenantId))),
    listByTenant: (tenantId) =>
      run(() =>
        [...tables.policies.values()]
          .filter((policy) => policy.tenantId === tenantId)
          .sort(byId)
          .map(copy),
      ),
    replace: (tenantId, id, replacement) =>
      run(() => {
        const current = ownedBy(tables.policies.get(id), tenantId);
        if (!current) return null;
        const next: StoredPolicy = {
          id,
          tenantId,
          effect: replacement.effect,
          actions: copy(replacement.actions),
          resource: replacement.resource,
          version: current.version + 1,
          createdAt: current.createdAt,
          updatedAt: new Date(replacement.updatedAt),
        };
        if (replacement.condition !== undefined) next.condition = copy(replacement.condition);
        if (replacement.description !== undefined) next.description = replacement.description;
        writer.set(tables.policies, id, next);
        return copy(next);
      }),
    delete: (tenantId, id) =>
      run(() => {
        if (!ownedBy(tables.policies.get(id), tenantId)) return false;
        writer.delete(tables.policies, id);
        return true;
      }),
  };
}
