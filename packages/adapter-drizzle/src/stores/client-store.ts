import type { Client, ClientSecretSlot, ClientStore, Page, PageRequest } from '@portcullis/core/ports';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { affectedRows } from './dialect-queries.js';
import { toPage } from './page.js';
import type { StoreContext } from './store-context.js';
import { updateReturning } from './update-returning.js';

export class DrizzleClientStore implements ClientStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(client: Client): Promise<void> {
    const { db, tables } = this.ctx;
    await db.insert(tables.clients).values({ ...client });
  }

  async findById(id: string): Promise<Client | null> {
    const { db, tables } = this.ctx;
    const { clients } = tables;
    const [row] = await db.select().from(clients).where(eq(clients.id, id));
    return row ?? null;
  }

  async listByTenant(tenantId: string, page: PageRequest): Promise<Page<Client>> {
    const { db, tables } = this.ctx;
    const { clients } = tables;
    const rows = await db
      .select()
      .from(clients)
      .where(
        and(
          eq(clients.tenantId, tenantId),
          eq(clients.status, 'active'),
          page.cursor ? gt(clients.id, page.cursor) : undefined,
        ),
      )
      .orderBy(asc(clients.id))
      .limit(page.limit + 1);
    return toPage(rows, page.limit);
  }

  async rotateSecret(
    tenantId: string,
    id: string,
    change: { expectedSecretHash: string; secretHash: string; previousSecretExpiresAt: Date; at: Date },
  ): Promise<Client | null> {
    const { clients } = this.ctx.tables;
    const matches = and(
      eq(clients.tenantId, tenantId),
      eq(clients.id, id),
      eq(clients.status, 'active'),
      // compare-and-set on the secret it replaces: of concurrent rotations one wins
      eq(clients.secretHash, change.expectedSecretHash),
    );
    const current = {
      previousSecretExpiresAt: change.previousSecretExpiresAt,
      secretHash: change.secretHash,
      secretCreatedAt: change.at,
      secretLastUsedAt: null,
      updatedAt: change.at,
    };
    if (this.ctx.dialect === 'mysql') {
      // MySQL evaluates SET left to right and Drizzle writes it in column order, where the
      // secret's columns come first: the old last use is read under the row lock instead
      return this.ctx.transaction(async (tx) => {
        const [row] = await tx.db.select().from(clients).where(matches).for('update');
        if (!row) return null;
        const changes = {
          ...current,
          previousSecretHash: row.secretHash,
          previousSecretLastUsedAt: row.secretLastUsedAt,
        };
        await tx.db.update(clients).set(changes).where(eq(clients.id, id));
        return { ...row, ...changes };
      });
    }
    // PostgreSQL and SQLite read every SET expression from the row as it was
    const row = await updateReturning(
      this.ctx,
      clients,
      {
        ...current,
        previousSecretHash: sql`${clients.secretHash}`,
        previousSecretLastUsedAt: sql`${clients.secretLastUsedAt}`,
      },
      matches,
      eq(clients.id, id),
    );
    return row ?? null;
  }

  async delete(tenantId: string, id: string, at: Date): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { clients } = tables;
    const result = await db
      .update(clients)
      .set({
        status: 'deleted',
        secretHash: null,
        previousSecretHash: null,
        previousSecretExpiresAt: null,
        updatedAt: at,
      })
      .where(and(eq(clients.tenantId, tenantId), eq(clients.id, id), eq(clients.status, 'active')));
    return affectedRows(dialect, result) === 1;
  }

  async recordUse(id: string, slot: ClientSecretSlot | null, at: Date): Promise<void> {
    const { db, tables } = this.ctx;
    const { clients } = tables;
    await db
      .update(clients)
      .set({
        lastUsedAt: at,
        ...(slot === 'current' ? { secretLastUsedAt: at } : {}),
        ...(slot === 'previous' ? { previousSecretLastUsedAt: at } : {}),
      })
      .where(and(eq(clients.id, id), eq(clients.status, 'active')));
  }
}
