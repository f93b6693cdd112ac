import { CompiledQuery } from 'kysely';
import type { AnyKysely } from '../kysely-types.js';
import type { SqlDialect } from '../sql-dialect.js';

/** Insert statements by dialect, table and column list: a handful of shapes, each built once. */
const insertStatements = new Map<string, string>();

/**
 * Inserts one row (its keys are the column names) with SQL text made once per table and column
 * list instead of by the query builder, whose building and compiling cost more than SQLite's
 * insert itself: sessions, outbox events and audit entries are inserted on every sign-in. Table
 * and column names come from code and the validated table prefix; every value is a parameter.
 */
export async function insertRow(
  ctx: { db: AnyKysely; dialect: SqlDialect },
  table: string,
  row: Record<string, unknown>,
): Promise<void> {
  const columns = Object.keys(row);
  const key = `${ctx.dialect}\u0000${table}\u0000${columns.join('\u0000')}`;
  let statement = insertStatements.get(key);
  if (statement === undefined) {
    statement = insertStatement(ctx.dialect, table, columns);
    insertStatements.set(key, statement);
  }
  await ctx.db.executeQuery(CompiledQuery.raw(statement, Object.values(row)));
}

/**
 * `insert into <table> (<columns>) values (<placeholders>)`; on PostgreSQL the placeholders are
 * numbered from `firstParameter` (a write-behind CTE binds after the statement's earlier ones).
 */
export function insertStatement(
  dialect: SqlDialect,
  table: string,
  columns: readonly string[],
  firstParameter = 1,
): string {
  const quote = identifierQuoter(dialect);
  const placeholders = columns.map((_, i) => (dialect === 'postgres' ? `$${firstParameter + i}` : '?'));
  return `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values (${placeholders.join(', ')})`;
}

/** Quotes a name known to be safe (from code or the validated prefix) for the dialect. */
export function identifierQuoter(dialect: SqlDialect): (name: string) => string {
  return dialect === 'mysql' ? (name) => `\`${name}\`` : (name) => `"${name}"`;
}
