import { describeOAuthLoginOnStorage } from '../../../test-support/oauth-login-suite.js';
import { drizzleConformance } from './support/drizzle-conformance.js';
import { describeDatabase, serverDatabase, sqliteFileDatabase } from './support/test-databases.js';

// The OIDC sign-in flow against a real identity provider, on every database Drizzle supports.
for (const database of [
  sqliteFileDatabase(),
  serverDatabase('postgres', 'PORTCULLIS_TEST_POSTGRES_URL'),
  serverDatabase('mysql', 'PORTCULLIS_TEST_MYSQL_URL'),
]) {
  describeDatabase(database, (db) =>
    describeOAuthLoginOnStorage(`drizzle + ${db.name}`, drizzleConformance(db)),
  );
}
