import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DrizzleDatabase, DrizzleDialect } from '@portcullis/adapter-drizzle';
import { createKyselyFromUrl } from '@portcullis/adapter-kysely';
import Database from 'better-sqlite3';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { Kysely } from 'kysely';
import mysql from 'mysql2';
import pg from 'pg';
import { describe, it } from 'vitest';

/** A Drizzle database, and a Kysely instance on the same database for the migrations. */
export interface TestConnection {
  db: DrizzleDatabase;
  dialect: DrizzleDialect;
  // biome-ignore lint/suspicious/noExplicitAny: the migrations name their tables at run time
  kysely: Kysely<any>;
  close(): Promise<void>;
}

/** A database the suites run against; `connect` may be called several times (separate pools). */
export interface TestDatabase {
  name: string;
  connect(): Promise<TestConnection>;
}

/** A table prefix of its own per test file, so files can share one server in parallel. */
export function randomTablePrefix(): string {
  return `d${randomBytes(4).toString('hex')}_`;
}

/**
 * better-sqlite3 on a file in a fresh temp directory (WAL, busy_timeout, foreign keys on, as an
 * app would open it), removed when the last connection closes.
 */
export function sqliteFileDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-drizzle-'));
  const file = join(dir, 'test.sqlite');
  let open = 0;
  return {
    name: 'SQLite (better-sqlite3)',
    async connect() {
      mkdirSync(dir, { recursive: true });
      const client = new Database(file);
      client.pragma('journal_mode = WAL');
      client.pragma('busy_timeout = 5000');
      client.pragma('foreign_keys = ON');
      const migrations = await createKyselyFromUrl(`sqlite:${file}`);
      open++;
      return {
        db: drizzleSqlite({ client }),
        dialect: 'sqlite',
        kysely: migrations.db,
        async close() {
          await migrations.close();
          client.close();
          if (--open === 0) rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
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
): TestDatabase | { name: string; missing: string } {
  const name = dialect === 'postgres' ? 'PostgreSQL' : 'MariaDB/MySQL';
  const url = process.env[envVar];
  if (!url) return { name, missing: envVar };
  return dialect === 'postgres' ? postgresDatabase(name, url) : mysqlDatabase(name, url);
}

/**
 * Declares the suites for a database, or — when its URL is not set — a skip that says how to run
 * it. Under `CI=true` a missing database fails instead: CI must provide every service.
 */
export function describeDatabase(
  database: TestDatabase | { name: string; missing: string },
  body: (database: TestDatabase) => void,
): void {
  if ('missing' in database) {
    if (process.env.CI === 'true') {
      describe(database.name, () => {
        it(`has ${database.missing} set (CI must provide ${database.name})`, () => {
          throw new Error(`${database.missing} is not set: CI must run the ${database.name} suites`);
        });
      });
    } else {
      describe.skip(`${database.name}: skipped, set ${database.missing} to run`, () => {
        it('needs the database', () => {});
      });
    }
    return;
  }
  describe(database.name, () => body(database));
}
