import { sql } from 'kysely';
import type { Migration } from './migration.js';
import { type ColumnSpec, sqlType, type TableSpec } from './table-spec.js';

/** A column a migration adds to a table an earlier one created. */
export interface AddedColumn {
  table: string;
  column: ColumnSpec;
}

/**
 * The head of each audit chain also keeps the hash before its last entry (the last entry's
 * `prev_hash`). PostgreSQL then claims a chain position, seals the entry and inserts it in one
 * statement: an upsert's `RETURNING` shows only the new row, so the old hash has to be in it.
 * Existing heads get theirs from their last entry.
 */
export const auditHeadPrevHashColumns: AddedColumn[] = [
  { table: 'audit_chain_heads', column: { name: 'prev_hash', type: 'varchar(128)', defaultValue: '' } },
];

export const migration0008AuditPrevHash: Migration = {
  id: '0008_audit_prev_hash',
  definition: JSON.stringify(auditHeadPrevHashColumns),
  async up({ db, dialect, tablePrefix }) {
    const heads = `${tablePrefix}audit_chain_heads`;
    const events = `${tablePrefix}audit_events`;
    for (const { table, column } of auditHeadPrevHashColumns) {
      await db.schema
        .alterTable(tablePrefix + table)
        .addColumn(column.name, sql.raw(sqlType(dialect, column.type)), (col) =>
          col.notNull().defaultTo(column.defaultValue ?? ''),
        )
        .execute();
    }
    await sql`update ${sql.table(heads)} set prev_hash = coalesce((
      select e.prev_hash from ${sql.table(events)} e
      where e.chain_key = ${sql.table(heads)}.chain_key and e.seq = ${sql.table(heads)}.seq
    ), '')`.execute(db);
  },
  async down({ db, tablePrefix }) {
    for (const { table, column } of auditHeadPrevHashColumns) {
      await db.schema
        .alterTable(tablePrefix + table)
        .dropColumn(column.name)
        .execute();
    }
  },
};

/** `tables` with the columns later migrations added to them. */
export function withAddedColumns(tables: readonly TableSpec[], added: readonly AddedColumn[]): TableSpec[] {
  return tables.map((table) => {
    const columns = added.filter((a) => a.table === table.name).map((a) => a.column);
    return columns.length ? { ...table, columns: [...table.columns, ...columns] } : table;
  });
}
