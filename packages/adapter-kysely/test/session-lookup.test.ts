import { kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import type { Storage } from '@portcullis/core/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, makeSession, makeUser } from './support/fixtures.js';
import {
  describeDatabase,
  pgliteDatabase,
  randomTablePrefix,
  serverDatabase,
  sqliteFileDatabase,
  type TestConnection,
} from './support/test-databases.js';

// findActiveByTokenHash runs SQL compiled once per store and tests "active" in JS on the row it
// returns: these pin what that must not change, on every database
const databases = [
  sqliteFileDatabase(),
  pgliteDatabase(),
  serverDatabase('PostgreSQL', 'PORTCULLIS_TEST_POSTGRES_URL'),
  serverDatabase('MariaDB/MySQL', 'PORTCULLIS_TEST_MYSQL_URL'),
];

for (const candidate of databases) {
  describeDatabase(candidate, (database) => {
    describe('sessions.findActiveByTokenHash', () => {
      let connection: TestConnection;
      let storage: Storage;
      const tablePrefix = randomTablePrefix();

      beforeAll(async () => {
        connection = await database.connect();
        await migrate(connection.db, { direction: 'up', tablePrefix });
        storage = kyselyStorage(connection.db, { tablePrefix });
      });

      afterAll(async () => {
        if (!connection) return;
        await migrate(connection.db, { direction: 'down', tablePrefix, steps: Number.POSITIVE_INFINITY });
        await connection.close();
      });

      it('binds each call its own token hash when the compiled query is reused', async () => {
        const users = [makeUser(), makeUser({ name: null, emailVerifiedAt: at(5) })];
        const sessions = users.map((user) => makeSession(user.id));
        for (const [i, user] of users.entries()) {
          await storage.users.create(user);
          await storage.sessions.create(sessions[i]!);
        }
        const found = await Promise.all(
          [0, 1, 0, 1].map((i) => storage.sessions.findActiveByTokenHash(sessions[i]!.tokenHash, at(1))),
        );
        expect(found).toEqual([0, 1, 0, 1].map((i) => ({ session: sessions[i], user: users[i] })));
      });

      it('ends a session the millisecond it expires, by either expiry, and at once when revoked', async () => {
        const user = makeUser();
        await storage.users.create(user);
        const session = makeSession(user.id);
        await storage.sessions.create(session);
        const find = (now: Date) => storage.sessions.findActiveByTokenHash(session.tokenHash, now);
        const justBefore = (date: Date) => new Date(date.getTime() - 1);
        expect((await find(justBefore(session.idleExpiresAt)))?.session).toEqual(session);
        expect(await find(session.idleExpiresAt)).toBeNull();
        await storage.sessions.touch(session.id, at(1), session.expiresAt);
        expect((await find(justBefore(session.expiresAt)))?.user).toEqual(user);
        expect(await find(session.expiresAt)).toBeNull();
        await storage.sessions.revoke(user.id, session.id, at(2), 'logout');
        expect(await find(at(3))).toBeNull();
      });

      it('sees, inside a transaction, the session that transaction created, and nothing after rollback', async () => {
        const user = makeUser();
        const session = makeSession(user.id);
        const rollback = new Error('roll back');
        const inside = await storage
          .transaction(async (tx) => {
            await tx.users.create(user);
            await tx.sessions.create(session);
            const found = await tx.sessions.findActiveByTokenHash(session.tokenHash, at(1));
            expect(found).toEqual({ session, user });
            throw rollback;
          })
          .catch((error: unknown) => error);
        expect(inside).toBe(rollback);
        expect(await storage.sessions.findActiveByTokenHash(session.tokenHash, at(1))).toBeNull();
      });
    });
  });
}
