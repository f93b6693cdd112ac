import { describePreHijackingOnStorage } from '../../../test-support/pre-hijacking-suite.js';
import { kyselyConformance } from './support/kysely-conformance.js';
import { describeDatabase, serverDatabase, sqliteFileDatabase } from './support/test-databases.js';

// Account pre-hijacking (issue 14, Security 1) through real HTTP on the databases Kysely runs on.
for (const database of [
  sqliteFileDatabase(),
  serverDatabase('PostgreSQL', 'PORTCULLIS_TEST_POSTGRES_URL'),
  serverDatabase('MariaDB/MySQL', 'PORTCULLIS_TEST_MYSQL_URL'),
]) {
  describeDatabase(database, (db) =>
    describePreHijackingOnStorage(`kysely + ${db.name}`, kyselyConformance(db)),
  );
}
