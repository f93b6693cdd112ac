import { sql } from 'kysely';
import type { AnyKysely } from '../kysely-types.js';
import type { SqlDialect } from '../sql-dialect.js';

/**
 * Portable column types. Each maps to one SQL type per dialect (see {@link sqlType}); the
 * Drizzle adapter maps the same names.
 *
 * | type        | PostgreSQL       | MySQL / MariaDB | SQLite        |
 * |-------------|------------------|-----------------|---------------|
 * | id          | varchar(36)      | varchar(36)     | varchar(36)   |
 * | varchar(n)  | varchar(n)       | varchar(n)      | varchar(n)    |
 * | text        | text             | text            | text          |
 * | json        | text             | mediumtext      | text          |
 * | timestamp   | timestamptz(3)   | datetime(3) UTC | integer (ms)  |
 * | integer     | integer          | integer         | integer       |
 * | bigint      | bigint           | bigint          | bigint        |
 */
export type ColumnType = 'id' | `varchar(${number})` | 'text' | 'json' | 'timestamp' | 'integer' | 'bigint';

/**
 * A column: `NOT NULL` unless `nullable`. No defaults (the adapter always writes every column),
 * except on a column a later migration adds to a table that may have rows: they get this one.
 */
export interface ColumnSpec {
  name: string;
  type: ColumnType;
  nullable?: boolean;
  defaultValue?: string;
}

/** A foreign key, named without the prefix like everything else in a {@link TableSpec}. */
export interface ForeignKeySpec {
  name: string;
  columns: string[];
  references: { table: string; columns: string[] };
  onDelete: 'cascade' | 'restrict';
}

/** A table, declared once for every dialect. Table and index names get the prefix. */
export interface TableSpec {
  name: string;
  columns: ColumnSpec[];
  primaryKey: string[];
  uniques?: { name: string; columns: string[] }[];
  indexes?: { name: string; columns: string[] }[];
  foreignKeys?: ForeignKeySpec[];
}

/** The SQL type a portable column type becomes on `dialect` (see {@link ColumnType}). */
export function sqlType(dialect: SqlDialect, type: ColumnType): string {
  switch (type) {
    case 'id':
      return 'varchar(36)';
    case 'json':
      return dialect === 'mysql' ? 'mediumtext' : 'text';
    case 'timestamp':
      return dialect === 'postgres' ? 'timestamptz(3)' : dialect === 'mysql' ? 'datetime(3)' : 'integer';
    default:
      return type;
  }
}

/**
 * Creates the table with its primary key, unique constraints and foreign keys inline, then
 * its plain indexes. MySQL tables use `utf8mb4_bin` so keys compare byte-wise as on the other
 * databases (the server default `*_ci` collations would make `Admin` and `admin` collide).
 */
export async function createTableFromSpec(
  db: AnyKysely,
  dialect: SqlDialect,
  prefix: string,
  table: TableSpec,
  onTableCreated?: () => void,
): Promise<void> {
  let builder = db.schema.createTable(prefix + table.name);
  for (const column of table.columns) {
    builder = builder.addColumn(column.name, sql.raw(sqlType(dialect, column.type)), (col) =>
      column.nullable ? col : col.notNull(),
    );
  }
  builder = builder.addPrimaryKeyConstraint(`${prefix}${table.name}_pk`, table.primaryKey as never[]);
  for (const unique of table.uniques ?? []) {
    builder = builder.addUniqueConstraint(prefix + unique.name, unique.columns as never[]);
  }
  for (const fk of table.foreignKeys ?? []) {
    builder = builder.addForeignKeyConstraint(
      prefix + fk.name,
      fk.columns as never[],
      prefix + fk.references.table,
      fk.references.columns,
      (cb) => cb.onDelete(fk.onDelete),
    );
  }
  if (dialect === 'mysql') {
    builder = builder.modifyEnd(sql`engine = InnoDB default charset = utf8mb4 collate = utf8mb4_bin`);
  }
  await builder.execute();
  onTableCreated?.();
  for (const index of table.indexes ?? []) {
    await db.schema
      .createIndex(prefix + index.name)
      .on(prefix + table.name)
      .columns(index.columns)
      .execute();
  }
}

/**
 * Creates the tables in order. MySQL commits every DDL statement, so when one fails the tables
 * this call already created are dropped again: a fixed rerun then starts clean. (Elsewhere the
 * enclosing transaction undoes them.)
 */
export async function createTablesFromSpec(
  db: AnyKysely,
  dialect: SqlDialect,
  prefix: string,
  tables: readonly TableSpec[],
): Promise<void> {
  const created: TableSpec[] = [];
  try {
    for (const table of tables) {
      await createTableFromSpec(db, dialect, prefix, table, () => created.push(table));
    }
  } catch (error) {
    if (dialect === 'mysql') {
      for (const table of created.reverse()) await dropTableFromSpec(db, prefix, table);
    }
    throw error;
  }
}

export async function dropTableFromSpec(db: AnyKysely, prefix: string, table: TableSpec): Promise<void> {
  await db.schema
    .dropTable(prefix + table.name)
    .ifExists()
    .execute();
}
