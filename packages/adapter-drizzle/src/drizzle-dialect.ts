import { is } from 'drizzle-orm';
import { MySqlDatabase } from 'drizzle-orm/mysql-core';
import { PgDatabase } from 'drizzle-orm/pg-core';
import { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';

/** The SQL dialects the adapter speaks; the names `StorageCapabilities.dialect` reports. */
export type DrizzleDialect = 'postgres' | 'mysql' | 'sqlite';

/**
 * A Drizzle database of any dialect, with any schema: node-postgres (`drizzle-orm/node-postgres`),
 * mysql2 (`drizzle-orm/mysql2`) or better-sqlite3 (`drizzle-orm/better-sqlite3`).
 */
export type DrizzleDatabase =
  // biome-ignore lint/suspicious/noExplicitAny: any driver and any app schema
  | PgDatabase<any, any, any>
  // biome-ignore lint/suspicious/noExplicitAny: any driver and any app schema
  | MySqlDatabase<any, any, any, any>
  // biome-ignore lint/suspicious/noExplicitAny: any driver and any app schema
  | BaseSQLiteDatabase<'sync' | 'async', any, any, any>;

/**
 * Reads the dialect from the database's class. `is()` compares Drizzle's entity kinds rather
 * than prototypes, so it also holds when the app and this package resolve two copies of
 * drizzle-orm.
 */
export function detectDialect(db: DrizzleDatabase): DrizzleDialect {
  if (is(db, PgDatabase)) return 'postgres';
  if (is(db, MySqlDatabase)) return 'mysql';
  if (is(db, BaseSQLiteDatabase)) return 'sqlite';
  throw new Error(
    "@portcullis/adapter-drizzle: cannot tell the dialect of this database; pass { dialect: 'postgres' | 'mysql' | 'sqlite' }",
  );
}
