import type { Migration } from './migration.js';
import { createTablesFromSpec, dropTableFromSpec, type TableSpec } from './table-spec.js';

/**
 * Accounts at OAuth/OIDC providers (social login), unique by (provider, subject): one person at
 * one provider belongs to at most one user. No provider tokens are stored. New table only.
 */
export const oauthAccountTables: TableSpec[] = [
  {
    name: 'oauth_accounts',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'user_id', type: 'id' },
      { name: 'provider', type: 'varchar(64)' },
      // OIDC allows 255 ASCII characters for `sub`
      { name: 'subject', type: 'varchar(255)' },
      { name: 'email', type: 'varchar(320)', nullable: true },
      { name: 'created_at', type: 'timestamp' },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'oauth_accounts_provider_subject_uq', columns: ['provider', 'subject'] }],
    indexes: [{ name: 'oauth_accounts_user_idx', columns: ['user_id'] }],
    foreignKeys: [
      {
        name: 'oauth_accounts_user_fk',
        columns: ['user_id'],
        references: { table: 'users', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
];

export const migration0006OAuthAccounts: Migration = {
  id: '0006_oauth_accounts',
  definition: JSON.stringify(oauthAccountTables),
  async up({ db, dialect, tablePrefix }) {
    await createTablesFromSpec(db, dialect, tablePrefix, oauthAccountTables);
  },
  async down({ db, tablePrefix }) {
    for (const table of [...oauthAccountTables].reverse()) await dropTableFromSpec(db, tablePrefix, table);
  },
};
