import { kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import { memoryKeyValue } from '@portcullis/core/memory';
import { it } from 'vitest';
import { measureCompileFairness } from '../../../test-support/compile-fairness.js';
import {
  describeDatabase,
  randomTablePrefix,
  serverDatabase,
  sqliteFileDatabase,
} from './support/test-databases.js';

// How long one tenant's recompilation holds up another tenant's decisions when its policies come
// from a database (test-support/compile-fairness.ts). A measurement: docs/authorization.md keeps
// the figures; it asserts only that both tenants kept being answered.
const databases = [sqliteFileDatabase(), serverDatabase('PostgreSQL', 'PORTCULLIS_TEST_POSTGRES_URL')];

for (const database of databases) {
  describeDatabase(database, (db) => {
    const over = async (run: (stores: Parameters<typeof measureCompileFairness>[0]) => Promise<unknown>) => {
      const connection = await db.connect();
      const tablePrefix = randomTablePrefix();
      try {
        await migrate(connection.db, { direction: 'up', tablePrefix });
        await run({ storage: kyselyStorage(connection.db, { tablePrefix }), keyValue: memoryKeyValue() });
      } finally {
        await migrate(connection.db, { direction: 'down', tablePrefix }).catch(() => {});
        await connection.close();
      }
    };

    it('one tenant recompiling at the default limits (measurement)', async () => {
      await over((stores) => measureCompileFairness(stores, { count: 200, leaves: 10, literal: 24 }));
    });

    it('one tenant recompiling 5 MB of policies (measurement)', async () => {
      await over((stores) => measureCompileFairness(stores, { count: 500, leaves: 63, literal: 80 }));
    }, 60_000);
  });
}
