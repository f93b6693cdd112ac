import {
  describeAuthorizationAdministrationConformance,
  describeClientsConformance,
  describeMembersAndInvitationsConformance,
  describeStorageConformance,
  describeTokenModeConformance,
} from '@portcullis/core/testing';
import { describeAdapterBehaviour } from './suites/adapter-behaviour.js';
import { describeMigrations } from './suites/migration-behaviour.js';
import { kyselyConformance } from './support/kysely-conformance.js';
import { describeDatabase, sqliteFileDatabase } from './support/test-databases.js';

describeDatabase(sqliteFileDatabase(), (database) => {
  describeStorageConformance(`kysely + ${database.name}`, kyselyConformance(database));
  describeAuthorizationAdministrationConformance(`kysely + ${database.name}`, kyselyConformance(database));
  describeMembersAndInvitationsConformance(`kysely + ${database.name}`, kyselyConformance(database));
  describeTokenModeConformance(`kysely + ${database.name}`, kyselyConformance(database));
  describeClientsConformance(`kysely + ${database.name}`, kyselyConformance(database));
  describeAdapterBehaviour(database);
  // one better-sqlite3 connection per file: concurrent migrations share it (Kysely queues them)
  describeMigrations(database, { concurrentConnections: false });
});
