import type { Member, Membership, MembershipStore, Page, PageRequest } from '@portcullis/core/ports';
import { and, asc, count, eq, getTableColumns, gt, type SQL, sql } from 'drizzle-orm';
import { affectedRows } from './dialect-queries.js';
import { toPage } from './page.js';
import type { StoreContext } from './store-context.js';
import { updateReturning } from './update-returning.js';

export class DrizzleMembershipStore implements MembershipStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(membership: Membership): Promise<void> {
    const { db, tables } = this.ctx;
    await db.insert(tables.memberships).values({
      id: membership.id,
      tenantId: membership.tenantId,
      userId: membership.userId,
      roles: membership.roles,
      attributes: membership.attributes,
      createdAt: membership.createdAt,
      updatedAt: membership.updatedAt,
    });
  }

  async find(tenantId: string, userId: string): Promise<Membership | null> {
    const { db, tables } = this.ctx;
    const { memberships } = tables;
    const [row] = await db
      .select()
      .from(memberships)
      .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
    return row ?? null;
  }

  async listByTenant(tenantId: string, page: PageRequest): Promise<Page<Member>> {
    const { db, tables } = this.ctx;
    const { memberships, users } = tables;
    const rows: Member[] = await db
      .select({
        ...getTableColumns(memberships),
        user: { id: users.id, email: users.email, name: users.name, status: users.status },
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(
        and(eq(memberships.tenantId, tenantId), page.cursor ? gt(memberships.id, page.cursor) : undefined),
      )
      .orderBy(asc(memberships.id))
      .limit(page.limit + 1);
    return toPage(rows, page.limit);
  }

  async listByUser(userId: string): Promise<Membership[]> {
    const { db, tables } = this.ctx;
    const { memberships } = tables;
    return db
      .select()
      .from(memberships)
      .where(eq(memberships.userId, userId))
      .orderBy(asc(memberships.tenantId));
  }

  async updateRoles(
    tenantId: string,
    userId: string,
    roles: string[],
    updatedAt: Date,
  ): Promise<Membership | null> {
    return this.#update(tenantId, userId, { roles, updatedAt });
  }

  async updateAttributes(
    tenantId: string,
    userId: string,
    attributes: Record<string, unknown>,
    updatedAt: Date,
  ): Promise<Membership | null> {
    return this.#update(tenantId, userId, { attributes, updatedAt });
  }

  async remove(tenantId: string, userId: string): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { memberships } = tables;
    const result = await db
      .delete(memberships)
      .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
    return affectedRows(dialect, result) === 1;
  }

  async countWithRole(tenantId: string, roleKey: string): Promise<number> {
    const { db, tables, dialect } = this.ctx;
    const { memberships } = tables;
    // roles is a JSON array in a text column: test membership with the database's JSON functions
    const holds: SQL =
      dialect === 'postgres'
        ? sql`cast(${memberships.roles} as jsonb) ? ${roleKey}`
        : dialect === 'mysql'
          ? sql`json_contains(${memberships.roles}, json_quote(${roleKey}))`
          : sql`exists (select 1 from json_each(${memberships.roles}) where value = ${roleKey})`;
    const [row] = await db
      .select({ count: count() })
      .from(memberships)
      .where(and(eq(memberships.tenantId, tenantId), holds));
    return Number(row?.count ?? 0);
  }

  async #update(tenantId: string, userId: string, set: Record<string, unknown>): Promise<Membership | null> {
    const { memberships } = this.ctx.tables;
    const where = and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId));
    const row = await updateReturning(this.ctx, memberships, set, where, where);
    return row ?? null;
  }
}
