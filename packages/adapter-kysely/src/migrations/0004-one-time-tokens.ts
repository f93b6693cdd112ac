import type { Migration } from './migration.js';
import { createTablesFromSpec, dropTableFromSpec, type TableSpec } from './table-spec.js';

/**
 * One-time tokens sent by email: verification, password reset and magic links. Only the SHA-256
 * of each token is stored; `used_at` is set once, by the one conditional UPDATE that wins.
 */
export const oneTimeTokenTables: TableSpec[] = [
  {
    name: 'one_time_tokens',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'user_id', type: 'id' },
      { name: 'purpose', type: 'varchar(32)' },
      { name: 'token_hash', type: 'varchar(128)' },
      { name: 'email', type: 'varchar(320)' },
      { name: 'redirect_to', type: 'varchar(2048)', nullable: true },
      { name: 'expires_at', type: 'timestamp' },
      { name: 'used_at', type: 'timestamp', nullable: true },
      { name: 'created_at', type: 'timestamp' },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'one_time_tokens_token_hash_uq', columns: ['token_hash'] }],
    indexes: [{ name: 'one_time_tokens_user_idx', columns: ['user_id', 'purpose'] }],
    foreignKeys: [
      {
        name: 'one_time_tokens_user_fk',
        columns: ['user_id'],
        references: { table: 'users', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
];

export const migration0004OneTimeTokens: Migration = {
  id: '0004_one_time_tokens',
  definition: JSON.stringify(oneTimeTokenTables),
  async up({ db, dialect, tablePrefix }) {
    await createTablesFromSpec(db, dialect, tablePrefix, oneTimeTokenTables);
  },
  async down({ db, tablePrefix }) {
    for (const table of [...oneTimeTokenTables].reverse()) await dropTableFromSpec(db, tablePrefix, table);
  },
};
