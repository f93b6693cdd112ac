import { cacheSqliteStatements } from '@portcullis/adapter-kysely';
import Database from 'better-sqlite3';
import { Kysely, type SqliteDatabase, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';

/** An in-memory better-sqlite3 database that counts the statements it prepares. */
function countingDatabase() {
  const database = new Database(':memory:');
  const counted = {
    prepared: 0,
    closed: false as boolean,
    prepare(sql: string) {
      counted.prepared++;
      return database.prepare(sql);
    },
    close() {
      counted.closed = true;
      database.close();
    },
  } satisfies SqliteDatabase & { prepared: number; closed: boolean };
  return counted;
}

describe('cacheSqliteStatements', () => {
  const open: SqliteDatabase[] = [];
  afterEach(() => {
    for (const database of open.splice(0)) database.close();
  });
  function cached(maxStatements?: number) {
    const database = countingDatabase();
    const cache = cacheSqliteStatements(database, maxStatements);
    open.push(cache);
    return { database, cache };
  }

  it('returns the same prepared statement for the same SQL text', () => {
    const { database, cache } = cached();
    const first = cache.prepare('select ? as n');
    expect(cache.prepare('select ? as n')).toBe(first);
    expect(cache.prepare('select ?  as n')).not.toBe(first);
    expect(database.prepared).toBe(2);
    expect(first.all([7])).toEqual([{ n: 7 }]);
  });

  it('keeps only the most recently used statements, so many distinct SQL texts stay bounded', () => {
    const { database, cache } = cached(4);
    const statements = Array.from({ length: 4 }, (_, i) => cache.prepare(`select ${i} as n`));
    for (let i = 4; i < 1000; i++) cache.prepare(`select ${i} as n`);
    expect(database.prepared).toBe(1000);
    // the four kept are the last four prepared: everything older was evicted and is prepared anew
    for (let i = 996; i < 1000; i++) cache.prepare(`select ${i} as n`);
    expect(database.prepared).toBe(1000);
    expect(cache.prepare('select 0 as n')).not.toBe(statements[0]);
    expect(cache.prepare('select 1 as n')).not.toBe(statements[1]);
    expect(database.prepared).toBe(1002);
  });

  it('evicts the least recently used statement first', () => {
    const { database, cache } = cached(2);
    const a = cache.prepare('select 1 as a');
    cache.prepare('select 1 as b');
    cache.prepare('select 1 as a'); // a is now newer than b
    cache.prepare('select 1 as c'); // evicts b
    expect(cache.prepare('select 1 as a')).toBe(a);
    expect(database.prepared).toBe(3);
    cache.prepare('select 1 as b');
    expect(database.prepared).toBe(4);
  });

  it('prepares a fresh statement while the cached one is held by an open iterate()', () => {
    const { cache } = cached();
    const sql = 'select value as n from json_each(?)';
    const iterating = cache.prepare(sql);
    const rows = iterating.iterate(['[1,2]']);
    expect(rows.next().value).toEqual({ n: 1 });
    // without the fresh statement this would throw "This statement is busy executing a query"
    const fresh = cache.prepare(sql);
    expect(fresh).not.toBe(iterating);
    expect(fresh.all(['[3]'])).toEqual([{ n: 3 }]);
    expect(rows.next().value).toEqual({ n: 2 });
    expect(rows.next().done).toBe(true);
    expect(cache.prepare(sql)).toBe(fresh);
  });

  it('serves two Kysely instances on one database, one streaming the query the other runs', async () => {
    const { cache } = cached();
    const streaming = new Kysely<{ t: { n: number } }>({ dialect: new SqliteDialect({ database: cache }) });
    const running = new Kysely<{ t: { n: number } }>({ dialect: new SqliteDialect({ database: cache }) });
    await running.schema.createTable('t').addColumn('n', 'integer').execute();
    await running
      .insertInto('t')
      .values([{ n: 1 }, { n: 2 }])
      .execute();
    const query = (db: Kysely<{ t: { n: number } }>) => db.selectFrom('t').select('n').orderBy('n');
    const seen: number[][] = [];
    for await (const row of query(streaming).stream()) {
      seen.push([row.n, ...(await query(running).execute()).map((r) => r.n)]);
    }
    expect(seen).toEqual([
      [1, 1, 2],
      [2, 1, 2],
    ]);
  });

  it('closes the database it wraps', () => {
    const database = countingDatabase();
    cacheSqliteStatements(database).close();
    expect(database.closed).toBe(true);
  });

  it('rejects a cache size that is not a positive integer', () => {
    const database = countingDatabase();
    open.push(database);
    expect(() => cacheSqliteStatements(database, 0)).toThrow(RangeError);
    expect(() => cacheSqliteStatements(database, 1.5)).toThrow(RangeError);
  });
});
