import { kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import { createAuth, type Logger } from '@portcullis/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  describeDatabase,
  randomTablePrefix,
  serverDatabase,
  sqliteFileDatabase,
  type TestConnection,
  type TestDatabase,
} from './support/test-databases.js';

// Issue 14 (newcomer 3): an app started on a database nobody migrated answered a bare 500 to every
// request and logged an outbox error every second.

const databases = [
  sqliteFileDatabase(),
  serverDatabase('PostgreSQL', 'PORTCULLIS_TEST_POSTGRES_URL'),
  serverDatabase('MySQL', 'PORTCULLIS_TEST_MYSQL_URL'),
];

const connections: TestConnection[] = [];
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
});

function recordingLogger() {
  const errors: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (_fields, message = '') => errors.push(message),
  };
  return { logger, errors };
}

for (const database of databases) {
  describeDatabase(database, (db: TestDatabase) => {
    describe(`kysely + ${db.name}: an unmigrated database`, () => {
      it('answers 503 schema_not_migrated naming the migrate command, and health() says not_migrated', async () => {
        const connection = await db.connect();
        connections.push(connection);
        const { logger } = recordingLogger();
        const auth = createAuth({
          storage: kyselyStorage(connection.db, { tablePrefix: randomTablePrefix() }),
          secret: 'test-secret-0123456789-abcdefghijklmnop',
          baseURL: 'http://localhost:3000',
          logger,
          outbox: { autoStart: false },
        });
        const response = await auth.handler(
          new Request('http://localhost:3000/auth/signup', {
            method: 'POST',
            headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' },
            body: JSON.stringify({ email: 'new@example.com', password: 'correct horse battery staple' }),
          }),
        );
        expect(response.status).toBe(503);
        const problem = (await response.json()) as { code: string; detail?: string };
        expect(problem.code).toBe('schema_not_migrated');
        expect(problem.detail).toContain('npx portcullis migrate --database-url');
        expect(await auth.health()).toMatchObject({ ok: false, storage: 'not_migrated' });
        await auth.close();
      });

      it('answers normally once migrated', async () => {
        const connection = await db.connect();
        connections.push(connection);
        const tablePrefix = randomTablePrefix();
        await migrate(connection.db, { direction: 'up', tablePrefix });
        const auth = createAuth({
          storage: kyselyStorage(connection.db, { tablePrefix }),
          secret: 'test-secret-0123456789-abcdefghijklmnop',
          baseURL: 'http://localhost:3000',
          outbox: { autoStart: false },
        });
        expect(await auth.health()).toMatchObject({ storage: 'up' });
        await auth.close();
        await migrate(connection.db, { direction: 'down', tablePrefix, steps: Number.POSITIVE_INFINITY });
      });
    });
  });
}
