import {
  checkMigrations,
  kyselyStorage,
  type Migration,
  migrate,
  migrationChecksum,
  migrationStatus,
  migrations,
  schemaTables,
} from '@portcullis/adapter-kysely';
import { type AuditEventInput, sealAuditEvent, uuidv7 } from '@portcullis/core/ports';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomTablePrefix, type TestConnection, type TestDatabase } from '../support/test-databases.js';

/** Tables of the current schema whose names start with the prefix. */
async function tablesWithPrefix(connection: TestConnection, prefix: string): Promise<string[]> {
  const query =
    connection.dialect === 'postgres'
      ? sql<{
          name: string;
        }>`select tablename as name from pg_catalog.pg_tables where schemaname = current_schema()`
      : connection.dialect === 'mysql'
        ? sql<{
            name: string;
          }>`select table_name as name from information_schema.tables where table_schema = database()`
        : sql<{ name: string }>`select name from sqlite_master where type = 'table'`;
  const { rows } = await query.execute(connection.db);
  return rows
    .map((r) => r.name)
    .filter((name) => name.startsWith(prefix))
    .sort();
}

/** A second migration, to exercise ordering and steps. */
function extraMigration(): Migration {
  return {
    id: '0099_test_extra',
    definition: 'create table <prefix>test_extra (id varchar(36) primary key)',
    async up({ db, tablePrefix }) {
      await db.schema
        .createTable(`${tablePrefix}test_extra`)
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .execute();
    },
    async down({ db, tablePrefix }) {
      await db.schema.dropTable(`${tablePrefix}test_extra`).execute();
    },
  };
}

export function describeMigrations(
  database: TestDatabase,
  options: { concurrentConnections: boolean },
): void {
  describe('migrations', () => {
    let connection: TestConnection;
    const prefixes: string[] = [];
    const newPrefix = () => {
      const prefix = randomTablePrefix();
      prefixes.push(prefix);
      return prefix;
    };

    beforeAll(async () => {
      connection = await database.connect();
    });

    afterAll(async () => {
      if (!connection) return;
      for (const tablePrefix of prefixes) {
        const list = [...migrations, extraMigration()];
        await migrate(connection.db, {
          direction: 'down',
          tablePrefix,
          steps: Number.POSITIVE_INFINITY,
          migrations: list,
        });
        await connection.db.schema.dropTable(`${tablePrefix}migrations`).ifExists().execute();
      }
      await connection.close();
    });

    it('reports every migration pending on an empty database, without creating anything', async () => {
      const tablePrefix = newPrefix();
      expect(await checkMigrations(connection.db, { tablePrefix })).toEqual({
        pending: migrations.map((m) => m.id),
        mismatched: [],
        unknown: [],
      });
      const status = await migrationStatus(connection.db, { tablePrefix });
      expect(status).toEqual(
        migrations.map((m) => ({
          id: m.id,
          checksum: migrationChecksum(m),
          appliedAt: null,
          pending: true,
          mismatched: false,
          unknown: false,
        })),
      );
      expect(await tablesWithPrefix(connection, tablePrefix)).toEqual([]);
    });

    it('migrates up, records each migration once, and is a no-op the second time', async () => {
      const tablePrefix = newPrefix();
      const before = Date.now();
      expect(await migrate(connection.db, { direction: 'up', tablePrefix })).toEqual({
        direction: 'up',
        executed: migrations.map((m) => m.id),
      });
      expect(await migrate(connection.db, { direction: 'up', tablePrefix })).toEqual({
        direction: 'up',
        executed: [],
      });
      expect(await checkMigrations(connection.db, { tablePrefix })).toEqual({
        pending: [],
        mismatched: [],
        unknown: [],
      });
      const [entry] = await migrationStatus(connection.db, { tablePrefix });
      expect(entry).toMatchObject({ id: '0001_initial', pending: false, mismatched: false });
      const appliedAtMs = entry?.appliedAt?.getTime() ?? 0;
      expect(appliedAtMs).toBeGreaterThanOrEqual(before - 1000);
      expect(appliedAtMs).toBeLessThanOrEqual(Date.now() + 1000);
      expect(await tablesWithPrefix(connection, tablePrefix)).toEqual(
        [...schemaTables.map((t) => t.name), 'migrations'].map((name) => tablePrefix + name).sort(),
      );
    });

    it('gives existing chain heads the hash before their last entry (0008), and later appends continue the chain', async () => {
      const tablePrefix = newPrefix();
      const before0008 = migrations.findIndex((m) => m.id === '0008_audit_prev_hash');
      await migrate(connection.db, { direction: 'up', tablePrefix, steps: before0008 });
      // a chain of two entries as the adapter wrote it before 0008
      const chainKey = `user:${uuidv7()}`;
      const event = (i: number): AuditEventInput => ({
        id: uuidv7(),
        tenantId: null,
        chainKey,
        actorType: 'system',
        actorId: null,
        impersonatorId: null,
        action: `test.step_${i}`,
        targetType: null,
        targetId: null,
        ip: null,
        userAgent: null,
        requestId: null,
        data: { i },
        createdAt: new Date(1_700_000_000_000 + i),
      });
      let head = { seq: 0, hash: '' };
      for (const input of [event(1), event(2)]) {
        const hash = sealAuditEvent(head, input);
        await connection.db
          .insertInto(`${tablePrefix}audit_events`)
          .values({
            id: input.id,
            tenant_id: null,
            chain_key: chainKey,
            seq: head.seq + 1,
            actor_type: input.actorType,
            actor_id: null,
            impersonator_id: null,
            action: input.action,
            target_type: null,
            target_id: null,
            ip: null,
            user_agent: null,
            request_id: null,
            data: JSON.stringify(input.data),
            created_at: connection.dialect === 'sqlite' ? input.createdAt.getTime() : input.createdAt,
            prev_hash: head.hash,
            hash,
          })
          .execute();
        head = { seq: head.seq + 1, hash };
      }
      const firstHash = (await connection.db
        .selectFrom(`${tablePrefix}audit_events`)
        .select('hash')
        .where('seq', '=', 1)
        .executeTakeFirstOrThrow()) as { hash: string };
      await connection.db
        .insertInto(`${tablePrefix}audit_chain_heads`)
        .values({ chain_key: chainKey, seq: 2, hash: head.hash })
        .execute();

      await migrate(connection.db, { direction: 'up', tablePrefix });

      const headRow = await connection.db
        .selectFrom(`${tablePrefix}audit_chain_heads`)
        .select(['prev_hash', 'hash'])
        .where('chain_key', '=', chainKey)
        .executeTakeFirstOrThrow();
      expect(headRow).toEqual({ prev_hash: firstHash.hash, hash: head.hash });
      const storage = kyselyStorage(connection.db, { tablePrefix });
      await storage.transaction((tx) => tx.audit.append(event(3)));
      const chain = await storage.audit.listChain(chainKey, 0, 10);
      expect(chain.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(chain[2]!.prevHash).toBe(head.hash);
      let link = { seq: 0, hash: '' };
      for (const entry of chain) {
        expect(entry.hash).toBe(sealAuditEvent(link, entry));
        link = { seq: entry.seq, hash: entry.hash };
      }
    });

    it('applies and reverts step by step, in order', async () => {
      const tablePrefix = newPrefix();
      const list = [...migrations, extraMigration()];
      expect(
        (await migrate(connection.db, { direction: 'up', tablePrefix, steps: 1, migrations: list })).executed,
      ).toEqual(['0001_initial']);
      expect((await checkMigrations(connection.db, { tablePrefix, migrations: list })).pending).toEqual(
        list.slice(1).map((m) => m.id),
      );
      expect(
        (await migrate(connection.db, { direction: 'up', tablePrefix, migrations: list })).executed,
      ).toEqual(list.slice(1).map((m) => m.id));
      // the database is now ahead of code that only knows the shipped migrations
      expect(await checkMigrations(connection.db, { tablePrefix })).toEqual({
        pending: [],
        mismatched: [],
        unknown: ['0099_test_extra'],
      });
      expect((await migrationStatus(connection.db, { tablePrefix })).at(-1)).toMatchObject({
        id: '0099_test_extra',
        unknown: true,
      });
      await expect(migrate(connection.db, { direction: 'down', tablePrefix })).rejects.toThrow(
        /does not know.*0099_test_extra/,
      );
      // down reverts the latest migration by default
      expect(
        (await migrate(connection.db, { direction: 'down', tablePrefix, migrations: list })).executed,
      ).toEqual(['0099_test_extra']);
      expect(await tablesWithPrefix(connection, tablePrefix)).not.toContain(`${tablePrefix}test_extra`);
      expect(await tablesWithPrefix(connection, tablePrefix)).toContain(`${tablePrefix}users`);
    });

    it('migrates down fully, leaving no table behind', async () => {
      const tablePrefix = newPrefix();
      await migrate(connection.db, { direction: 'up', tablePrefix });
      expect(
        (await migrate(connection.db, { direction: 'down', tablePrefix, steps: Number.POSITIVE_INFINITY }))
          .executed,
      ).toEqual([...migrations].reverse().map((m) => m.id));
      expect(await tablesWithPrefix(connection, tablePrefix)).toEqual([]);
      expect((await checkMigrations(connection.db, { tablePrefix })).pending).toEqual(
        migrations.map((m) => m.id),
      );
      // and up again works on the cleaned database
      expect((await migrate(connection.db, { direction: 'up', tablePrefix })).executed).toEqual(
        migrations.map((m) => m.id),
      );
    });

    it('detects an applied migration that was changed and refuses to run', async () => {
      const tablePrefix = newPrefix();
      await migrate(connection.db, { direction: 'up', tablePrefix });
      const edited = migrations.map((m, i) => (i === 0 ? { ...m, definition: `${m.definition} ` } : m));
      expect(await checkMigrations(connection.db, { tablePrefix, migrations: edited })).toEqual({
        pending: [],
        mismatched: ['0001_initial'],
        unknown: [],
      });
      expect((await migrationStatus(connection.db, { tablePrefix, migrations: edited }))[0]).toMatchObject({
        mismatched: true,
      });
      await expect(
        migrate(connection.db, { direction: 'up', tablePrefix, migrations: edited }),
      ).rejects.toThrow(/checksum mismatch.*0001_initial/);
      await expect(
        migrate(connection.db, { direction: 'down', tablePrefix, migrations: edited }),
      ).rejects.toThrow(/checksum mismatch/);
      // a tampered history row is caught the same way
      await connection.db
        .updateTable(`${tablePrefix}migrations`)
        .set({ checksum: 'f'.repeat(64) })
        .where('id', '=', '0001_initial')
        .execute();
      expect((await checkMigrations(connection.db, { tablePrefix })).mismatched).toEqual(['0001_initial']);
      await connection.db
        .updateTable(`${tablePrefix}migrations`)
        .set({ checksum: migrationChecksum(migrations[0]!) })
        .where('id', '=', '0001_initial')
        .execute();
    });

    it('rolls a failed migration back and records nothing', async () => {
      const tablePrefix = newPrefix();
      const failing: Migration = {
        id: '0099_fails',
        definition: 'fails',
        async up({ db }) {
          await sql`select * from ${sql.table(`${tablePrefix}no_such_table`)}`.execute(db);
        },
        async down() {},
      };
      await expect(
        migrate(connection.db, { direction: 'up', tablePrefix, migrations: [...migrations, failing] }),
      ).rejects.toThrow();
      const check = await checkMigrations(connection.db, {
        tablePrefix,
        migrations: [...migrations, failing],
      });
      if (connection.dialect === 'mysql') {
        // MySQL commits DDL as it goes: the shipped migrations stay applied and recorded, 0099 is not
        expect(check.pending).toEqual(['0099_fails']);
      } else {
        // one transaction: the run is all or nothing
        expect(check.pending).toEqual([...migrations.map((m) => m.id), '0099_fails']);
        expect(await tablesWithPrefix(connection, tablePrefix)).toEqual([]);
      }
    });

    it('undoes the tables a failing MySQL migration created before it failed', async () => {
      if (connection.dialect !== 'mysql') return;
      const tablePrefix = newPrefix();
      // a table in the way of the last table 0001 creates makes it fail half-way
      await connection.db.schema
        .createTable(`${tablePrefix}outbox_events`)
        .addColumn('id', 'varchar(36)')
        .execute();
      await expect(migrate(connection.db, { direction: 'up', tablePrefix })).rejects.toThrow(
        /already exists/,
      );
      expect(await tablesWithPrefix(connection, tablePrefix)).toEqual([
        `${tablePrefix}migrations`,
        `${tablePrefix}outbox_events`,
      ]);
      await connection.db.schema.dropTable(`${tablePrefix}migrations`).execute();
      await connection.db.schema.dropTable(`${tablePrefix}outbox_events`).execute();
    });

    it('applies each migration exactly once when several processes migrate at once', async () => {
      const tablePrefix = newPrefix();
      const counting: Migration[] = [];
      let runs = 0;
      for (const m of migrations) {
        counting.push({
          ...m,
          async up(context) {
            runs++;
            await m.up(context);
          },
        });
      }
      const others: TestConnection[] = options.concurrentConnections
        ? await Promise.all([database.connect(), database.connect(), database.connect()])
        : [];
      try {
        const dbs: Kysely<unknown>[] = [connection.db, ...others.map((c) => c.db)];
        while (dbs.length < 4) dbs.push(connection.db);
        const results = await Promise.all(
          dbs.map((db) => migrate(db, { direction: 'up', tablePrefix, migrations: counting })),
        );
        expect(runs).toBe(migrations.length);
        expect(results.flatMap((r) => r.executed).sort()).toEqual(migrations.map((m) => m.id).sort());
        const history = await connection.db.selectFrom(`${tablePrefix}migrations`).select('id').execute();
        expect(history.map((r) => r.id)).toEqual(migrations.map((m) => m.id));
      } finally {
        for (const other of others) await other.close();
      }
    });

    it('rejects a direction other than up or down instead of guessing', async () => {
      const direction = 'UP' as 'up';
      await expect(migrate(connection.db, { direction, tablePrefix: newPrefix() })).rejects.toThrow(
        /direction must be 'up' or 'down'/,
      );
    });

    it('rejects a table prefix that is not a safe identifier', async () => {
      await expect(checkMigrations(connection.db, { tablePrefix: 'bad-prefix' })).rejects.toThrow(
        /invalid tablePrefix/,
      );
      await expect(migrate(connection.db, { direction: 'up', tablePrefix: 'x"; drop' })).rejects.toThrow(
        /invalid tablePrefix/,
      );
    });
  });
}
