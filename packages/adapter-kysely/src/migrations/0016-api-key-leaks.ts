import { sql } from 'kysely';
import type { AddedColumn } from './0008-audit-prev-hash.js';
import type { Migration } from './migration.js';
import { sqlType } from './table-spec.js';

/**
 * When a secret scanner (GitHub's partner program) first reported an API key as leaked. Nullable,
 * no default: existing keys were never reported. It is what makes a repeated report change
 * nothing (set only while null) and what shows a key that was flagged rather than revoked.
 */
export const apiKeyLeakColumns: AddedColumn[] = [
  { table: 'api_keys', column: { name: 'leak_reported_at', type: 'timestamp', nullable: true } },
];

export const migration0016ApiKeyLeaks: Migration = {
  id: '0016_api_key_leaks',
  definition: JSON.stringify(apiKeyLeakColumns),
  async up({ db, dialect, tablePrefix }) {
    for (const { table, column } of apiKeyLeakColumns) {
      await db.schema
        .alterTable(tablePrefix + table)
        .addColumn(column.name, sql.raw(sqlType(dialect, column.type)))
        .execute();
    }
  },
  async down({ db, tablePrefix }) {
    for (const { table, column } of apiKeyLeakColumns) {
      await db.schema
        .alterTable(tablePrefix + table)
        .dropColumn(column.name)
        .execute();
    }
  },
};
