import { describeTokenExchangeOnStorage } from '../../../test-support/token-exchange-suite.js';
import { drizzleConformance } from './support/drizzle-conformance.js';
import { describeDatabase, serverDatabase, sqliteFileDatabase } from './support/test-databases.js';

// Token exchange (RFC 8693, issue 16) on every database Drizzle supports: its audit entry and
// outbox event commit with each exchange.
for (const database of [
  sqliteFileDatabase(),
  serverDatabase('postgres', 'PORTCULLIS_TEST_POSTGRES_URL'),
  serverDatabase('mysql', 'PORTCULLIS_TEST_MYSQL_URL'),
]) {
  describeDatabase(database, (db) =>
    describeTokenExchangeOnStorage(`drizzle + ${db.name}`, drizzleConformance(db)),
  );
}
