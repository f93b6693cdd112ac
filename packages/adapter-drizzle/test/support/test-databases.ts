import type { DrizzleDatabase, DrizzleDialect } from '@portcullis/adapter-drizzle';
import { createKyselyFromUrl } from '@portcullis/adapter-kysely';
import Database from 'better-sqlite3';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { Kysely } from 'kysely';
import mysql from 'mysql2';
import pg from 'pg';
import * as services from '../../../../test-support/test-services.js';

export { describeDatabase } from '../../../../test-support/test-services.js';

/** A Drizzle database, and a Kysely instance on the same database for the migrations. */
export interface TestConnection {
  db: DrizzleDatabase;
  dialect: DrizzleDialect;
  // biome-ignore lint/suspicious/noExplicitAny: the migrations name their tables at run time
  kysely: Kysely<any>;
  close(): Promise<void>;
}

/** A database the suites run against; `connect` may be called several times (separate pools). */
export type TestDatabase = services.TestDatabase<TestConnection>;

/** A table prefix of its own per test file, so files can share one server in parallel. */
export function randomTablePrefix(): string {
  return services.randomTablePrefix('d');
}

/**
 * better-sqlite3 on a file in a fresh temp directory (WAL, busy_timeout, foreign keys on, as an
 * app would open it), removed when the last connection closes.
 */
export function sqliteFileDatabase(): TestDatabase {
  return services.sqliteFileDatabase('portcullis-drizzle-', async (file) => {
    const client = new Database(file);
    client.pragma('journal_mode = WAL');
    client.pragma('busy_timeout = 5000');
    client.pragma('foreign_keys = ON');
    const migrations = await createKyselyFromUrl(`sqlite:${file}`);
    return {
      db: drizzleSqlite({ client }),
      dialect: 'sqlite',
      kysely: migrations.db,
      async close() {
        await migrations.close();
        client.close();
      },
    };
  });
}

/** PostgreSQL at `url`: a node-postgres pool for Drizzle. */
function postgresDatabase(name: string, url: string): TestDatabase {
  return {
    name,
    async connect() {
      const pool = new pg.Pool({ connectionString: url, max: 10 });
      const migrations = await createKyselyFromUrl(url);
      return {
        db: drizzlePg({ client: pool }),
        dialect: 'postgres',
        kysely: migrations.db,
        async close() {
          await migrations.close();
          await pool.end();
        },
      };
    },
  };
}

/**
 * MySQL/MariaDB at `url`: a mysql2 pool for Drizzle, deliberately left at mysql2's default
 * `timezone` (Drizzle reads and writes DATETIME as UTC text, so the adapter must not need it).
 */
function mysqlDatabase(name: string, url: string): TestDatabase {
  return {
    name,
    async connect() {
      const pool = mysql.createPool({ uri: url, connectionLimit: 10 });
      const migrations = await createKyselyFromUrl(url);
      return {
        db: drizzleMysql({ client: pool }),
        dialect: 'mysql',
        kysely: migrations.db,
        async close() {
          await migrations.close();
          await new Promise<void>((resolve, reject) =>
            pool.end((error) => (error ? reject(error) : resolve())),
          );
        },
      };
    },
  };
}

/** A server named by an environment variable. */
export function serverDatabase(
  dialect: 'postgres' | 'mysql',
  envVar: string,
): TestDatabase | services.MissingService {
  const name = dialect === 'postgres' ? 'PostgreSQL' : 'MariaDB/MySQL';
  const url = services.serviceUrl(name, envVar);
  if (url === undefined) return { name, missing: envVar };
  return dialect === 'postgres' ? postgresDatabase(name, url) : mysqlDatabase(name, url);
}
