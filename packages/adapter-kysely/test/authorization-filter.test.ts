import { toKyselyWhere } from '@portcullis/adapter-kysely';
import { createAuthorizer } from '@portcullis/core/authorization';
import { isAuthError } from '@portcullis/core/ports';
import fc from 'fast-check';
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
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

const columns = { id: 'id', ownerId: 'owner_id', dept: 'dept', level: 'level', title: 'title' };

function describeFilterOn(database: TestDatabase) {
  let connection: TestConnection;
  const table = `${randomTablePrefix()}documents`;

  beforeAll(async () => {
    connection = await database.connect();
    await connection.db.schema
      .createTable(table)
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('dept', 'text')
      .addColumn('level', 'integer')
      .addColumn('title', 'text', (c) => c.notNull())
      .execute();
  });
  afterAll(async () => {
    await connection.db.schema.dropTable(table).ifExists().execute();
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
          await connection.db.deleteFrom(table).execute();
          if (ds.length > 0) {
            await connection.db
              .insertInto(table)
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
          const filter = authorizer.authorizationFilter({
            subject: s,
            action: 'document.read',
            resourceType: 'document',
            context,
          });
          const rows = await connection.db
            .selectFrom(table)
            .select('id')
            .where((eb) => toKyselyWhere(eb, filter, columns))
            .orderBy('id')
            .execute();
          expect(rows.map((r) => Number(r.id))).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('lists only the documents a member owns under an ownership policy', async () => {
    await connection.db.deleteFrom(table).execute();
    await connection.db
      .insertInto(table)
      .values([
        { id: 1, owner_id: 'u1', dept: null, level: 1, title: 'a' },
        { id: 2, owner_id: 'u2', dept: null, level: 1, title: 'b' },
      ])
      .execute();
    const authorizer = createAuthorizer({
      tenantId: 't1',
      roles: [],
      policies: [
        {
          id: 'own',
          tenantId: null,
          effect: 'allow',
          actions: ['document.read'],
          resource: 'document',
          condition: { eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] },
        },
      ],
    });
    const filter = authorizer.authorizationFilter({
      subject: { id: 'u2', roles: [] },
      action: 'document.read',
      resourceType: 'document',
    });
    expect(filter).toEqual({ kind: 'condition', condition: { eq: [{ ref: 'resource.ownerId' }, 'u2'] } });
    const rows = await connection.db
      .selectFrom(table)
      .select('id')
      .where((eb) => toKyselyWhere(eb, filter, columns))
      .execute();
    expect(rows.map((r) => Number(r.id))).toEqual([2]);
  });
}

describe('toKyselyWhere', () => {
  describeDatabase(sqliteFileDatabase(), describeFilterOn);
  describeDatabase(serverDatabase('PostgreSQL', 'PORTCULLIS_TEST_POSTGRES_URL'), describeFilterOn);

  it('reports conditions without an SQL form instead of dropping them', async () => {
    const authorizer = createAuthorizer({
      tenantId: 't1',
      roles: [],
      policies: [
        {
          id: 'p',
          tenantId: 't1',
          effect: 'allow',
          actions: ['*'],
          resource: '*',
          condition: {
            or: [
              { cidr: [{ ref: 'resource.ip' }, '10.0.0.0/8'] },
              { contains: [{ ref: 'resource.tags' }, 3] },
              { eq: [{ ref: 'resource.secret' }, 'x'] },
            ],
          },
        },
      ],
    });
    const filter = authorizer.authorizationFilter({
      subject: { id: 'u', roles: [] },
      action: 'document.read',
      resourceType: 'document',
    });
    // building the query is enough: a compile-only Kysely, no database
    const db = new Kysely<Record<string, Record<string, unknown>>>({
      dialect: {
        createAdapter: () => new SqliteAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (kysely) => new SqliteIntrospector(kysely),
        createQueryCompiler: () => new SqliteQueryCompiler(),
      },
    });
    try {
      db.selectFrom('x').where((eb) => toKyselyWhere(eb, filter, { ip: 'ip', tags: 'tags' }));
      expect.unreachable();
    } catch (error) {
      expect(isAuthError(error, 'invalid_request')).toBe(true);
      expect((error as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([
        'condition.or.0.cidr',
        'condition.or.1.contains',
        'condition.or.2.eq.0',
      ]);
    } finally {
      await db.destroy();
    }
  });
});
