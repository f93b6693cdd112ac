import { drizzleStorage } from '@portcullis/adapter-drizzle';
import { portcullisTables as mysqlTables } from '@portcullis/adapter-drizzle/mysql';
import { portcullisTables as pgTables } from '@portcullis/adapter-drizzle/pg';
import { portcullisTables as sqliteTables } from '@portcullis/adapter-drizzle/sqlite';
import { migrate } from '@portcullis/adapter-kysely';
import { normalizeEmail, type Storage, type User, uuidv7, wrapStorage } from '@portcullis/core/ports';
import { eq } from 'drizzle-orm';
import type { MySqlDatabase } from 'drizzle-orm/mysql-core';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomTablePrefix, type TestConnection, type TestDatabase } from '../support/test-databases.js';

function aUser(overrides: Partial<User> = {}): User {
  const id = uuidv7();
  const at = new Date('2025-03-09T12:34:56.789Z');
  return {
    id,
    tenantId: null,
    email: `Ada.${id.slice(-12)}@Example.com`,
    emailVerifiedAt: at,
    name: 'Ada',
    status: 'active',
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

/** What this adapter promises beyond the shared conformance suite. */
export function describeAdapterBehaviour(database: TestDatabase): void {
  describe('drizzleStorage', () => {
    let connection: TestConnection;
    let storage: Storage;
    const tablePrefix = randomTablePrefix();

    beforeAll(async () => {
      connection = await database.connect();
      await migrate(connection.kysely, { direction: 'up', tablePrefix });
      storage = wrapStorage(drizzleStorage(connection.db, { tablePrefix }));
    });

    afterAll(async () => {
      if (!connection) return;
      await migrate(connection.kysely, { direction: 'down', tablePrefix, steps: Number.POSITIVE_INFINITY });
      await connection.close();
    });

    it('detects the dialect from the Drizzle database and declares whether it can skip locked rows', async () => {
      expect(storage.capabilities.dialect).toBe(connection.dialect);
      await storage.users.findById(uuidv7()); // MySQL confirms SKIP LOCKED from the version on first use
      expect(storage.capabilities.skipLocked).toBe(connection.dialect !== 'sqlite');
    });

    it('refuses a table prefix the migrations would refuse', () => {
      expect(() => drizzleStorage(connection.db, { tablePrefix: 'Bad-Prefix' })).toThrow(
        /invalid tablePrefix/,
      );
      expect(() => drizzleStorage({} as never)).toThrow(/cannot tell the dialect/);
    });

    it("lets the app read Portcullis's rows through the exported tables, with Dates and parsed JSON", async () => {
      const user = aUser();
      await storage.users.create(user);
      const now = new Date();
      const session = {
        id: uuidv7(),
        userId: user.id,
        tenantId: null,
        tokenHash: uuidv7(),
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: new Date(now.getTime() + 60_000),
        expiresAt: new Date(now.getTime() + 3_600_000),
        revokedAt: null,
        revokedReason: null,
        ip: '203.0.113.9',
        userAgent: 'test',
        amr: ['pwd'],
        authTime: { pwd: 1_700_000_000 },
      };
      await storage.sessions.create(session);

      const rows = await readSessionsOf(connection, tablePrefix, user.id);
      expect(rows).toEqual([session]);
      expect((await storage.users.findByEmail(null, normalizeEmail(user.email)))?.id).toBe(user.id);
    });

    if (database.name.startsWith('SQLite')) {
      it('makes a call that arrives while a transaction is open wait for it, and keeps it out of its rollback', async () => {
        const inside = aUser();
        const outside = aUser();
        let outsideCall: Promise<void> | undefined;
        const failure = new Error('roll back');

        const result = storage.transaction(async (tx) => {
          await tx.users.create(inside);
          // better-sqlite3 is one connection: run now, this INSERT would join the open transaction
          outsideCall = storage.users.create(outside);
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw failure;
        });

        await expect(result).rejects.toBe(failure);
        await outsideCall;
        expect(await storage.users.findById(inside.id)).toBeNull();
        expect(await storage.users.findById(outside.id)).toEqual(outside);
      });
    }
  });
}

/** The app's own query on the exported table of its dialect. */
async function readSessionsOf(
  connection: TestConnection,
  prefix: string,
  userId: string,
): Promise<unknown[]> {
  if (connection.dialect === 'postgres') {
    const { sessions } = pgTables(prefix);
    return (connection.db as PgDatabase<never>).select().from(sessions).where(eq(sessions.userId, userId));
  }
  if (connection.dialect === 'mysql') {
    const { sessions } = mysqlTables(prefix);
    return (connection.db as MySqlDatabase<never, never>)
      .select()
      .from(sessions)
      .where(eq(sessions.userId, userId));
  }
  const { sessions } = sqliteTables(prefix);
  return (connection.db as BaseSQLiteDatabase<'sync', unknown>)
    .select()
    .from(sessions)
    .where(eq(sessions.userId, userId));
}
