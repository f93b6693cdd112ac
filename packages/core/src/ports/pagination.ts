/** Keyset pagination: `cursor` is opaque to callers and is the last id of the previous page. */
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null when this is the last page. */
  nextCursor: string | null;
}
