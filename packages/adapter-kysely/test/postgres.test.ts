import { describeAdapterBehaviour } from './suites/adapter-behaviour.js';
import { describeMigrations } from './suites/migration-behaviour.js';
import { describeDatabase, serverDatabase } from './support/test-databases.js';

describeDatabase(serverDatabase('PostgreSQL', 'PORTCULLIS_TEST_POSTGRES_URL'), (database) => {
  describeAdapterBehaviour(database);
  describeMigrations(database, { concurrentConnections: true });
});
