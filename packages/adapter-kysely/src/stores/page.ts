import type { Page } from '@portcullis/core/ports';

/** Builds a page from `limit + 1` rows: the extra row only says that another page exists. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: items[items.length - 1]!.id };
}
