import { MysqlAdapter, PostgresAdapter, SqliteAdapter } from 'kysely';
import type { AnyKysely } from './kysely-types.js';

/** The SQL dialects the adapter speaks. PGlite is `postgres`; MariaDB is `mysql`. */
export type SqlDialect = 'postgres' | 'mysql' | 'sqlite';

/**
 * Reads the dialect from the Kysely instance's adapter. `instanceof` fails when the host app and
 * this package resolve two copies of kysely, so the class name and the adapter's feature flags
 * are consulted too.
 */
export function detectDialect(db: AnyKysely): SqlDialect {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof MysqlAdapter) return 'mysql';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  const name = adapter.constructor.name.toLowerCase();
  if (name.includes('postgres') || name.includes('pglite')) return 'postgres';
  if (name.includes('mysql') || name.includes('maria')) return 'mysql';
  if (name.includes('sqlite')) return 'sqlite';
  throw new Error(
    `@portcullis/adapter-kysely: cannot tell the dialect of adapter ${adapter.constructor.name}; pass { dialect: 'postgres' | 'mysql' | 'sqlite' }`,
  );
}
