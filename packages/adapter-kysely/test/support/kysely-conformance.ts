import { kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import type { StorageConformanceOptions } from '@portcullis/core/testing';
import { randomTablePrefix, type TestConnection, type TestDatabase } from './test-databases.js';

/** The conformance suite's storage: kyselyStorage over tables of its own, dropped afterwards. */
export function kyselyConformance(database: TestDatabase): StorageConformanceOptions {
  const tablePrefix = randomTablePrefix();
  let connection: TestConnection | undefined;
  return {
    async create() {
      connection = await database.connect();
      await migrate(connection.db, { direction: 'up', tablePrefix });
      return kyselyStorage(connection.db, { tablePrefix });
    },
    async destroy() {
      if (!connection) return;
      await migrate(connection.db, { direction: 'down', tablePrefix, steps: Number.POSITIVE_INFINITY });
      await connection.close();
    },
  };
}
