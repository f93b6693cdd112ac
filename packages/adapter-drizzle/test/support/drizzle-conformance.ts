import { drizzleStorage } from '@portcullis/adapter-drizzle';
import { migrate } from '@portcullis/adapter-kysely';
import type { StorageConformanceOptions } from '@portcullis/core/testing';
import { randomTablePrefix, type TestConnection, type TestDatabase } from './test-databases.js';

/**
 * The conformance suite's storage: drizzleStorage over tables of its own, created by the Kysely
 * migrations (the schema's source of truth) and dropped afterwards.
 */
export function drizzleConformance(database: TestDatabase): StorageConformanceOptions {
  const tablePrefix = randomTablePrefix();
  let connection: TestConnection | undefined;
  return {
    async create() {
      connection = await database.connect();
      await migrate(connection.kysely, { direction: 'up', tablePrefix });
      return drizzleStorage(connection.db, { tablePrefix });
    },
    async destroy() {
      if (!connection) return;
      await migrate(connection.kysely, { direction: 'down', tablePrefix, steps: Number.POSITIVE_INFINITY });
      await connection.close();
    },
  };
}
