import { sql } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';

// biome-ignore lint/suspicious/noExplicitAny: any app schema
type SyncSqliteDatabase = BaseSQLiteDatabase<'sync', any, any, any>;

/**
 * One queue per SQLite connection. better-sqlite3 is one connection, and Drizzle's
 * `db.transaction()` on it only takes a synchronous callback, while Portcullis transactions
 * await between statements. So the adapter opens them itself (`BEGIN IMMEDIATE` ... `COMMIT`),
 * and every Portcullis call on the connection waits its turn here: a statement that ran while
 * another call's transaction was open would otherwise become part of it.
 */
export class SqliteConnectionQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every call queued before it has settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

const queues = new WeakMap<object, SqliteConnectionQueue>();

/** The queue of the connection behind `db` (shared by every storage over the same better-sqlite3 client). */
export function sqliteConnectionQueue(db: SyncSqliteDatabase): SqliteConnectionQueue {
  const connection = ((db as { $client?: object }).$client ?? db) as object;
  let queue = queues.get(connection);
  if (!queue) {
    queue = new SqliteConnectionQueue();
    queues.set(connection, queue);
  }
  return queue;
}

/**
 * Runs `fn` in a transaction on the connection: committed when it resolves, rolled back (and its
 * error rethrown) when it throws. `IMMEDIATE` takes the write lock up front, so two processes
 * sharing the file wait for each other (busy_timeout) instead of failing when both upgrade a
 * read to a write. The caller holds the connection's queue.
 */
export async function runSqliteTransaction<T>(db: SyncSqliteDatabase, fn: () => Promise<T>): Promise<T> {
  db.run(sql`begin immediate`);
  try {
    const result = await fn();
    db.run(sql`commit`);
    return result;
  } catch (error) {
    // some errors (SQLITE_FULL, SQLITE_IOERR...) end the transaction themselves: rolling back
    // again would throw and hide them
    if ((db as { $client?: { inTransaction?: boolean } }).$client?.inTransaction !== false) {
      db.run(sql`rollback`);
    }
    throw error;
  }
}
