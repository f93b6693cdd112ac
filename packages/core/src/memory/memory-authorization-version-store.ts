import type { AuthorizationVersionStore } from '../authorization/authorization-version-store.js';
import { copy, type MemoryTables, type RunOperation, type TableWriter } from './memory-tables.js';

/** The authorization versions store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryAuthorizationVersionStore(
  tables: MemoryTables,
  writer: TableWriter,
  run: RunOperation,
): AuthorizationVersionStore {
  const current = (tenantId: string) =>
    tables.authorizationVersions.get(tenantId) ?? { tenantId, roles: 0, policies: 0 };
  const bump = (tenantId: string, which: 'roles' | 'policies') =>
    run(() => {
      const next = { ...current(tenantId) };
      next[which] += 1;
      writer.set(tables.authorizationVersions, tenantId, next);
      return next[which];
    });
  return {
    getVersions: (tenantId) => run(() => copy(current(tenantId))),
    getVersionsMany: (tenantIds) => run(() => [...new Set(tenantIds)].map((id) => copy(current(id)))),
    bumpRolesVersion: (tenantId) => bump(tenantId, 'roles'),
    bumpPoliciesVersion: (tenantId) => bump(tenantId, 'policies'),
  };
}
