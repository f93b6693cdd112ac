import type { Page, PageRequest } from '@portcullis/core/ports';
import type { Row } from '../kysely-types.js';
import type { StoreContext } from './store-context.js';

/** Builds a page from `limit + 1` rows: the extra row only says that another page exists. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: items[items.length - 1]!.id };
}

/**
 * One page of a tenant's rows of `table`, by id (the cursor is the last id of the page before),
 * optionally only those with `status`: the listing every tenant-scoped store shares.
 */
export async function tenantPage<T extends { id: string }>(
  { db }: Pick<StoreContext, 'db'>,
  table: string,
  { tenantId, status }: { tenantId: string; status?: string },
  page: PageRequest,
  toItem: (row: Row) => T,
): Promise<Page<T>> {
  let query = db.selectFrom(table).selectAll().where('tenant_id', '=', tenantId);
  if (status !== undefined) query = query.where('status', '=', status);
  if (page.cursor) query = query.where('id', '>', page.cursor);
  const rows = await query
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return toPage(rows.map(toItem), page.limit);
}
