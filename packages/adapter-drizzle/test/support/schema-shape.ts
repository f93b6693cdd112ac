import type { DrizzleDialect } from '@portcullis/adapter-drizzle';

/**
 * A table as both sides of the parity test describe it: what the migrated database holds, and
 * what the Drizzle table objects declare. Lists of keys and indexes are sorted by name; columns
 * keep their order.
 */
export interface TableShape {
  name: string;
  columns: ColumnShape[];
  /** `name` is null on MySQL, where every primary key is called `PRIMARY`. */
  primaryKey: { name: string | null; columns: string[] };
  uniques: KeyShape[];
  indexes: IndexShape[];
  foreignKeys: ForeignKeyShape[];
}

export interface ColumnShape {
  name: string;
  /** The SQL type, in {@link canonicalType}'s spelling. */
  type: string;
  nullable: boolean;
  hasDefault: boolean;
}

export interface KeyShape {
  name: string;
  columns: string[];
}

export interface IndexShape extends KeyShape {
  unique: boolean;
}

export interface ForeignKeyShape extends KeyShape {
  foreignTable: string;
  foreignColumns: string[];
  onDelete: string;
  onUpdate: string;
}

/**
 * One spelling per SQL type: PostgreSQL's catalog says `character varying(36)` and
 * `timestamp(3) with time zone` where Drizzle says `varchar(36)` and `timestamp (3) with time
 * zone`; MariaDB reports integer display widths (`int(11)`) that Drizzle leaves out.
 */
export function canonicalType(dialect: DrizzleDialect, type: string): string {
  let t = type.trim().toLowerCase().replace(/\s+/g, ' ').replace(/ \(/g, '(');
  if (dialect === 'postgres') t = t.replace(/^character varying/, 'varchar');
  if (dialect === 'mysql') t = t.replace(/^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)/, '$1');
  if (dialect === 'mysql') t = t.replace(/^integer\b/, 'int');
  return t;
}

/**
 * A referential action in lower case: `cascade`, `restrict`, `no action`... (unset means
 * `no action`). On InnoDB `NO ACTION` is `RESTRICT`, and MariaDB reports an unset action as
 * `RESTRICT`, so on MySQL both read `restrict`.
 */
export function canonicalAction(dialect: DrizzleDialect, action: string | null | undefined): string {
  const value = (action ?? 'no action').trim().toLowerCase();
  return dialect === 'mysql' && value === 'no action' ? 'restrict' : value;
}

export function byName<T extends { name: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
