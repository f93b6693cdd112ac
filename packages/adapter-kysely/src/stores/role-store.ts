import type { Role, RoleStore } from '@portcullis/core';
import type { ColumnCodec } from '../column-codec.js';
import type { Row } from '../kysely-types.js';
import type { StoreContext } from './store-context.js';

export class KyselyRoleStore implements RoleStore {
  constructor(private readonly ctx: StoreContext) {}

  async createMany(roles: Role[]): Promise<void> {
    if (roles.length === 0) return;
    const { db, tables, codec } = this.ctx;
    // one multi-row INSERT: a duplicate key rejects the whole statement, never half the roles
    await db
      .insertInto(tables.roles)
      .values(
        roles.map((role) => ({
          id: role.id,
          tenant_id: role.tenantId,
          key: role.key,
          name: role.name,
          permissions: codec.toJson(role.permissions),
          version: role.version,
          created_at: codec.toDate(role.createdAt),
          updated_at: codec.toDate(role.updatedAt),
        })),
      )
      .execute();
  }

  async listByTenant(tenantId: string): Promise<Role[]> {
    const { db, tables, codec } = this.ctx;
    const rows = await db
      .selectFrom(tables.roles)
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('key')
      .execute();
    return rows.map((row) => toRole(row, codec));
  }

  async findByKey(tenantId: string, key: string): Promise<Role | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(tables.roles)
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? toRole(row, codec) : null;
  }
}

function toRole(row: Row, codec: ColumnCodec): Role {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    key: row.key,
    name: row.name,
    permissions: codec.fromJson(row.permissions),
    version: codec.fromInteger(row.version),
    createdAt: codec.fromDate(row.created_at),
    updatedAt: codec.fromDate(row.updated_at),
  };
}
