/**
 * Slices `items` into runs of at most `size`, for adapters that bind one parameter per item:
 * a list from a caller must not outgrow the database's parameter limit (SQLite's is the lowest).
 */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/** Ids bound per statement when a store method takes a list of them. */
export const IDS_PER_STATEMENT = 500;
