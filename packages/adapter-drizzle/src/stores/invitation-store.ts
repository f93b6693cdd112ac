import type { Invitation, InvitationStore, Page, PageRequest } from '@portcullis/core/ports';
import { and, asc, eq, gt, lt, sql } from 'drizzle-orm';
import { affectedRows } from './dialect-queries.js';
import { toPage } from './page.js';
import type { StoreContext } from './store-context.js';
import { updateReturning } from './update-returning.js';

export class DrizzleInvitationStore implements InvitationStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(invitation: Invitation): Promise<void> {
    const { db, tables } = this.ctx;
    await db.insert(tables.invitations).values({ ...invitation });
  }

  async findByTokenHash(tokenHash: string): Promise<Invitation | null> {
    const { db, tables } = this.ctx;
    const { invitations } = tables;
    const [row] = await db.select().from(invitations).where(eq(invitations.tokenHash, tokenHash));
    return row ?? null;
  }

  async listByTenant(tenantId: string, page: PageRequest): Promise<Page<Invitation>> {
    const { db, tables } = this.ctx;
    const { invitations } = tables;
    const rows = await db
      .select()
      .from(invitations)
      .where(
        and(eq(invitations.tenantId, tenantId), page.cursor ? gt(invitations.id, page.cursor) : undefined),
      )
      .orderBy(asc(invitations.id))
      .limit(page.limit + 1);
    return toPage(rows, page.limit);
  }

  async revoke(tenantId: string, id: string, updatedAt: Date): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { invitations } = tables;
    // `status = 'pending'` in the WHERE makes it a compare-and-set: one concurrent caller wins
    const result = await db
      .update(invitations)
      .set({ status: 'revoked', updatedAt })
      .where(
        and(eq(invitations.tenantId, tenantId), eq(invitations.id, id), eq(invitations.status, 'pending')),
      );
    return affectedRows(dialect, result) === 1;
  }

  async consumeUse(id: string, now: Date): Promise<Invitation | null> {
    const { invitations } = this.ctx.tables;
    // Drizzle writes SET in column order, `status` before `uses`: MySQL evaluates SET left to
    // right, and the CASE must read the old `uses`
    const row = await updateReturning(
      this.ctx,
      invitations,
      {
        status: sql`case when ${invitations.uses} + 1 >= ${invitations.maxUses} then 'exhausted' else ${invitations.status} end`,
        uses: sql`${invitations.uses} + 1`,
        updatedAt: now,
      },
      and(
        eq(invitations.id, id),
        eq(invitations.status, 'pending'),
        gt(invitations.expiresAt, now),
        lt(invitations.uses, invitations.maxUses),
      ),
      eq(invitations.id, id),
    );
    return row ?? null;
  }
}
