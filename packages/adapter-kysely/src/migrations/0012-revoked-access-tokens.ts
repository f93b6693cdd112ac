import type { Migration } from './migration.js';
import { createTablesFromSpec, dropTableFromSpec, type TableSpec } from './table-spec.js';

/**
 * Access tokens revoked by their `jti` before their expiry (RFC 7009 revocation), kept in the
 * database so that verification, which reads the key-value store, can fall back to it while that
 * store is down or after it lost its entries. A row is useless after `expires_at`. New table only.
 */
export const revokedAccessTokenTables: TableSpec[] = [
  {
    name: 'revoked_access_tokens',
    columns: [
      { name: 'token_id', type: 'id' },
      { name: 'expires_at', type: 'timestamp' },
      { name: 'revoked_at', type: 'timestamp' },
    ],
    primaryKey: ['token_id'],
    indexes: [],
    foreignKeys: [],
  },
];

export const migration0012RevokedAccessTokens: Migration = {
  id: '0012_revoked_access_tokens',
  definition: JSON.stringify(revokedAccessTokenTables),
  async up({ db, dialect, tablePrefix }) {
    await createTablesFromSpec(db, dialect, tablePrefix, revokedAccessTokenTables);
  },
  async down({ db, tablePrefix }) {
    for (const table of [...revokedAccessTokenTables].reverse())
      await dropTableFromSpec(db, tablePrefix, table);
  },
};
