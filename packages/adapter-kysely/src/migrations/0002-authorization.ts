import type { Migration } from './migration.js';
import { createTablesFromSpec, dropTableFromSpec, type TableSpec } from './table-spec.js';

/**
 * Tenant administration: stored ABAC policies, invitations and the per-tenant authorization
 * version counters that key the engine's caches. New tables only; 0001's tables are unchanged.
 */
export const authorizationTables: TableSpec[] = [
  {
    name: 'policies',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'tenant_id', type: 'id' },
      { name: 'effect', type: 'varchar(16)' },
      { name: 'actions', type: 'json' },
      { name: 'resource', type: 'varchar(128)' },
      // `condition` is a reserved word in MySQL
      { name: 'condition_json', type: 'json', nullable: true },
      { name: 'description', type: 'text', nullable: true },
      { name: 'version', type: 'integer' },
      { name: 'created_at', type: 'timestamp' },
      { name: 'updated_at', type: 'timestamp' },
    ],
    primaryKey: ['id'],
    indexes: [{ name: 'policies_tenant_idx', columns: ['tenant_id'] }],
    foreignKeys: [
      {
        name: 'policies_tenant_fk',
        columns: ['tenant_id'],
        references: { table: 'tenants', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
  {
    name: 'authz_versions',
    columns: [
      { name: 'tenant_id', type: 'id' },
      { name: 'roles_version', type: 'bigint' },
      { name: 'policies_version', type: 'bigint' },
    ],
    primaryKey: ['tenant_id'],
    foreignKeys: [
      {
        name: 'authz_versions_tenant_fk',
        columns: ['tenant_id'],
        references: { table: 'tenants', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
  {
    name: 'invitations',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'tenant_id', type: 'id' },
      { name: 'email', type: 'varchar(320)', nullable: true },
      { name: 'roles', type: 'json' },
      { name: 'token_hash', type: 'varchar(128)' },
      // before `uses`: MySQL evaluates SET assignments left to right, so consumeUse's status
      // CASE must be assigned first to read the old `uses` (Drizzle orders SET by column order)
      { name: 'status', type: 'varchar(16)' },
      { name: 'max_uses', type: 'integer' },
      { name: 'uses', type: 'integer' },
      { name: 'expires_at', type: 'timestamp' },
      { name: 'created_by', type: 'id', nullable: true },
      { name: 'created_at', type: 'timestamp' },
      { name: 'updated_at', type: 'timestamp' },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'invitations_token_hash_uq', columns: ['token_hash'] }],
    indexes: [{ name: 'invitations_tenant_idx', columns: ['tenant_id'] }],
    foreignKeys: [
      {
        name: 'invitations_tenant_fk',
        columns: ['tenant_id'],
        references: { table: 'tenants', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
];

export const migration0002Authorization: Migration = {
  id: '0002_authorization',
  definition: JSON.stringify(authorizationTables),
  async up({ db, dialect, tablePrefix }) {
    await createTablesFromSpec(db, dialect, tablePrefix, authorizationTables);
  },
  async down({ db, tablePrefix }) {
    for (const table of [...authorizationTables].reverse()) await dropTableFromSpec(db, tablePrefix, table);
  },
};
