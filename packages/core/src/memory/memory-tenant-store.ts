import type { TenantStore } from '../tenants/tenant-store.js';
import type { Tenant, TenantWithRoles } from '../tenants/tenants.js';
import {
  byId,
  conflict,
  copy,
  copyOrNull,
  lookup,
  type MemoryTables,
  paginate,
  type RunOperation,
  type TableWriter,
} from './memory-tables.js';

/** The tenant store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryTenantStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): TenantStore {
  return {
    create: (tenant) =>
      run(() => {
        if (tables.tenants.has(tenant.id)) throw conflict('tenants: id exists');
        if (tables.tenantIdBySlug.has(tenant.slug)) throw conflict('tenants: slug exists');
        writer.set(tables.tenants, tenant.id, copy(tenant));
        writer.set(tables.tenantIdBySlug, tenant.slug, tenant.id);
      }),
    findById: (id) => run(() => copyOrNull(tables.tenants.get(id))),
    findBySlug: (slug) => run(() => copyOrNull(lookup(tables.tenants, tables.tenantIdBySlug.get(slug)))),
    // transactions run one at a time here: existing is all a lock needs to report
    lock: (id) => run(() => tables.tenants.has(id)),
    update: (id, patch) =>
      run(() => {
        const current = tables.tenants.get(id);
        if (!current) return null;
        const next: Tenant = { ...current, updatedAt: new Date(patch.updatedAt) };
        if (patch.name !== undefined) next.name = patch.name;
        if (patch.status !== undefined) next.status = patch.status;
        if (patch.metadata !== undefined) next.metadata = copy(patch.metadata);
        writer.set(tables.tenants, id, next);
        return copy(next);
      }),
    listForUser: (userId, page) =>
      run(() => {
        const tenants: TenantWithRoles[] = [];
        for (const membership of tables.memberships.values()) {
          const tenant = membership.userId === userId ? tables.tenants.get(membership.tenantId) : undefined;
          if (tenant) tenants.push({ ...tenant, roles: membership.roles });
        }
        return paginate(tenants.sort(byId), page, copy);
      }),
  };
}
