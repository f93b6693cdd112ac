import { describeAdapterBehaviour } from './suites/adapter-behaviour.js';
import { describeMigrations } from './suites/migration-behaviour.js';
import { describeDatabase, serverDatabase } from './support/test-databases.js';

describeDatabase(serverDatabase('MariaDB/MySQL', 'PORTCULLIS_TEST_MYSQL_URL'), (database) => {
  describeAdapterBehaviour(database);
  describeMigrations(database, { concurrentConnections: true });
});
