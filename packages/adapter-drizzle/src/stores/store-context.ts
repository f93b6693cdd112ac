import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { DrizzleDialect } from '../drizzle-dialect.js';
import type { PortcullisPgTables } from '../pg/tables.js';

// The stores are written once for the three dialects: Drizzle's select, insert, update and
// where-clauses read the same on each, and the three table sets have the same keys and the same
// JavaScript types (Date times, parsed JSON), so the stores are typed with the PostgreSQL
// builders and tables. What differs (upserts, RETURNING, affected-row counts, transactions) goes
// through `dialect-queries.ts`, which branches on `ctx.dialect`.

/** The database or the open transaction, typed as PostgreSQL (see above). */
export type QueryDb = PgDatabase<PgQueryResultHKT>;

/** The tables of the storage's prefix, typed as PostgreSQL's (see above). */
export type Tables = PortcullisPgTables;

/** What every store needs: where to run, on which tables, and how to open a transaction. */
export interface StoreContext {
  db: QueryDb;
  dialect: DrizzleDialect;
  tables: Tables;
  /** Whether `db` is an open transaction. */
  inTransaction: boolean;
  /** Whether the server has `FOR UPDATE SKIP LOCKED`; may be refined after connecting. */
  capabilities: { skipLocked: boolean };
  /**
   * Runs `fn` on a context whose `db` is a transaction: this one when it is already in one,
   * otherwise a new transaction at the database's default isolation or at `isolation`.
   */
  transaction<T>(fn: (ctx: StoreContext) => Promise<T>, isolation?: 'read committed'): Promise<T>;
}
