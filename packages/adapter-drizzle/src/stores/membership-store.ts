import type { Member, Membership, MembershipStore, Page, PageRequest } from '@portcullis/core';
import { and, asc, eq, getTableColumns, gt } from 'drizzle-orm';
import { toPage } from './page.js';
import type { StoreContext } from './store-context.js';

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
}
