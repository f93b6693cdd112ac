import { type Kysely, sql } from 'kysely';
import { createColumnCodec } from '../column-codec.js';
import type { AnyKysely } from '../kysely-types.js';
import { detectDialect, type SqlDialect } from '../sql-dialect.js';
import { resolveTablePrefix } from '../table-prefix.js';
import { migrations as builtInMigrations } from './index.js';
import type { Migration, MigrationContext } from './migration.js';
import { migrationChecksum } from './migration.js';
import { withMigrationLock } from './migration-lock.js';
import { sqlType } from './table-spec.js';

export interface MigrationOptions {
  /** Prefix of every table, the history table `<prefix>migrations` included. Default `pc_`. */
  tablePrefix?: string;
  /** Detected from the Kysely instance when omitted. */
  dialect?: SqlDialect;
  /** The migrations to consider; the package's own by default (tests pass others). */
  migrations?: readonly Migration[];
}

export interface MigrateOptions extends MigrationOptions {
  direction: 'up' | 'down';
  /**
   * How many migrations to apply or revert. `up` applies every pending one by default; `down`
   * reverts the latest one by default (pass `Infinity` to revert them all).
   */
  steps?: number;
}

export interface MigrateResult {
  direction: 'up' | 'down';
  /** Ids of the migrations applied (up) or reverted (down), in the order they ran. */
  executed: string[];
}

export interface MigrationStatusEntry {
  id: string;
  /** The checksum of this code's migration (of the recorded one for `unknown` entries). */
  checksum: string;
  /** When it was applied, or null when pending. */
  appliedAt: Date | null;
  pending: boolean;
  /** Applied, but the recorded checksum differs from this code's: the migration was edited. */
  mismatched: boolean;
  /** Applied by a newer release: this code does not know it. */
  unknown: boolean;
}

export interface MigrationCheck {
  pending: string[];
  mismatched: string[];
  /** Applied migrations this code does not know (the database is ahead of it). */
  unknown: string[];
}

interface HistoryRow {
  id: string;
  checksum: string;
  appliedAt: Date;
}

/**
 * Applies or reverts Portcullis's migrations, under a lock (two processes migrating at once
 * apply each migration once) and after verifying the checksums of those already applied.
 * Applied migrations are recorded in `<prefix>migrations`; reverting all of them drops that
 * table too.
 * PostgreSQL and SQLite run the whole call in one transaction; MySQL commits each DDL statement
 * as it goes, recording each migration once it has completed.
 *
 * @throws when an applied migration was edited (checksum mismatch), when reverting while the
 *   database holds migrations this code does not know, or when a migration fails.
 *
 * @example
 * import { migrate } from '@portcullis/adapter-kysely'
 *
 * const { executed } = await migrate(db, { direction: 'up' })
 * console.log(executed) // ['0001_initial'] the first time, [] afterwards
 *
 * // revert the latest migration of tables prefixed `auth_`
 * await migrate(db, { direction: 'down', tablePrefix: 'auth_' })
 */
// biome-ignore lint/suspicious/noExplicitAny: any schema: Portcullis names its tables at run time
export async function migrate(db: Kysely<any>, options: MigrateOptions): Promise<MigrateResult> {
  const { dialect, tablePrefix, list } = resolveOptions(db, options);
  // checked at run time too: from JavaScript, a typo must not fall through to reverting
  if (options.direction !== 'up' && options.direction !== 'down') {
    throw new Error(`direction must be 'up' or 'down', got ${JSON.stringify(options.direction)}`);
  }
  const steps = options.steps ?? (options.direction === 'up' ? Number.POSITIVE_INFINITY : 1);
  if (!(steps >= 0)) throw new Error(`steps must be a non-negative number, got ${options.steps}`);
  return withMigrationLock(db, dialect, tablePrefix, async (locked) => {
    await createHistoryTable(locked, dialect, tablePrefix);
    const history = await readHistory(locked, dialect, tablePrefix);
    const check = compare(list, history);
    if (check.mismatched.length > 0) {
      throw new Error(
        `applied migrations were changed since they ran (checksum mismatch): ${check.mismatched.join(', ')}`,
      );
    }
    const context: MigrationContext = { db: locked, dialect, tablePrefix };
    const codec = createColumnCodec(dialect);
    const historyTable = `${tablePrefix}migrations`;
    const executed: string[] = [];
    if (options.direction === 'up') {
      for (const migration of list.filter((m) => !history.has(m.id)).slice(0, steps)) {
        await migration.up(context);
        await locked
          .insertInto(historyTable)
          .values({
            id: migration.id,
            checksum: migrationChecksum(migration),
            applied_at: codec.toDate(new Date()),
          })
          .execute();
        executed.push(migration.id);
      }
    } else {
      if (check.unknown.length > 0) {
        throw new Error(
          `the database holds migrations this version does not know (${check.unknown.join(', ')}): revert them with the release that applied them`,
        );
      }
      const applied = list.filter((m) => history.has(m.id)).reverse();
      for (const migration of applied.slice(0, steps)) {
        await migration.down(context);
        await locked.deleteFrom(historyTable).where('id', '=', migration.id).execute();
        executed.push(migration.id);
      }
      // reverting everything leaves nothing behind, not even the bookkeeping
      if (executed.length === applied.length) {
        await locked.schema.dropTable(historyTable).execute();
      }
    }
    return { direction: options.direction, executed };
  });
}

/**
 * Every known migration with its state, in order, followed by any applied migration this code
 * does not know. Read-only: it takes no lock and creates nothing.
 */
export async function migrationStatus(
  // biome-ignore lint/suspicious/noExplicitAny: any schema: Portcullis names its tables at run time
  db: Kysely<any>,
  options: MigrationOptions = {},
): Promise<MigrationStatusEntry[]> {
  const { dialect, tablePrefix, list } = resolveOptions(db, options);
  const history = await readHistory(db, dialect, tablePrefix);
  const entries: MigrationStatusEntry[] = list.map((migration) => {
    const row = history.get(migration.id);
    const checksum = migrationChecksum(migration);
    return {
      id: migration.id,
      checksum,
      appliedAt: row?.appliedAt ?? null,
      pending: !row,
      mismatched: row !== undefined && row.checksum !== checksum,
      unknown: false,
    };
  });
  const known = new Set(list.map((m) => m.id));
  for (const row of history.values()) {
    if (known.has(row.id)) continue;
    entries.push({
      id: row.id,
      checksum: row.checksum,
      appliedAt: row.appliedAt,
      pending: false,
      mismatched: false,
      unknown: true,
    });
  }
  return entries;
}

/**
 * What stands between the database and this code: pending migrations, and applied ones whose
 * checksum changed. Both empty means up to date. Read-only.
 *
 * @example
 * const { pending, mismatched } = await checkMigrations(db)
 * if (pending.length || mismatched.length) throw new Error('run `portcullis migrate up` first')
 */
export async function checkMigrations(
  // biome-ignore lint/suspicious/noExplicitAny: any schema: Portcullis names its tables at run time
  db: Kysely<any>,
  options: MigrationOptions = {},
): Promise<MigrationCheck> {
  const { dialect, tablePrefix, list } = resolveOptions(db, options);
  return compare(list, await readHistory(db, dialect, tablePrefix));
}

function resolveOptions(db: AnyKysely, options: MigrationOptions) {
  const list = [...(options.migrations ?? builtInMigrations)];
  const ids = new Set<string>();
  for (const migration of list) {
    if (ids.has(migration.id)) throw new Error(`duplicate migration id ${migration.id}`);
    ids.add(migration.id);
  }
  return {
    dialect: options.dialect ?? detectDialect(db),
    tablePrefix: resolveTablePrefix(options.tablePrefix),
    list,
  };
}

function compare(list: readonly Migration[], history: Map<string, HistoryRow>): MigrationCheck {
  const known = new Set(list.map((m) => m.id));
  return {
    pending: list.filter((m) => !history.has(m.id)).map((m) => m.id),
    mismatched: list
      .filter((m) => {
        const row = history.get(m.id);
        return row !== undefined && row.checksum !== migrationChecksum(m);
      })
      .map((m) => m.id),
    unknown: [...history.keys()].filter((id) => !known.has(id)),
  };
}

async function createHistoryTable(db: AnyKysely, dialect: SqlDialect, tablePrefix: string): Promise<void> {
  let builder = db.schema
    .createTable(`${tablePrefix}migrations`)
    .ifNotExists()
    .addColumn('id', 'varchar(255)', (col) => col.primaryKey())
    .addColumn('checksum', 'varchar(64)', (col) => col.notNull())
    .addColumn('applied_at', sql.raw(sqlType(dialect, 'timestamp')), (col) => col.notNull());
  if (dialect === 'mysql') {
    builder = builder.modifyEnd(sql`engine = InnoDB default charset = utf8mb4 collate = utf8mb4_bin`);
  }
  await builder.execute();
}

async function readHistory(
  db: AnyKysely,
  dialect: SqlDialect,
  tablePrefix: string,
): Promise<Map<string, HistoryRow>> {
  const table = `${tablePrefix}migrations`;
  const history = new Map<string, HistoryRow>();
  if (!(await tableExists(db, dialect, table))) return history;
  const codec = createColumnCodec(dialect);
  const rows = await db.selectFrom(table).select(['id', 'checksum', 'applied_at']).orderBy('id').execute();
  for (const row of rows) {
    history.set(row.id, { id: row.id, checksum: row.checksum, appliedAt: codec.fromDate(row.applied_at) });
  }
  return history;
}

async function tableExists(db: AnyKysely, dialect: SqlDialect, table: string): Promise<boolean> {
  const query =
    dialect === 'postgres'
      ? sql<{
          n: unknown;
        }>`select count(*) as n from pg_catalog.pg_tables where schemaname = current_schema() and tablename = ${table}`
      : dialect === 'mysql'
        ? sql<{
            n: unknown;
          }>`select count(*) as n from information_schema.tables where table_schema = database() and table_name = ${table}`
        : sql<{
            n: unknown;
          }>`select count(*) as n from sqlite_master where type = 'table' and name = ${table}`;
  const { rows } = await query.execute(db);
  return Number(rows[0]?.n) > 0;
}
