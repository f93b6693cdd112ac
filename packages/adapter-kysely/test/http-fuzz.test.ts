import { kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import { sql } from 'kysely';
import { describeHttpFuzz, type FuzzStorage } from '../../../test-support/http-fuzz.js';
import {
  describeDatabase,
  randomTablePrefix,
  serverDatabase,
  sqliteFileDatabase,
  type TestDatabase,
} from './support/test-databases.js';

// Every route fuzzed from the OpenAPI document, on each database Kysely supports (PGlite is left
// out: it is PostgreSQL, already run against a real server, and the slowest of them).
for (const database of [
  sqliteFileDatabase(),
  serverDatabase('PostgreSQL', 'PORTCULLIS_TEST_POSTGRES_URL'),
  serverDatabase('MariaDB/MySQL', 'PORTCULLIS_TEST_MYSQL_URL'),
]) {
  describeDatabase(database, (db) => describeHttpFuzz(`kysely + ${db.name}`, () => fuzzStorageOn(db)));
}

/** Migrated tables of their own, and one statement that counts every table's rows. */
async function fuzzStorageOn(database: TestDatabase): Promise<FuzzStorage> {
  const tablePrefix = randomTablePrefix();
  const connection = await database.connect();
  await migrate(connection.db, { direction: 'up', tablePrefix });
  const tables = (await connection.db.introspection.getTables())
    .map((table) => table.name)
    .filter((name) => name.startsWith(tablePrefix) && !name.includes('migration'));
  const countAll = sql.join(
    tables.map(
      (table) =>
        sql`select ${sql.lit(table.slice(tablePrefix.length))} as t, count(*) as n from ${sql.table(table)}`,
    ),
    sql` union all `,
  );
  return {
    storage: kyselyStorage(connection.db, { tablePrefix }),
    async countRows() {
      const { rows } = await sql<{ t: string; n: number | string }>`${countAll}`.execute(connection.db);
      return Object.fromEntries(rows.map((row) => [row.t, Number(row.n)]));
    },
    async close() {
      await migrate(connection.db, { direction: 'down', tablePrefix, steps: Number.POSITIVE_INFINITY });
      await connection.close();
    },
  };
}
