import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cacheSqliteStatements, preparePostgresStatements } from '@portcullis/adapter-kysely';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';

/** Both libraries share one pool of this size; the load generator keeps as many calls in flight. */
export const POSTGRES_POOL_SIZE = 8;

/** The database the bench creates next to the given one, and drops when it is done. */
export const POSTGRES_BENCH_DATABASE = process.env.BENCH_POSTGRES_DATABASE || 'portcullis_bench';

/**
 * One database both libraries use. `driver` is what better-auth is given (on SQLite its
 * `{ dialect, type }` form over the same wrapped handle, on PostgreSQL the pg Pool); `db` is a
 * Kysely instance over the same driver for Portcullis and for the raw floor query.
 *
 * @typedef {{ name: 'sqlite' | 'postgres', label: string, version: string, local?: boolean, driver: unknown, db: Kysely<any>, close(): Promise<void> }} BenchDatabase
 */

/**
 * A better-sqlite3 file in a fresh temporary directory, set up as the Kysely adapter's
 * `createKyselyFromUrl` does: WAL, busy timeout, foreign keys, and the handle wrapped in
 * `cacheSqliteStatements` (prepared statements reused). Portcullis, the raw floor and better-auth
 * all query through that one wrapped handle. `file` is the database file's path (another process
 * may open it with {@link openSqliteFile}); `close()` deletes the directory.
 */
export async function openSqlite() {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  const opened = openSqliteFile(join(dir, 'bench.sqlite'));
  return {
    ...opened,
    async close() {
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The SQLite database at `file`, set up as {@link openSqlite} sets it up; `close()` closes the
 * handle and leaves the file. The HTTP bench's servers open the file the runner created.
 */
export function openSqliteFile(file) {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const version = database.prepare('select sqlite_version() as v').get().v;
  const totalChanges = database.prepare('select total_changes() as n');
  const dialect = new SqliteDialect({ database: cacheSqliteStatements(database) });
  const db = new Kysely({ dialect });
  return {
    name: 'sqlite',
    label: 'SQLite',
    file,
    version: `SQLite ${version} (better-sqlite3, WAL, statements cached by cacheSqliteStatements, file in ${dirname(file)})`,
    // better-auth would build its own SqliteDialect over a raw better-sqlite3 handle; given the
    // dialect it runs on the wrapped one (transactions on, as it sets them for better-sqlite3)
    driver: { dialect, type: 'sqlite', transaction: true },
    db,
    /** Rows inserted, updated or deleted through this handle so far (SQLite's `total_changes()`). */
    rowsWritten: () => totalChanges.get().n,
    async close() {
      await db.destroy(); // closes the better-sqlite3 handle
    },
  };
}

/**
 * A fresh `portcullis_bench` database (or `database`) on the server of `url` (dropped again on close), or
 * `{ skipped }` when the server cannot be reached. The database named in `url` is only used to
 * run CREATE/DROP DATABASE: nothing is written into it. With `countStatements`, `statements`
 * counts what the pool runs ({@link countPoolStatements}).
 */
export async function openPostgres(
  url,
  { database: benchDatabase = POSTGRES_BENCH_DATABASE, countStatements = false } = {},
) {
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    await admin.end().catch(() => {});
    return {
      skipped: `PostgreSQL at ${redact(url)} is unreachable (${error.message || error.code || error})`,
    };
  }
  let version;
  try {
    version = (await admin.query('show server_version')).rows[0].server_version;
    await admin.query(`drop database if exists ${benchDatabase} with (force)`);
    await admin.query(`create database ${benchDatabase}`);
  } finally {
    await admin.end();
  }

  const benchUrl = new URL(url);
  benchUrl.pathname = `/${benchDatabase}`;
  const pool = new pg.Pool({ connectionString: benchUrl.toString(), max: POSTGRES_POOL_SIZE });
  const statements = countStatements ? countPoolStatements(pool) : undefined;
  let closing = false;
  // pool.end() does not wait for its clients' sockets to close, so the DROP DATABASE below may
  // terminate them first: that error is expected then, and worth showing at any other time
  pool.on('error', (error) => {
    if (!closing) console.error('[postgres] idle client error:', error.message);
  });
  // as `createKyselyFromUrl` sets it up in production: repeated statements prepared once per
  // connection; Portcullis, the raw floors and better-auth all query through the one wrapped pool
  const dialect = new PostgresDialect({ pool: preparePostgresStatements(pool) });
  const db = new Kysely({ dialect });
  return {
    name: 'postgres',
    label: 'PostgreSQL',
    /** The bench database's URL, for other processes ({@link connectPostgres}). */
    url: benchUrl.toString(),
    // its server processes are on this machine (the sign-in suite reads their CPU time in /proc)
    local: ['127.0.0.1', 'localhost', '[::1]'].includes(benchUrl.hostname),
    version: `PostgreSQL ${version} (pg pool of ${POSTGRES_POOL_SIZE}, repeated statements prepared by preparePostgresStatements, database ${benchDatabase} at ${benchUrl.host})`,
    driver: { dialect, type: 'postgres', transaction: true }, // what better-auth sets for a pg Pool
    db,
    statements,
    async close() {
      closing = true;
      await db.destroy(); // ends the pool
      const cleanup = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
      await cleanup.connect();
      try {
        await cleanup.query(`drop database if exists ${benchDatabase} with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/**
 * Counts the statements every client of `pool` runs, by their first word (`select`, `insert`,
 * `update`, `delete`, `begin`…), and the rows the writing ones changed (pg's `rowCount`). It sits
 * under everything that queries the pool (both libraries, the raw floors and
 * `preparePostgresStatements`), so what it counts is what the server was sent. `read()` returns
 * cumulative counts; subtract two readings.
 *
 * @returns {{ read(): { statements: Record<string, number>, rowsWritten: number } }}
 */
function countPoolStatements(pool) {
  const statements = {};
  let rowsWritten = 0;
  const counted = new WeakSet();
  const tally = (text, result) => {
    const kind = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase() ?? 'other';
    statements[kind] = (statements[kind] ?? 0) + 1;
    if (WRITES.has(kind) && typeof result?.rowCount === 'number') rowsWritten += result.rowCount;
  };
  const connect = pool.connect.bind(pool);
  pool.connect = async (...args) => {
    if (args.length > 0) throw new Error('the counting pool takes no connect callback');
    const client = await connect();
    if (!counted.has(client)) {
      counted.add(client);
      const query = client.query.bind(client);
      client.query = (config, ...rest) => {
        const text = typeof config === 'string' ? config : config?.text;
        const pending = query(config, ...rest);
        if (typeof text !== 'string' || typeof pending?.then !== 'function') return pending;
        return pending.then((result) => {
          tally(text, result);
          return result;
        });
      };
    }
    return client;
  };
  return { read: () => ({ statements: { ...statements }, rowsWritten }) };
}

const WRITES = new Set(['insert', 'update', 'delete', 'merge']);

/**
 * A pool on an existing database (`url` names it), set up as {@link openPostgres} sets up its
 * own (statements prepared per connection), without creating or dropping anything. The HTTP
 * bench's servers connect to the database the runner created. Idle connections are kept
 * (`idleTimeoutMillis: 0`): the bench reads the CPU time of the server's backends from `/proc`,
 * and a backend that exits between two readings would take its share with it.
 */
export function connectPostgres(url, { poolSize = POSTGRES_POOL_SIZE } = {}) {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 0 });
  let closing = false;
  pool.on('error', (error) => {
    if (!closing) console.error('[postgres] idle client error:', error.message);
  });
  const dialect = new PostgresDialect({ pool: preparePostgresStatements(pool) });
  const db = new Kysely({ dialect });
  return {
    name: 'postgres',
    label: 'PostgreSQL',
    version: `PostgreSQL (pg pool of ${poolSize}, repeated statements prepared by preparePostgresStatements, at ${redact(url)})`,
    driver: { dialect, type: 'postgres', transaction: true },
    db,
    async close() {
      closing = true;
      await db.destroy();
    },
  };
}

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
