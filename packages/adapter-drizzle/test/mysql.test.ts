import {
  describeAuthorizationAdministrationConformance,
  describeClientsConformance,
  describeMembersAndInvitationsConformance,
  describeStorageConformance,
  describeTokenModeConformance,
} from '@portcullis/core/testing';
import { describeAdapterBehaviour } from './suites/adapter-behaviour.js';
import { describeSchemaParity } from './suites/schema-parity.js';
import { drizzleConformance } from './support/drizzle-conformance.js';
import { describeDatabase, serverDatabase } from './support/test-databases.js';

describeDatabase(serverDatabase('mysql', 'PORTCULLIS_TEST_MYSQL_URL'), (database) => {
  describeStorageConformance(`drizzle + ${database.name}`, drizzleConformance(database));
  describeAuthorizationAdministrationConformance(`drizzle + ${database.name}`, drizzleConformance(database));
  describeMembersAndInvitationsConformance(`drizzle + ${database.name}`, drizzleConformance(database));
  describeTokenModeConformance(`drizzle + ${database.name}`, drizzleConformance(database));
  describeClientsConformance(`drizzle + ${database.name}`, drizzleConformance(database));
  describeSchemaParity(database);
  describeAdapterBehaviour(database);
});
