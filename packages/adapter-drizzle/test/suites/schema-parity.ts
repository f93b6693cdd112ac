import { migrate } from '@portcullis/adapter-kysely';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredSchema, packageTables } from '../support/declared-schema.js';
import { introspectSchema } from '../support/introspect-schema.js';
import { randomTablePrefix, type TestConnection, type TestDatabase } from '../support/test-databases.js';

/**
 * The Drizzle tables against the schema `portcullis migrate` creates (the Kysely migrations, the
 * source of truth): every table, column (name, SQL type, nullability, default), primary key,
 * unique constraint, index and foreign key, by name. A missing or an extra one fails.
 */
export function describeSchemaParity(database: TestDatabase): void {
  describe('Drizzle tables ↔ migrated schema', () => {
    let connection: TestConnection;
    const tablePrefix = randomTablePrefix();

    beforeAll(async () => {
      connection = await database.connect();
      await migrate(connection.kysely, { direction: 'up', tablePrefix });
    });

    afterAll(async () => {
      if (!connection) return;
      await migrate(connection.kysely, { direction: 'down', tablePrefix, steps: Number.POSITIVE_INFINITY });
      await connection.close();
    });

    it('declares exactly the tables, columns, keys, indexes and foreign keys the migrations create', async () => {
      const migrated = await introspectSchema(connection.kysely, connection.dialect, tablePrefix);
      const declared = declaredSchema(connection.dialect, packageTables(connection.dialect, tablePrefix));

      expect(migrated.length).toBeGreaterThan(0);
      expect(declared.map((table) => table.name)).toEqual(migrated.map((table) => table.name));
      for (const [i, table] of migrated.entries()) {
        expect(declared[i], `table ${table.name}`).toEqual(table);
      }
    });

    it('tells apart a database that differs: an index created outside the migrations', async () => {
      const index = `${tablePrefix}extra_idx`;
      const declared = declaredSchema(connection.dialect, packageTables(connection.dialect, tablePrefix));
      await sql`create index ${sql.id(index)} on ${sql.id(`${tablePrefix}sessions`)} (${sql.id('ip')})`.execute(
        connection.kysely,
      );
      try {
        const migrated = await introspectSchema(connection.kysely, connection.dialect, tablePrefix);
        const sessions = migrated.find((table) => table.name === `${tablePrefix}sessions`);
        expect(sessions?.indexes.map((i) => i.name)).toContain(index);
        expect(declared).not.toEqual(migrated);
      } finally {
        const drop =
          connection.dialect === 'mysql'
            ? sql`drop index ${sql.id(index)} on ${sql.id(`${tablePrefix}sessions`)}`
            : sql`drop index ${sql.id(index)}`;
        await drop.execute(connection.kysely);
      }
    });

    if (database.name.startsWith('MariaDB')) {
      it('relies on tables the migrations create InnoDB with utf8mb4_bin (Drizzle cannot declare a collation)', async () => {
        const { rows } = await sql<{ name: string; engine: string; collation: string }>`
          select TABLE_NAME as name, ENGINE as engine, TABLE_COLLATION as collation
          from information_schema.TABLES where TABLE_SCHEMA = database()`.execute(connection.kysely);
        const ours = rows.filter((row) => row.name.startsWith(tablePrefix));
        expect(ours.length).toBeGreaterThan(0);
        for (const row of ours)
          expect({ engine: row.engine, collation: row.collation }).toEqual({
            engine: 'InnoDB',
            collation: 'utf8mb4_bin',
          });
      });
    }
  });
}
