import type { Role, RoleStore } from '@portcullis/core';
import { and, asc, eq } from 'drizzle-orm';
import type { StoreContext } from './store-context.js';

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
}
