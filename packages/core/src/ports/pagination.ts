/**
 * Keyset pagination. `cursor` is opaque to callers (adapters use the last id of the previous
 * page); a page that ends the list has `nextCursor: null`, even when it holds exactly `limit`
 * items (adapters read `limit + 1` rows to know).
 */
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null when this is the last page. */
  nextCursor: string | null;
}

/** The page size of list operations called without one. */
export const DEFAULT_PAGE_LIMIT = 50;

/** A page request as list operations read it: {@link DEFAULT_PAGE_LIMIT} items unless it names a limit. */
export function pageRequest(page?: Partial<PageRequest>): PageRequest {
  return { limit: page?.limit ?? DEFAULT_PAGE_LIMIT, cursor: page?.cursor };
}
