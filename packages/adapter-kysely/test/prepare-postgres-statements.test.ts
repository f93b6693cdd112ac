import { randomBytes } from 'node:crypto';
import { preparePostgresStatements } from '@portcullis/adapter-kysely';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeDatabase, serverDatabase } from './support/test-databases.js';

const database = serverDatabase('PostgreSQL', 'PORTCULLIS_TEST_POSTGRES_URL');

describeDatabase(database, () => {
  describe('preparePostgresStatements', () => {
    const url = process.env.PORTCULLIS_TEST_POSTGRES_URL!;
    const table = `prep_${randomBytes(4).toString('hex')}`;
    const pools: pg.Pool[] = [];
    // biome-ignore lint/suspicious/noExplicitAny: a scratch table
    function open(options?: { maxStatements?: number }, pool?: pg.Pool): Kysely<any> {
      if (!pool) {
        // one connection, so every query sees the statements the earlier ones prepared
        pool = new pg.Pool({ connectionString: url, max: 1 });
        pools.push(pool);
      }
      return new Kysely({ dialect: new PostgresDialect({ pool: preparePostgresStatements(pool, options) }) });
    }
    // biome-ignore lint/suspicious/noExplicitAny: a scratch table
    async function prepared(db: Kysely<any>): Promise<string[]> {
      const { rows } = await sql<{ statement: string }>`
        select statement from pg_prepared_statements where name like 'pc\\_%' order by statement`.execute(db);
      return rows.map((r) => r.statement).filter((s) => !s.includes('pg_prepared_statements'));
    }

    beforeAll(async () => {
      const db = open();
      await sql`create table ${sql.table(table)} (id int primary key, name text not null)`.execute(db);
    });
    beforeEach(async () => {
      const db = open();
      await sql`delete from ${sql.table(table)}`.execute(db);
      await db
        .insertInto(table)
        .values([
          { id: 1, name: 'one' },
          { id: 2, name: 'two' },
        ])
        .execute();
    });
    afterAll(async () => {
      const db = open();
      await sql`drop table if exists ${sql.table(table)}`.execute(db);
      await Promise.all(pools.map((pool) => pool.end()));
    });

    it('prepares a data statement from its second run, once, and answers with its parameters', async () => {
      const db = open();
      const byId = (id: number) =>
        db.selectFrom(table).select('name').where('id', '=', id).executeTakeFirst();
      expect(await byId(1)).toEqual({ name: 'one' });
      expect(await prepared(db)).toEqual([]);
      expect(await byId(2)).toEqual({ name: 'two' });
      expect(await byId(1)).toEqual({ name: 'one' });
      expect(await byId(3)).toBeUndefined();
      expect(await prepared(db)).toEqual([`select "name" from "${table}" where "id" = $1`]);
    });

    it('prepares no more than maxStatements texts, nor DDL, transaction control or texts without parameters', async () => {
      const db = open({ maxStatements: 2 });
      for (let round = 0; round < 3; round++) {
        for (const column of ['id', 'name', 'id, name']) {
          const { rows } = await sql.raw(`select ${column} from ${table} where id = 1`).execute(db);
          expect(rows).toHaveLength(1); // no parameters: never named
          const byId = await sql`select ${sql.raw(column)} from ${sql.table(table)} where id = ${1}`.execute(
            db,
          );
          expect(byId.rows).toHaveLength(1);
        }
        await db.transaction().execute(async (tx) => {
          await sql.raw(`create temporary table if not exists scratch (n int) on commit drop`).execute(tx);
        });
        // two statements in one text: only the simple protocol runs them, so never named
        await sql.raw(`select 1; select 2`).execute(db);
        await sql.raw(`select count(*) from ${table}`).execute(db);
      }
      expect(await prepared(db)).toEqual([
        `select id from "${table}" where id = $1`,
        `select name from "${table}" where id = $1`,
      ]);
    });

    it('agrees on the names with another wrapper over the same pool', async () => {
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      pools.push(pool);
      const first = open({}, pool);
      const second = open({}, pool);
      for (const db of [first, second, first, second]) {
        expect(await db.selectFrom(table).select('id').where('name', '=', 'two').execute()).toEqual([
          { id: 2 },
        ]);
      }
      expect(await prepared(first)).toEqual([`select "id" from "${table}" where "name" = $1`]);
    });

    it('after a migration adds a column: runs the statement again outside a transaction, and fails only the transaction that meets it', async () => {
      const db = open();
      const all = () => db.selectFrom(table).selectAll().where('id', '=', 1).executeTakeFirst();
      await all();
      expect(await all()).toEqual({ id: 1, name: 'one' });

      await sql`alter table ${sql.table(table)} add column extra text not null default 'x'`.execute(db);
      try {
        // outside a transaction nothing ran yet when PostgreSQL refused the stale plan: run again
        expect(await all()).toEqual({ id: 1, name: 'one', extra: 'x' });

        await sql`alter table ${sql.table(table)} add column more int not null default 0`.execute(db);
        const inTransaction = () =>
          db
            .transaction()
            .execute((tx) => tx.selectFrom(table).selectAll().where('id', '=', 1).executeTakeFirst());
        // inside a transaction the refusal aborts it: that one fails, the next prepares afresh
        await expect(inTransaction()).rejects.toThrow(/cached plan must not change result type/);
        expect(await inTransaction()).toEqual({ id: 1, name: 'one', extra: 'x', more: 0 });
        expect(await all()).toEqual({ id: 1, name: 'one', extra: 'x', more: 0 });
      } finally {
        await sql`alter table ${sql.table(table)} drop column if exists extra`.execute(db);
        await sql`alter table ${sql.table(table)} drop column if exists more`.execute(db);
      }
    });

    it('inside a transaction begun with START TRANSACTION and a rolled-back savepoint, lets the refusal fail that transaction', async () => {
      const db = open();
      const first = () => db.selectFrom(table).selectAll().where('name', '=', 'one').executeTakeFirst();
      await first();
      await first();
      await sql`alter table ${sql.table(table)} add column late text`.execute(db);
      try {
        const trx = await db.startTransaction().setIsolationLevel('serializable').execute();
        try {
          const saved = await trx.savepoint('a').execute();
          await saved.rollbackToSavepoint('a').execute();
          await expect(
            trx.selectFrom(table).selectAll().where('name', '=', 'one').executeTakeFirst(),
          ).rejects.toThrow(/cached plan must not change result type/);
        } finally {
          await trx.rollback().execute();
        }
        // after the transaction, the renamed statement runs
        expect(await first()).toEqual({ id: 1, name: 'one', late: null });
      } finally {
        await sql`alter table ${sql.table(table)} drop column if exists late`.execute(db);
      }
    });

    it('closes a connection whose prepared statements were deallocated, after failing once', async () => {
      const db = open();
      const byName = () => db.selectFrom(table).select('id').where('name', '=', 'two').executeTakeFirst();
      await byName();
      expect(await byName()).toEqual({ id: 2 });
      const { rows: before } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
      await sql`deallocate all`.execute(db);
      await expect(byName()).rejects.toThrow(/does not exist/);
      // the pool (of one) opened a new connection, which prepares the statement again
      const { rows: after } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
      expect(after[0]!.pid).not.toBe(before[0]!.pid);
      expect(await byName()).toEqual({ id: 2 });
      expect(await byName()).toEqual({ id: 2 });
    });

    it('rejects a maxStatements that is not a positive integer', () => {
      const pool = new pg.Pool({ connectionString: url });
      pools.push(pool);
      expect(() => preparePostgresStatements(pool, { maxStatements: 0 })).toThrow(RangeError);
      expect(() => preparePostgresStatements(pool, { maxStatements: 1.5 })).toThrow(RangeError);
    });
  });
});
