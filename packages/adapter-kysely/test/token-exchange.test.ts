import { describeTokenExchangeOnStorage } from '../../../test-support/token-exchange-suite.js';
import { kyselyConformance } from './support/kysely-conformance.js';
import { describeDatabase, serverDatabase, sqliteFileDatabase } from './support/test-databases.js';

// Token exchange (RFC 8693, issue 16) on the databases Kysely runs on: its audit entry and outbox
// event commit with each exchange.
for (const database of [
  sqliteFileDatabase(),
  serverDatabase('PostgreSQL', 'PORTCULLIS_TEST_POSTGRES_URL'),
  serverDatabase('MariaDB/MySQL', 'PORTCULLIS_TEST_MYSQL_URL'),
]) {
  describeDatabase(database, (db) =>
    describeTokenExchangeOnStorage(`kysely + ${db.name}`, kyselyConformance(db)),
  );
}
