import type { Migration } from './migration.js';
import { createTablesFromSpec, dropTableFromSpec, type TableSpec } from './table-spec.js';

/**
 * The durable side of the lockout: consecutive credential failures per typed account, so a
 * flushed or restarted key-value store forgets no lock and no delay. Keyed by an HMAC of the
 * account identifier (64 hex characters): no email is stored, and accounts that do not exist
 * have records exactly like those that do. No foreign key, for that reason.
 */
export const credentialFailureTables: TableSpec[] = [
  {
    name: 'credential_failures',
    columns: [
      { name: 'account_key', type: 'varchar(64)' },
      { name: 'failed_count', type: 'integer' },
      { name: 'last_failed_at', type: 'timestamp' },
    ],
    primaryKey: ['account_key'],
    // the sweep of lapsed records
    indexes: [{ name: 'credential_failures_last_failed_idx', columns: ['last_failed_at'] }],
  },
];

export const migration0007CredentialFailures: Migration = {
  id: '0007_credential_failures',
  definition: JSON.stringify(credentialFailureTables),
  async up({ db, dialect, tablePrefix }) {
    await createTablesFromSpec(db, dialect, tablePrefix, credentialFailureTables);
  },
  async down({ db, tablePrefix }) {
    for (const table of [...credentialFailureTables].reverse())
      await dropTableFromSpec(db, tablePrefix, table);
  },
};
