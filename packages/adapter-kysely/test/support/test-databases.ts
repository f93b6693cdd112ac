import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createKyselyFromUrl, type SqlDialect } from '@portcullis/adapter-kysely';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { describe, it } from 'vitest';

export interface TestConnection {
  // biome-ignore lint/suspicious/noExplicitAny: the adapter's tables are named at run time
  db: Kysely<any>;
  dialect: SqlDialect;
  close(): Promise<void>;
}

/** A database the suites run against; `connect` may be called several times (separate pools). */
export interface TestDatabase {
  name: string;
  connect(): Promise<TestConnection>;
}

/** A table prefix of its own per test file, so files can share one server in parallel. */
export function randomTablePrefix(): string {
  return `t${randomBytes(4).toString('hex')}_`;
}

/** better-sqlite3 on a file in a fresh temp directory, removed whenever the last connection closes. */
export function sqliteFileDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-kysely-'));
  let open = 0;
  return {
    name: 'SQLite (better-sqlite3)',
    async connect() {
      mkdirSync(dir, { recursive: true });
      const connection = await createKyselyFromUrl(`sqlite:${join(dir, 'test.sqlite')}`);
      open++;
      return {
        ...connection,
        async close() {
          await connection.close();
          if (--open === 0) rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

/** PGlite in memory: one instance shared by every `connect` (it is the database). */
export function pgliteDatabase(): TestDatabase {
  let pglite: PGlite | undefined;
  let open = 0;
  return {
    name: 'PGlite',
    async connect() {
      pglite ??= new PGlite();
      const instance = pglite;
      open++;
      // not db.destroy(): that would close the PGlite instance other connections still use
      const db = new Kysely({ dialect: new PGliteDialect(instance) });
      return {
        db,
        dialect: 'postgres',
        async close() {
          if (--open === 0) {
            pglite = undefined;
            await instance.close();
          }
        },
      };
    },
  };
}

/** A server named by an environment variable. */
export function serverDatabase(
  name: string,
  envVar: string,
): TestDatabase | { name: string; missing: string } {
  const url = process.env[envVar];
  if (!url) return { name, missing: envVar };
  return { name, connect: () => createKyselyFromUrl(url) };
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
