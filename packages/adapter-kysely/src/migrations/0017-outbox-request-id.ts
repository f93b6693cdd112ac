import { sql } from 'kysely';
import type { AddedColumn } from './0008-audit-prev-hash.js';
import type { Migration } from './migration.js';
import { sqlType } from './table-spec.js';

/**
 * The id of the request that wrote an outbox event, as audit rows already carry it: an operator
 * follows one request from its log lines to its audit rows and the events it sent out. Nullable,
 * no default: events written before, or outside a request, have none.
 */
export const outboxRequestIdColumns: AddedColumn[] = [
  { table: 'outbox_events', column: { name: 'request_id', type: 'varchar(128)', nullable: true } },
];

export const migration0017OutboxRequestId: Migration = {
  id: '0017_outbox_request_id',
  definition: JSON.stringify(outboxRequestIdColumns),
  async up({ db, dialect, tablePrefix }) {
    for (const { table, column } of outboxRequestIdColumns) {
      await db.schema
        .alterTable(tablePrefix + table)
        .addColumn(column.name, sql.raw(sqlType(dialect, column.type)))
        .execute();
    }
  },
  async down({ db, tablePrefix }) {
    for (const { table, column } of outboxRequestIdColumns) {
      await db.schema
        .alterTable(tablePrefix + table)
        .dropColumn(column.name)
        .execute();
    }
  },
};
