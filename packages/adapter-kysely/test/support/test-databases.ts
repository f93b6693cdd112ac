import { PGlite } from '@electric-sql/pglite';
import { createKyselyFromUrl, type SqlDialect } from '@portcullis/adapter-kysely';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import * as services from '../../../../test-support/test-services.js';

export { describeDatabase } from '../../../../test-support/test-services.js';

export interface TestConnection {
  // biome-ignore lint/suspicious/noExplicitAny: the adapter's tables are named at run time
  db: Kysely<any>;
  dialect: SqlDialect;
  close(): Promise<void>;
}

/** A database the suites run against; `connect` may be called several times (separate pools). */
export type TestDatabase = services.TestDatabase<TestConnection>;

/**
 * `PORTCULLIS_TEST_SERVERS_ONLY=1` (scripts/kysely-next.mjs): only the database servers, for a run
 * on another Node.js than the workspace's, where better-sqlite3's build (made for the workspace's
 * Node.js) does not load and PGlite's dialect would bring its own Kysely.
 */
const serversOnly = process.env.PORTCULLIS_TEST_SERVERS_ONLY === '1';

/** A table prefix of its own per test file, so files can share one server in parallel. */
export function randomTablePrefix(): string {
  return services.randomTablePrefix('t');
}

/** better-sqlite3 on a file in a fresh temp directory, removed whenever the last connection closes. */
export function sqliteFileDatabase(): TestDatabase | services.MissingService {
  if (serversOnly)
    return {
      name: 'SQLite (better-sqlite3)',
      missing: 'a run on Node.js 20 (not PORTCULLIS_TEST_SERVERS_ONLY)',
    };
  return services.sqliteFileDatabase('portcullis-kysely-', (file) => createKyselyFromUrl(`sqlite:${file}`));
}

/** PGlite in memory: one instance shared by every `connect` (it is the database). */
export function pgliteDatabase(): TestDatabase | services.MissingService {
  if (serversOnly)
    return { name: 'PGlite', missing: 'a run on Node.js 20 (not PORTCULLIS_TEST_SERVERS_ONLY)' };
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
export function serverDatabase(name: string, envVar: string): TestDatabase | services.MissingService {
  const url = services.serviceUrl(name, envVar);
  if (url === undefined) return { name, missing: envVar };
  return { name, connect: () => createKyselyFromUrl(url) };
}
