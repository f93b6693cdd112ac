import type { Migration } from './migration.js';
import { createTablesFromSpec, dropTableFromSpec, type TableSpec } from './table-spec.js';

/**
 * Passkeys (WebAuthn credentials), several per user. Credential ids can be 1.4 KB of base64url,
 * more than MySQL can put in a unique index, so the unique lookup key is their SHA-256. The
 * signature counter is a bigint: authenticators count in 32 bits unsigned. New table only.
 */
export const passkeyTables: TableSpec[] = [
  {
    name: 'passkeys',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'user_id', type: 'id' },
      { name: 'credential_id', type: 'varchar(1400)' },
      { name: 'credential_id_hash', type: 'varchar(64)' },
      { name: 'public_key', type: 'text' },
      { name: 'counter', type: 'bigint' },
      { name: 'transports', type: 'json' },
      { name: 'device_type', type: 'varchar(32)' },
      // 0 or 1: the portable column types have no boolean
      { name: 'backed_up', type: 'integer' },
      { name: 'aaguid', type: 'varchar(36)' },
      { name: 'name', type: 'varchar(100)' },
      { name: 'created_at', type: 'timestamp' },
      { name: 'last_used_at', type: 'timestamp', nullable: true },
      { name: 'updated_at', type: 'timestamp' },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'passkeys_credential_id_hash_uq', columns: ['credential_id_hash'] }],
    indexes: [{ name: 'passkeys_user_idx', columns: ['user_id'] }],
    foreignKeys: [
      {
        name: 'passkeys_user_fk',
        columns: ['user_id'],
        references: { table: 'users', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
];

export const migration0005Passkeys: Migration = {
  id: '0005_passkeys',
  definition: JSON.stringify(passkeyTables),
  async up({ db, dialect, tablePrefix }) {
    await createTablesFromSpec(db, dialect, tablePrefix, passkeyTables);
  },
  async down({ db, tablePrefix }) {
    for (const table of [...passkeyTables].reverse()) await dropTableFromSpec(db, tablePrefix, table);
  },
};
