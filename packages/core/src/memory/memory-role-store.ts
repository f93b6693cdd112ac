import type { RoleStore } from '../authorization/role-store.js';
import {
  compare,
  conflict,
  copy,
  copyOrNull,
  lookup,
  type MemoryTables,
  ownedBy,
  pairKey,
  type RunOperation,
  type TableWriter,
} from './memory-tables.js';

/** The role store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryRoleStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): RoleStore {
  return {
    createMany: (roles) =>
      run(() => {
        // check the whole batch first: like one multi-row INSERT, it inserts all or nothing
        const ids = new Set<string>();
        const keys = new Set<string>();
        for (const role of roles) {
          const key = pairKey(role.tenantId, role.key);
          if (tables.roles.has(role.id) || ids.has(role.id)) throw conflict('roles: id exists');
          if (tables.roleIdByTenantKey.has(key) || keys.has(key))
            throw conflict('roles: key exists in tenant');
          ids.add(role.id);
          keys.add(key);
        }
        for (const role of roles) {
          writer.set(tables.roles, role.id, copy(role));
          writer.set(tables.roleIdByTenantKey, pairKey(role.tenantId, role.key), role.id);
        }
      }),
    listByTenant: (tenantId) =>
      run(() =>
        [...tables.roles.values()]
          .filter((role) => role.tenantId === tenantId)
          .sort((a, b) => compare(a.key, b.key))
          .map(copy),
      ),
    findByKey: (tenantId, key) =>
      run(() => copyOrNull(lookup(tables.roles, tables.roleIdByTenantKey.get(pairKey(tenantId, key))))),
    findById: (tenantId, id) => run(() => copyOrNull(ownedBy(tables.roles.get(id), tenantId))),
    update: (tenantId, id, patch) =>
      run(() => {
        const current = ownedBy(tables.roles.get(id), tenantId);
        if (!current) return null;
        const next = { ...current, version: current.version + 1, updatedAt: new Date(patch.updatedAt) };
        if (patch.name !== undefined) next.name = patch.name;
        if (patch.permissions !== undefined) next.permissions = copy(patch.permissions);
        writer.set(tables.roles, id, next);
        return copy(next);
      }),
    delete: (tenantId, id) =>
      run(() => {
        const current = ownedBy(tables.roles.get(id), tenantId);
        if (!current) return false;
        writer.delete(tables.roles, id);
        writer.delete(tables.roleIdByTenantKey, pairKey(tenantId, current.key));
        return true;
      }),
  };
}
