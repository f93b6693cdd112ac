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
import { describeDatabase, pgliteDatabase } from './support/test-databases.js';

describeDatabase(pgliteDatabase(), (database) => {
  describeStorageConformance(`kysely + ${database.name}`, kyselyConformance(database));
  describeAuthorizationAdministrationConformance(`kysely + ${database.name}`, kyselyConformance(database));
  describeMembersAndInvitationsConformance(`kysely + ${database.name}`, kyselyConformance(database));
  describeTokenModeConformance(`kysely + ${database.name}`, kyselyConformance(database));
  describeClientsConformance(`kysely + ${database.name}`, kyselyConformance(database));
  describeAdapterBehaviour(database);
  // PGlite is one session: Kysely instances sharing it would share its advisory locks too, so
  // concurrent migrations go through one instance, which queues them
  describeMigrations(database, { concurrentConnections: false });
});
