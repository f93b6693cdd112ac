import { describeOAuthLoginOnStorage } from '../../../test-support/oauth-login-suite.js';
import { kyselyConformance } from './support/kysely-conformance.js';
import {
  describeDatabase,
  pgliteDatabase,
  serverDatabase,
  sqliteFileDatabase,
} from './support/test-databases.js';

// The OIDC sign-in flow against a real identity provider, on every database Kysely supports.
for (const database of [
  sqliteFileDatabase(),
  pgliteDatabase(),
  serverDatabase('PostgreSQL', 'PORTCULLIS_TEST_POSTGRES_URL'),
  serverDatabase('MariaDB/MySQL', 'PORTCULLIS_TEST_MYSQL_URL'),
]) {
  describeDatabase(database, (db) =>
    describeOAuthLoginOnStorage(`kysely + ${db.name}`, kyselyConformance(db)),
  );
}
