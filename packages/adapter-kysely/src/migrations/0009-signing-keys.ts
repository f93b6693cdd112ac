import type { Migration } from './migration.js';
import { createTablesFromSpec, dropTableFromSpec, type TableSpec } from './table-spec.js';

/**
 * Signing keys for access tokens, per issuer (the install's; an isolated tenant's later, hence
 * `tenant_id`, with no foreign key so the install's keys need no tenant). `slot` is
 * `<algorithm>:active` or `<algorithm>:next` while the key holds that state and null after: the
 * unique (issuer, slot) index makes at most one active and one next key per issuer and
 * algorithm on every database (NULLs never collide), which is what lets concurrent first uses
 * race safely. The issuer is at most 255 characters, so the index fits MySQL's 3072 bytes. The
 * kid is a base64url SHA-256 thumbprint (43 characters). New table only.
 */
export const signingKeyTables: TableSpec[] = [
  {
    name: 'signing_keys',
    columns: [
      { name: 'id', type: 'varchar(64)' },
      { name: 'issuer', type: 'varchar(255)' },
      { name: 'tenant_id', type: 'id', nullable: true },
      { name: 'algorithm', type: 'varchar(16)' },
      { name: 'state', type: 'varchar(16)' },
      { name: 'slot', type: 'varchar(32)', nullable: true },
      { name: 'public_jwk', type: 'text' },
      { name: 'wrapped_private_key', type: 'text' },
      { name: 'kek_version', type: 'varchar(32)' },
      { name: 'created_at', type: 'timestamp' },
      { name: 'activated_at', type: 'timestamp', nullable: true },
      { name: 'retired_at', type: 'timestamp', nullable: true },
      { name: 'revoked_at', type: 'timestamp', nullable: true },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'signing_keys_issuer_slot_uq', columns: ['issuer', 'slot'] }],
    indexes: [{ name: 'signing_keys_issuer_idx', columns: ['issuer', 'created_at'] }],
  },
];

export const migration0009SigningKeys: Migration = {
  id: '0009_signing_keys',
  definition: JSON.stringify(signingKeyTables),
  async up({ db, dialect, tablePrefix }) {
    await createTablesFromSpec(db, dialect, tablePrefix, signingKeyTables);
  },
  async down({ db, tablePrefix }) {
    for (const table of [...signingKeyTables].reverse()) await dropTableFromSpec(db, tablePrefix, table);
  },
};
