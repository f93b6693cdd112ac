import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** How many statements {@link cacheSqliteStatements} keeps unless told otherwise. */
const DEFAULT_MAX_STATEMENTS = 256;

/**
 * Wraps a better-sqlite3 `Database` for Kysely's `SqliteDialect` so that `prepare(sql)` hands back
 * the statement it prepared last time for the same SQL text, keeping the `maxStatements` most
 * recently used (least recently used first out). Kysely's SQLite driver calls `prepare` on every
 * query, and compiling the SQL again each time is a large share of a small query's cost.
 * `createKyselyFromUrl` applies it to every SQLite database it opens.
 *
 * Sharing a statement is safe because Kysely uses only `reader`, `all`, `run` and `iterate`, and
 * better-sqlite3 runs `all` and `run` to completion synchronously, so two of them never overlap on
 * one statement. The exception is `iterate` (Kysely's `.stream()`): its statement stays busy
 * until the iterator finishes, so while it is busy `prepare` returns a fresh statement for that
 * SQL and caches the fresh one instead.
 *
 * The statements are shared, so code that calls `prepare` on the wrapper must not change their
 * modes (`pluck`, `raw`, `expand`, `safeIntegers`). Kysely never does. `close()` closes the
 * database.
 *
 * @param database a better-sqlite3 `Database`, or anything with its `prepare` and `close`
 * @param maxStatements how many distinct SQL texts to keep prepared (default 256)
 * @example
 * import Database from 'better-sqlite3'
 * import { Kysely, SqliteDialect } from 'kysely'
 * import { cacheSqliteStatements } from '@portcullis/adapter-kysely'
 *
 * const database = new Database('app.db')
 * database.pragma('journal_mode = WAL')
 * const db = new Kysely<any>({ dialect: new SqliteDialect({ database: cacheSqliteStatements(database) }) })
 */
export function cacheSqliteStatements(
  database: SqliteDatabase,
  maxStatements: number = DEFAULT_MAX_STATEMENTS,
): SqliteDatabase {
  if (!Number.isInteger(maxStatements) || maxStatements < 1) {
    throw new RangeError(`maxStatements must be a positive integer, got ${maxStatements}`);
  }
  // a Map iterates in insertion order: deleting and re-inserting a key marks it most recently used
  const statements = new Map<string, SqliteStatement>();
  return {
    prepare(sql: string): SqliteStatement {
      const cached = statements.get(sql);
      statements.delete(sql);
      const statement = cached !== undefined && !isIterating(cached) ? cached : database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > maxStatements) {
        const leastRecentlyUsed = statements.keys().next().value as string;
        statements.delete(leastRecentlyUsed);
      }
      return statement;
    },
    close(): void {
      statements.clear();
      database.close();
    },
  };
}

/** better-sqlite3's `busy`: an open `iterate()` holds the statement. Not in Kysely's type. */
function isIterating(statement: SqliteStatement): boolean {
  return (statement as SqliteStatement & { busy?: boolean }).busy === true;
}
