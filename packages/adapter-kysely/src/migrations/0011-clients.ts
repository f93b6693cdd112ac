import type { Migration } from './migration.js';
import { createTablesFromSpec, dropTableFromSpec, type TableSpec } from './table-spec.js';

/**
 * M2M clients (OAuth 2.0 client credentials), one tenant and one environment each. Secrets are
 * kept as SHA-256 hex (64 characters), the current one and, during a rotation's overlap, the
 * previous one with its expiry. Deleted clients stay (status `deleted`, hashes cleared) so an id
 * is never reused. New table only.
 */
export const clientTables: TableSpec[] = [
  {
    name: 'clients',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'tenant_id', type: 'id' },
      { name: 'environment', type: 'varchar(16)' },
      { name: 'name', type: 'varchar(255)' },
      { name: 'auth_method', type: 'varchar(32)' },
      { name: 'secret_hash', type: 'varchar(64)', nullable: true },
      { name: 'secret_created_at', type: 'timestamp', nullable: true },
      { name: 'secret_last_used_at', type: 'timestamp', nullable: true },
      { name: 'previous_secret_hash', type: 'varchar(64)', nullable: true },
      { name: 'previous_secret_expires_at', type: 'timestamp', nullable: true },
      { name: 'previous_secret_last_used_at', type: 'timestamp', nullable: true },
      { name: 'jwks', type: 'json', nullable: true },
      { name: 'allowed_scopes', type: 'json' },
      { name: 'status', type: 'varchar(16)' },
      { name: 'created_by', type: 'id', nullable: true },
      { name: 'created_at', type: 'timestamp' },
      { name: 'updated_at', type: 'timestamp' },
      { name: 'last_used_at', type: 'timestamp', nullable: true },
    ],
    primaryKey: ['id'],
    // the tenant's list, by id
    indexes: [{ name: 'clients_tenant_idx', columns: ['tenant_id', 'id'] }],
    foreignKeys: [
      {
        name: 'clients_tenant_fk',
        columns: ['tenant_id'],
        references: { table: 'tenants', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
];

export const migration0011Clients: Migration = {
  id: '0011_clients',
  definition: JSON.stringify(clientTables),
  async up({ db, dialect, tablePrefix }) {
    await createTablesFromSpec(db, dialect, tablePrefix, clientTables);
  },
  async down({ db, tablePrefix }) {
    for (const table of [...clientTables].reverse()) await dropTableFromSpec(db, tablePrefix, table);
  },
};
