import { kyselyStorage } from '@portcullis/adapter-kysely';
import { isAuthError } from '@portcullis/core/ports';
import {
  describeAuthorizationAdministrationConformance,
  describeClientsConformance,
  describeMembersAndInvitationsConformance,
  describeStorageConformance,
  describeTokenModeConformance,
} from '@portcullis/core/testing';
import { Kysely, MysqlDialect } from 'kysely';
import mysql from 'mysql2';
import { describe, expect, it } from 'vitest';
import { describeAdapterBehaviour } from './suites/adapter-behaviour.js';
import { describeMigrations } from './suites/migration-behaviour.js';
import { kyselyConformance } from './support/kysely-conformance.js';
import { describeDatabase, serverDatabase } from './support/test-databases.js';

describeDatabase(serverDatabase('MariaDB/MySQL', 'PORTCULLIS_TEST_MYSQL_URL'), (database) => {
  describeStorageConformance(`kysely + ${database.name}`, kyselyConformance(database));
  describeAuthorizationAdministrationConformance(`kysely + ${database.name}`, kyselyConformance(database));
  describeMembersAndInvitationsConformance(`kysely + ${database.name}`, kyselyConformance(database));
  describeTokenModeConformance(`kysely + ${database.name}`, kyselyConformance(database));
  describeClientsConformance(`kysely + ${database.name}`, kyselyConformance(database));
  describeAdapterBehaviour(database);
  describeMigrations(database, { concurrentConnections: true });

  describe('mysql2 pool settings', () => {
    it('refuses a mysql2 pool that would read UTC times as another time zone', async () => {
      const pool = mysql.createPool({ uri: process.env.PORTCULLIS_TEST_MYSQL_URL!, timezone: '+02:00' });
      const db = new Kysely<unknown>({ dialect: new MysqlDialect({ pool }) });
      try {
        const storage = kyselyStorage(db, { tablePrefix: 'never_migrated_' });
        const error = await storage.tenants.findById('x').catch((e: unknown) => e);
        expect(isAuthError(error, 'config_invalid'), String(error)).toBe(true);
        await expect(storage.transaction(async () => 1)).rejects.toThrow(/timezone: 'Z'/);
      } finally {
        await db.destroy();
      }
    });
  });
});
