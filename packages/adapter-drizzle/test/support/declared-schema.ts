import type { DrizzleDialect } from '@portcullis/adapter-drizzle';
import { portcullisTables as mysqlTables } from '@portcullis/adapter-drizzle/mysql';
import { portcullisTables as pgTables } from '@portcullis/adapter-drizzle/pg';
import { portcullisTables as sqliteTables } from '@portcullis/adapter-drizzle/sqlite';
import { type Column, is, SQL } from 'drizzle-orm';
import { type MySqlTable, getTableConfig as mysqlConfig } from 'drizzle-orm/mysql-core';
import { type PgTable, getTableConfig as pgConfig } from 'drizzle-orm/pg-core';
import { type SQLiteTable, getTableConfig as sqliteConfig } from 'drizzle-orm/sqlite-core';
import { byName, canonicalAction, canonicalType, type TableShape } from './schema-shape.js';

/** What a set of Drizzle table objects of `dialect` declares, via drizzle-orm's getTableConfig. */
export function declaredSchema(dialect: DrizzleDialect, tables: Record<string, unknown>): TableShape[] {
  return byName(Object.values(tables).map((table) => declaredTable(dialect, table)));
}

/** The package's own tables for `dialect` and `prefix`. */
export function packageTables(dialect: DrizzleDialect, prefix: string): Record<string, unknown> {
  if (dialect === 'postgres') return pgTables(prefix);
  if (dialect === 'mysql') return mysqlTables(prefix);
  return sqliteTables(prefix);
}

/** The parts of getTableConfig's answer that every dialect shares. */
interface CommonConfig {
  name: string;
  columns: Column[];
  primaryKeys: { getName(): string; columns: Column[] }[];
  uniqueConstraints: { getName(): string | undefined; columns: Column[] }[];
  indexes: { config: { name: string; columns: unknown[]; unique: boolean } }[];
  foreignKeys: {
    getName(): string;
    onDelete?: string | undefined;
    onUpdate?: string | undefined;
    reference(): { columns: Column[]; foreignColumns: Column[]; foreignTable: unknown };
  }[];
}

function tableConfig(dialect: DrizzleDialect, table: unknown): CommonConfig {
  if (dialect === 'postgres') return pgConfig(table as PgTable) as unknown as CommonConfig;
  if (dialect === 'mysql') return mysqlConfig(table as MySqlTable) as unknown as CommonConfig;
  return sqliteConfig(table as SQLiteTable) as unknown as CommonConfig;
}

function declaredTable(dialect: DrizzleDialect, table: unknown): TableShape {
  const config = tableConfig(dialect, table);
  const names = (columns: Column[]) => columns.map((column) => column.name);
  if (config.primaryKeys.length !== 1) {
    throw new Error(`${config.name} declares ${config.primaryKeys.length} table primary keys, expected 1`);
  }
  const primaryKey = config.primaryKeys[0]!;
  return {
    name: config.name,
    columns: config.columns.map((column) => ({
      name: column.name,
      type: canonicalType(dialect, column.getSQLType()),
      nullable: !column.notNull,
      hasDefault: column.hasDefault,
    })),
    primaryKey: {
      name: dialect === 'mysql' ? null : primaryKey.getName(),
      columns: names(primaryKey.columns),
    },
    uniques: byName(
      config.uniqueConstraints.map((unique) => ({
        name: unique.getName() ?? '',
        columns: names(unique.columns),
      })),
    ),
    indexes: byName(
      config.indexes.map((index) => ({
        name: index.config.name,
        columns: index.config.columns.map((column) => {
          if (is(column, SQL)) throw new Error(`index ${index.config.name} has an expression`);
          return (column as Column).name;
        }),
        unique: index.config.unique,
      })),
    ),
    foreignKeys: byName(
      config.foreignKeys.map((fk) => {
        const reference = fk.reference();
        return {
          name: fk.getName(),
          columns: names(reference.columns),
          foreignTable: tableConfig(dialect, reference.foreignTable).name,
          foreignColumns: names(reference.foreignColumns),
          onDelete: canonicalAction(dialect, fk.onDelete),
          onUpdate: canonicalAction(dialect, fk.onUpdate),
        };
      }),
    ),
  };
}
