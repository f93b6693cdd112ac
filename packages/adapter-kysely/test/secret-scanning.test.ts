import { kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import { sql } from 'kysely';
import { describeSecretScanningOnStorage } from '../../../test-support/secret-scanning-suite.js';
import {
  describeDatabase,
  randomTablePrefix,
  serverDatabase,
  sqliteFileDatabase,
  type TestConnection,
  type TestDatabase,
} from './support/test-databases.js';

// GitHub's secret scanning partner endpoint through real HTTP on the databases Kysely runs on,
// ending with a scan of every row of every table for the reported keys.
for (const database of [
  sqliteFileDatabase(),
  serverDatabase('PostgreSQL', 'PORTCULLIS_TEST_POSTGRES_URL'),
  serverDatabase('MariaDB/MySQL', 'PORTCULLIS_TEST_MYSQL_URL'),
]) {
  describeDatabase(database, (db) =>
    describeSecretScanningOnStorage(`kysely + ${db.name}`, onTablesOfItsOwn(db)),
  );
}

function onTablesOfItsOwn(database: TestDatabase) {
  const tablePrefix = randomTablePrefix();
  let connection: TestConnection | undefined;
  return {
    async create() {
      connection = await database.connect();
      await migrate(connection.db, { direction: 'up', tablePrefix });
      return kyselyStorage(connection.db, { tablePrefix });
    },
    async destroy() {
      if (!connection) return;
      await migrate(connection.db, { direction: 'down', tablePrefix, steps: Number.POSITIVE_INFINITY });
      await connection.close();
    },
    async dumpRows() {
      const db = connection!.db;
      const tables = (await db.introspection.getTables())
        .map((table) => table.name)
        .filter((name) => name.startsWith(tablePrefix));
      let rows = '';
      for (const name of tables)
        rows += JSON.stringify((await sql`select * from ${sql.table(name)}`.execute(db)).rows);
      return rows;
    },
  };
}
