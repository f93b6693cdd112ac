import type { SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { StoreContext } from './store-context.js';

/**
 * Runs a single-row UPDATE and returns the row as that statement left it, or undefined when it
 * matched nothing. PostgreSQL and SQLite use `RETURNING`; MySQL has none, so there the UPDATE and
 * a locking re-read run in one transaction (the row lock keeps a concurrent writer from slipping
 * in between).
 */
export async function updateReturning<T extends PgTable>(
  ctx: StoreContext,
  table: T,
  set: Record<string, unknown>,
  where: SQL | undefined,
  reread: SQL | undefined,
): Promise<T['$inferSelect'] | undefined> {
  if (ctx.dialect !== 'mysql') {
    const rows = await ctx.db.update(table).set(set).where(where).returning();
    return (rows as T['$inferSelect'][])[0];
  }
  return ctx.transaction(async (tx) => {
    const [result] = (await tx.db.update(table).set(set).where(where)) as unknown as [
      { affectedRows: number },
    ];
    if (result.affectedRows === 0) return undefined;
    const rows = await tx.db
      .select()
      .from(table as PgTable)
      .where(reread)
      .for('update');
    return (rows as T['$inferSelect'][])[0];
  });
}
