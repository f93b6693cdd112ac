import type { Role, RolePatch, RoleStore } from '@portcullis/core/ports';
import { and, asc, eq, sql } from 'drizzle-orm';
import { affectedRows } from './dialect-queries.js';
import type { StoreContext } from './store-context.js';
import { updateReturning } from './update-returning.js';

export class DrizzleRoleStore implements RoleStore {
  constructor(private readonly ctx: StoreContext) {}

  async createMany(roles: Role[]): Promise<void> {
    if (roles.length === 0) return;
    const { db, tables } = this.ctx;
    // one multi-row INSERT: a duplicate key rejects the whole statement, never half the roles
    await db.insert(tables.roles).values(
      roles.map((role) => ({
        id: role.id,
        tenantId: role.tenantId,
        key: role.key,
        name: role.name,
        permissions: role.permissions,
        version: role.version,
        createdAt: role.createdAt,
        updatedAt: role.updatedAt,
      })),
    );
  }

  async listByTenant(tenantId: string): Promise<Role[]> {
    const { db, tables } = this.ctx;
    return db
      .select()
      .from(tables.roles)
      .where(eq(tables.roles.tenantId, tenantId))
      .orderBy(asc(tables.roles.key));
  }

  async findByKey(tenantId: string, key: string): Promise<Role | null> {
    const { db, tables } = this.ctx;
    const { roles } = tables;
    const [row] = await db
      .select()
      .from(roles)
      .where(and(eq(roles.tenantId, tenantId), eq(roles.key, key)));
    return row ?? null;
  }

  async findById(tenantId: string, id: string): Promise<Role | null> {
    const { db, tables } = this.ctx;
    const { roles } = tables;
    const [row] = await db
      .select()
      .from(roles)
      .where(and(eq(roles.tenantId, tenantId), eq(roles.id, id)));
    return row ?? null;
  }

  async update(tenantId: string, id: string, patch: RolePatch): Promise<Role | null> {
    const { roles } = this.ctx.tables;
    const set: Record<string, unknown> = {
      // `version + 1` in the statement itself: concurrent updates never lose an increment
      version: sql`${roles.version} + 1`,
      updatedAt: patch.updatedAt,
    };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.permissions !== undefined) set.permissions = patch.permissions;
    const row = await updateReturning(
      this.ctx,
      roles,
      set,
      and(eq(roles.tenantId, tenantId), eq(roles.id, id)),
      eq(roles.id, id),
    );
    return row ?? null;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { roles } = tables;
    const result = await db.delete(roles).where(and(eq(roles.tenantId, tenantId), eq(roles.id, id)));
    return affectedRows(dialect, result) === 1;
  }
}
