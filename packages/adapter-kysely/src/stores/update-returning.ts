import type { UpdateQueryBuilder } from 'kysely';
import type { Row } from '../kysely-types.js';
import { inTransaction, type StoreContext } from './store-context.js';

/**
 * Runs a single-row UPDATE and returns the row as that statement left it, or undefined when it
 * matched nothing. PostgreSQL and SQLite use `RETURNING`; MySQL has none, so there the UPDATE and
 * a locking re-read run in one transaction (the row lock keeps a concurrent writer from slipping
 * in between).
 */
export async function updateReturning(
  ctx: StoreContext,
  table: string,
  // biome-ignore lint/suspicious/noExplicitAny: tables are named at run time (see kysely-types.ts)
  update: (ctx: StoreContext) => UpdateQueryBuilder<any, any, any, any>,
  /** Column → value pairs that find the row again (MySQL only). */
  reread: Record<string, string>,
): Promise<Row | undefined> {
  if (ctx.dialect !== 'mysql') return update(ctx).returningAll().executeTakeFirst();
  return inTransaction(ctx, async (tx) => {
    const result = await update(tx).executeTakeFirst();
    if (result.numUpdatedRows === 0n) return undefined;
    let select = tx.db.selectFrom(table).selectAll();
    for (const [column, value] of Object.entries(reread)) select = select.where(column, '=', value);
    return select.forUpdate().executeTakeFirst();
  });
}
