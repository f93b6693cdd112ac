import { fileURLToPath } from 'node:url';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely';
import { cacheSqliteStatements } from './cache-sqlite-statements.js';
import type { AnyKysely } from './kysely-types.js';
import { preparePostgresStatements } from './prepare-postgres-statements.js';
import type { SqlDialect } from './sql-dialect.js';

/** A Kysely instance this package opened, with the means to close it. */
export interface KyselyConnection {
  // biome-ignore lint/suspicious/noExplicitAny: any schema: Portcullis names its tables at run time
  db: Kysely<any>;
  dialect: SqlDialect;
  /** Ends the pool (or closes the SQLite file). */
  close(): Promise<void>;
}

/** Options of {@link createKyselyFromUrl}. */
export interface CreateKyselyFromUrlOptions {
  /**
   * PostgreSQL: run repeated statements as named prepared statements
   * ({@link preparePostgresStatements}). Default `true`; set `false` behind a pooler that cannot
   * keep them (PgBouncer in transaction mode before 1.21, or with `max_prepared_statements = 0`).
   */
  preparedStatements?: boolean;
}

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Opens a Kysely instance from a database URL, loading the driver only when needed (each is
 * an optional peer dependency):
 *
 * - `postgres://…`, `postgresql://…` → pg pool (connect timeout 5 s, so a down database errors
 *   instead of hanging), repeated statements prepared ({@link preparePostgresStatements}) unless
 *   `preparedStatements: false`
 * - `mysql://…`, `mariadb://…` → mysql2 pool with `timezone: 'Z'` (times are UTC)
 * - `sqlite:path`, `sqlite::memory:`, `file:path` → better-sqlite3 with WAL, `busy_timeout`
 *   5 s, foreign keys on and prepared statements reused ({@link cacheSqliteStatements})
 *
 * @example
 * const { db, close } = await createKyselyFromUrl(process.env.DATABASE_URL!)
 * try { await migrate(db, { direction: 'up' }) } finally { await close() }
 */
export async function createKyselyFromUrl(
  url: string,
  options: CreateKyselyFromUrlOptions = {},
): Promise<KyselyConnection> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  let db: AnyKysely;
  let dialect: SqlDialect;
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const pg = await loadDriver('pg', scheme, () => import('pg'));
    const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    db = new Kysely({
      dialect: new PostgresDialect({
        pool: options.preparedStatements === false ? pool : preparePostgresStatements(pool),
      }),
    });
    dialect = 'postgres';
  } else if (scheme === 'mysql' || scheme === 'mariadb') {
    const mysql = await loadDriver('mysql2', scheme, () => import('mysql2'));
    const pool = mysql.createPool({
      uri: url.replace(/^mariadb:/i, 'mysql:'),
      timezone: 'Z',
      dateStrings: false,
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
    db = new Kysely({ dialect: new MysqlDialect({ pool }) });
    dialect = 'mysql';
  } else if (scheme === 'sqlite' || scheme === 'file') {
    const Database = await loadDriver('better-sqlite3', scheme, () => import('better-sqlite3'));
    const path = sqlitePath(url);
    const database = new Database(path);
    if (path !== ':memory:') database.pragma('journal_mode = WAL');
    database.pragma(`busy_timeout = ${CONNECT_TIMEOUT_MS}`);
    database.pragma('foreign_keys = ON');
    db = new Kysely({ dialect: new SqliteDialect({ database: cacheSqliteStatements(database) }) });
    dialect = 'sqlite';
  } else {
    throw new Error(
      `unsupported database URL scheme ${scheme ? `"${scheme}:"` : '(none)'}: use postgres://, mysql://, mariadb://, sqlite: or file:`,
    );
  }
  return { db, dialect, close: () => db.destroy() };
}

/** `sqlite:./app.db` → `./app.db`, `sqlite:///abs.db` → `/abs.db`, `file:///x.db` → `/x.db`. */
export function sqlitePath(url: string): string {
  if (/^file:\/\//i.test(url)) return fileURLToPath(url);
  const rest = url.replace(/^(sqlite|file):/i, '');
  if (rest === ':memory:' || rest === '') return ':memory:';
  return rest.startsWith('//') ? rest.slice(2) : rest;
}

/** Literal `import()`s (in the callers) keep bundlers able to see the optional drivers. */
async function loadDriver<T>(name: string, scheme: string, load: () => Promise<{ default: T }>): Promise<T> {
  try {
    return (await load()).default;
  } catch (error) {
    throw new Error(
      `${scheme}: URLs need the "${name}" package: install it next to @portcullis/adapter-kysely`,
      {
        cause: error,
      },
    );
  }
}
