import type { Migration } from './migration.js';
import { createTablesFromSpec, dropTableFromSpec, type TableSpec } from './table-spec.js';

/**
 * API keys, one tenant and one environment each, owned by the tenant (`owner_user_id` null) or
 * a user. The key is kept only as an HMAC-SHA256 (hex, 64 characters) under a versioned pepper,
 * unique so that verification is one indexed lookup; its first characters and last four are kept
 * for display. Revoked keys stay (an id is never reused). `rate_limit_policies` and
 * `credits_remaining` are for per-key limits and quotas (null: none). New table only.
 */
export const apiKeyTables: TableSpec[] = [
  {
    name: 'api_keys',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'tenant_id', type: 'id' },
      { name: 'environment', type: 'varchar(16)' },
      { name: 'owner_user_id', type: 'id', nullable: true },
      { name: 'name', type: 'varchar(255)' },
      { name: 'key_hash', type: 'varchar(64)' },
      { name: 'pepper_version', type: 'integer' },
      { name: 'start', type: 'varchar(32)' },
      { name: 'last_four', type: 'varchar(4)' },
      { name: 'permissions', type: 'json' },
      { name: 'constraints', type: 'json', nullable: true },
      { name: 'expires_at', type: 'timestamp', nullable: true },
      { name: 'status', type: 'varchar(16)' },
      { name: 'revoked_at', type: 'timestamp', nullable: true },
      { name: 'revoked_reason', type: 'varchar(32)', nullable: true },
      { name: 'predecessor_id', type: 'id', nullable: true },
      { name: 'successor_id', type: 'id', nullable: true },
      { name: 'overlap_ends_at', type: 'timestamp', nullable: true },
      { name: 'created_by', type: 'id', nullable: true },
      { name: 'created_at', type: 'timestamp' },
      { name: 'updated_at', type: 'timestamp' },
      { name: 'last_used_at', type: 'timestamp', nullable: true },
      { name: 'rate_limit_policies', type: 'json', nullable: true },
      { name: 'credits_remaining', type: 'bigint', nullable: true },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'api_keys_key_hash_key', columns: ['key_hash'] }],
    indexes: [
      // the tenant's list, by id
      { name: 'api_keys_tenant_idx', columns: ['tenant_id', 'id'] },
      // revoking a user's keys when they leave a tenant or are suspended
      { name: 'api_keys_owner_idx', columns: ['owner_user_id', 'tenant_id'] },
    ],
    foreignKeys: [
      {
        name: 'api_keys_tenant_fk',
        columns: ['tenant_id'],
        references: { table: 'tenants', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
];

export const migration0013ApiKeys: Migration = {
  id: '0013_api_keys',
  definition: JSON.stringify(apiKeyTables),
  async up({ db, dialect, tablePrefix }) {
    await createTablesFromSpec(db, dialect, tablePrefix, apiKeyTables);
  },
  async down({ db, tablePrefix }) {
    for (const table of [...apiKeyTables].reverse()) await dropTableFromSpec(db, tablePrefix, table);
  },
};
