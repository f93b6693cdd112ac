import { type AlterTableBuilder, type AlterTableColumnAlteringBuilder, sql } from 'kysely';
import type { AddedColumn } from './0008-audit-prev-hash.js';
import type { Migration, MigrationContext } from './migration.js';
import { type ColumnSpec, sqlType } from './table-spec.js';

/**
 * The refill of an API key's credits (`credits_remaining`, from 0013): the amount it is refilled
 * to, the calendar period (`day`, `week` or `month`, in UTC) and when the count was last set, so
 * that spending a credit can refill it first, once per period, in the same conditional UPDATE.
 * All nullable: existing keys have no quota, hence no refill.
 */
export const apiKeyCreditColumns: AddedColumn[] = [
  { table: 'api_keys', column: { name: 'credit_refill_amount', type: 'integer', nullable: true } },
  { table: 'api_keys', column: { name: 'credit_refill_interval', type: 'varchar(8)', nullable: true } },
  { table: 'api_keys', column: { name: 'credits_refilled_at', type: 'timestamp', nullable: true } },
];

export const migration0014ApiKeyCredits: Migration = {
  id: '0014_api_key_credits',
  definition: JSON.stringify(apiKeyCreditColumns),
  async up(context) {
    await alterApiKeys(context, (table, column) =>
      table.addColumn(column.name, sql.raw(sqlType(context.dialect, column.type))),
    );
  },
  async down(context) {
    await alterApiKeys(context, (table, column) => table.dropColumn(column.name));
  },
};

/**
 * One ALTER TABLE for every column (MySQL cannot roll DDL back: a failure leaves none half
 * added), except on SQLite, which alters one column per statement (inside the migration's
 * transaction there).
 */
async function alterApiKeys(
  { db, dialect, tablePrefix }: MigrationContext,
  alter: (
    table: AlterTableBuilder | AlterTableColumnAlteringBuilder,
    column: ColumnSpec,
  ) => AlterTableColumnAlteringBuilder,
): Promise<void> {
  const groups = dialect === 'sqlite' ? apiKeyCreditColumns.map((c) => [c]) : [apiKeyCreditColumns];
  for (const group of groups) {
    let statement: AlterTableColumnAlteringBuilder | undefined;
    for (const { column } of group)
      statement = alter(statement ?? db.schema.alterTable(`${tablePrefix}api_keys`), column);
    await statement?.execute();
  }
}
