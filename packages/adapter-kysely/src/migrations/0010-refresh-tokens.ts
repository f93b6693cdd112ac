import type { Migration } from './migration.js';
import { createTablesFromSpec, dropTableFromSpec, type TableSpec } from './table-spec.js';

/**
 * Refresh tokens (token mode for first-party clients), in families bound to a session. Only the
 * token's SHA-256 is stored; a successor handed out again within the grace window is derived,
 * never stored. A token row outlives its rotation (`rotated_at`, `replaced_by_id`): a rotated
 * token presented again is how reuse is told from a typo. New table only.
 */
export const refreshTokenTables: TableSpec[] = [
  {
    name: 'refresh_tokens',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'family_id', type: 'id' },
      { name: 'parent_id', type: 'id', nullable: true },
      { name: 'generation', type: 'integer' },
      { name: 'session_id', type: 'id' },
      { name: 'user_id', type: 'id' },
      { name: 'tenant_id', type: 'id', nullable: true },
      { name: 'client_id', type: 'varchar(255)' },
      { name: 'scope', type: 'text', nullable: true },
      { name: 'token_hash', type: 'varchar(64)' },
      { name: 'created_at', type: 'timestamp' },
      { name: 'expires_at', type: 'timestamp' },
      { name: 'rotated_at', type: 'timestamp', nullable: true },
      { name: 'replaced_by_id', type: 'id', nullable: true },
      { name: 'grace_replays', type: 'integer' },
      { name: 'revoked_at', type: 'timestamp', nullable: true },
      { name: 'revoked_reason', type: 'varchar(64)', nullable: true },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'refresh_tokens_token_hash_uq', columns: ['token_hash'] }],
    indexes: [
      // reuse revokes a family in one UPDATE
      { name: 'refresh_tokens_family_idx', columns: ['family_id'] },
      { name: 'refresh_tokens_session_idx', columns: ['session_id'] },
    ],
    foreignKeys: [
      {
        name: 'refresh_tokens_session_fk',
        columns: ['session_id'],
        references: { table: 'sessions', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
];

export const migration0010RefreshTokens: Migration = {
  id: '0010_refresh_tokens',
  definition: JSON.stringify(refreshTokenTables),
  async up({ db, dialect, tablePrefix }) {
    await createTablesFromSpec(db, dialect, tablePrefix, refreshTokenTables);
  },
  async down({ db, tablePrefix }) {
    for (const table of [...refreshTokenTables].reverse()) await dropTableFromSpec(db, tablePrefix, table);
  },
};
