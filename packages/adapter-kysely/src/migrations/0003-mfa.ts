import type { Migration } from './migration.js';
import { createTablesFromSpec, dropTableFromSpec, type TableSpec } from './table-spec.js';

/**
 * Second factors: one TOTP authenticator per user (secret sealed, the last used time step for
 * replay protection) and recovery codes (SHA-256 only, single use). New tables only.
 */
export const mfaTables: TableSpec[] = [
  {
    name: 'totp_credentials',
    columns: [
      { name: 'user_id', type: 'id' },
      { name: 'secret_sealed', type: 'varchar(255)' },
      { name: 'confirmed_at', type: 'timestamp', nullable: true },
      // 30-second steps since 1970: integer until the year 3991
      { name: 'last_used_step', type: 'integer', nullable: true },
      { name: 'created_at', type: 'timestamp' },
      { name: 'updated_at', type: 'timestamp' },
    ],
    primaryKey: ['user_id'],
    foreignKeys: [
      {
        name: 'totp_credentials_user_fk',
        columns: ['user_id'],
        references: { table: 'users', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
  {
    name: 'recovery_codes',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'user_id', type: 'id' },
      { name: 'code_hash', type: 'varchar(128)' },
      { name: 'used_at', type: 'timestamp', nullable: true },
      { name: 'created_at', type: 'timestamp' },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'recovery_codes_user_hash_uq', columns: ['user_id', 'code_hash'] }],
    foreignKeys: [
      {
        name: 'recovery_codes_user_fk',
        columns: ['user_id'],
        references: { table: 'users', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
];

export const migration0003Mfa: Migration = {
  id: '0003_mfa',
  definition: JSON.stringify(mfaTables),
  async up({ db, dialect, tablePrefix }) {
    await createTablesFromSpec(db, dialect, tablePrefix, mfaTables);
  },
  async down({ db, tablePrefix }) {
    for (const table of [...mfaTables].reverse()) await dropTableFromSpec(db, tablePrefix, table);
  },
};
