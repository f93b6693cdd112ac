import { toDrizzleWhere } from '@portcullis/adapter-drizzle';
import { type AuthorizationFilter, createAuthorizer } from '@portcullis/core/authorization';
import { isAuthError } from '@portcullis/core/ports';
import { type AnyColumn, asc, type SQL } from 'drizzle-orm';
import { integer as pgInteger, pgTable, text as pgText } from 'drizzle-orm/pg-core';
import { integer as sqliteInteger, sqliteTable, text as sqliteText } from 'drizzle-orm/sqlite-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docs, policies, roles, subject } from '../../../test-support/authorization-arbitraries.js';
import {
  describeDatabase,
  randomTablePrefix,
  serverDatabase,
  sqliteFileDatabase,
  type TestConnection,
  type TestDatabase,
} from './support/test-databases.js';

function documentsTable(dialect: TestConnection['dialect'], name: string) {
  if (dialect === 'postgres') {
    return pgTable(name, {
      id: pgInteger('id').primaryKey(),
      ownerId: pgText('owner_id').notNull(),
      dept: pgText('dept'),
      level: pgInteger('level'),
      title: pgText('title').notNull(),
    });
  }
  return sqliteTable(name, {
    id: sqliteInteger('id').primaryKey(),
    ownerId: sqliteText('owner_id').notNull(),
    dept: sqliteText('dept'),
    level: sqliteInteger('level'),
    title: sqliteText('title').notNull(),
  });
}

function describeFilterOn(database: TestDatabase) {
  let connection: TestConnection;
  let table: ReturnType<typeof documentsTable>;
  let selectIds: (where: (columns: Record<string, AnyColumn>) => SQL) => Promise<number[]>;
  const name = `${randomTablePrefix()}documents`;

  beforeAll(async () => {
    connection = await database.connect();
    table = documentsTable(connection.dialect, name);
    await connection.kysely.schema
      .createTable(name)
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('dept', 'text')
      .addColumn('level', 'integer')
      .addColumn('title', 'text', (c) => c.notNull())
      .execute();
    const columns = {
      id: table.id,
      ownerId: table.ownerId,
      dept: table.dept,
      level: table.level,
      title: table.title,
    };
    selectIds = async (where) => {
      // biome-ignore lint/suspicious/noExplicitAny: one query over the union of dialect databases
      const db = connection.db as any;
      const rows: { id: number }[] = await db
        .select({ id: table.id })
        .from(table)
        .where(where(columns))
        .orderBy(asc(table.id));
      return rows.map((r) => Number(r.id));
    };
  });
  afterAll(async () => {
    await connection.kysely.schema.dropTable(name).ifExists().execute();
    await connection.close();
  });

  it('returns exactly the rows decide() allows (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        policies,
        subject,
        docs,
        fc.option(fc.boolean(), { nil: undefined }),
        async (ps, s, ds, mfa) => {
          const authorizer = createAuthorizer({ tenantId: 't1', roles, policies: ps });
          const context = mfa === undefined ? {} : { mfa };
          await connection.kysely.deleteFrom(name).execute();
          if (ds.length > 0) {
            await connection.kysely
              .insertInto(name)
              .values(
                ds.map((d) => ({
                  id: d.id,
                  owner_id: d.ownerId,
                  dept: d.dept,
                  level: d.level,
                  title: d.title,
                })),
              )
              .execute();
          }
          const expected = ds
            .filter(
              (d) =>
                authorizer.decide({
                  subject: s,
                  action: 'document.read',
                  resource: { type: 'document', ...d },
                  context,
                }).allowed,
            )
            .map((d) => d.id);
          const filter: AuthorizationFilter = authorizer.authorizationFilter({
            subject: s,
            action: 'document.read',
            resourceType: 'document',
            context,
          });
          expect(await selectIds((columns) => toDrizzleWhere(filter, columns))).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });
}

describe('toDrizzleWhere', () => {
  describe('SQLite (better-sqlite3)', () => describeFilterOn(sqliteFileDatabase()));
  describeDatabase(serverDatabase('postgres', 'PORTCULLIS_TEST_POSTGRES_URL'), describeFilterOn);

  it('reports conditions without an SQL form instead of dropping them', () => {
    const authorizer = createAuthorizer({
      tenantId: 't1',
      roles: [],
      policies: [
        {
          id: 'p',
          tenantId: 't1',
          effect: 'deny',
          actions: ['*'],
          resource: '*',
          condition: {
            and: [
              { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] },
              { in: [{ ref: 'subject.id' }, { ref: 'resource.members' }] },
            ],
          },
        },
        { id: 'all', tenantId: 't1', effect: 'allow', actions: ['*'], resource: '*' },
      ],
    });
    const filter = authorizer.authorizationFilter({
      subject: { id: 'u', roles: [] },
      action: 'document.read',
      resourceType: 'document',
      context: { ip: '10.1.1.1' },
    });
    const table = documentsTable('sqlite', 'documents');
    try {
      toDrizzleWhere(filter, { members: table.title });
      expect.unreachable();
    } catch (error) {
      expect(isAuthError(error, 'invalid_request')).toBe(true);
      expect((error as { issues: { message: string }[] }).issues[0]?.message).toContain(
        '"in" with a column on the right',
      );
    }
  });
});
