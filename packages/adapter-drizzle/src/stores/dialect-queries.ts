import type { DrizzleDialect } from '../drizzle-dialect.js';

// The few statements whose Drizzle API or result differs by dialect. The builders reach here
// typed as PostgreSQL's (see store-context.ts); these helpers use what each driver really returns.

/** How many rows an UPDATE matched: pg's `rowCount`, mysql2's `affectedRows`, better-sqlite3's `changes`. */
export function affectedRows(dialect: DrizzleDialect, result: unknown): number {
  switch (dialect) {
    case 'postgres':
      return (result as { rowCount: number | null }).rowCount ?? 0;
    case 'mysql':
      return (result as [{ affectedRows: number }])[0].affectedRows;
    case 'sqlite':
      return Number((result as { changes: number | bigint }).changes);
  }
}

/**
 * MySQL's upsert: `INSERT ... ON DUPLICATE KEY UPDATE set`. (PostgreSQL and SQLite use
 * `onConflictDoUpdate`, which the PostgreSQL-typed builder offers directly.)
 */
export function onDuplicateKeyUpdate(insert: object, set: Record<string, unknown>): PromiseLike<unknown> {
  return (
    insert as { onDuplicateKeyUpdate(config: { set: Record<string, unknown> }): PromiseLike<unknown> }
  ).onDuplicateKeyUpdate({ set });
}
