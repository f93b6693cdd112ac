import type { Role, RolePatch, RoleStore } from '@portcullis/core/ports';
import { sql } from 'kysely';
import type { ColumnCodec } from '../column-codec.js';
import type { Row } from '../kysely-types.js';
import type { StoreContext } from './store-context.js';
import { updateReturning } from './update-returning.js';

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

  async findById(tenantId: string, id: string): Promise<Role | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(tables.roles)
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toRole(row, codec) : null;
  }

  async update(tenantId: string, id: string, patch: RolePatch): Promise<Role | null> {
    const { tables, codec } = this.ctx;
    const set: Record<string, unknown> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.permissions !== undefined) set.permissions = codec.toJson(patch.permissions);
    // `version + 1` in the statement itself: concurrent updates never lose an increment
    set.version = sql`version + 1`;
    set.updated_at = codec.toDate(patch.updatedAt);
    const row = await updateReturning(
      this.ctx,
      tables.roles,
      ({ db }) =>
        db.updateTable(tables.roles).set(set).where('tenant_id', '=', tenantId).where('id', '=', id),
      { id },
    );
    return row ? toRole(row, codec) : null;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const { db, tables } = this.ctx;
    const result = await db
      .deleteFrom(tables.roles)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numDeletedRows === 1n;
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
