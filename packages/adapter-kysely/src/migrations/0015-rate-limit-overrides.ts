import type { Migration } from './migration.js';
import { createTablesFromSpec, dropTableFromSpec, type TableSpec } from './table-spec.js';

/**
 * Rate-limit overrides: a tenant's numbers for one policy, for one of its API keys or for the
 * whole tenant. `api_key_id` is `''` for a tenant-wide override rather than NULL: NULLs are
 * distinct in unique constraints on PostgreSQL, MySQL and SQLite alike, so with NULL two
 * tenant-wide rows of one policy could coexist and an upsert could not find the one to replace.
 * (So no foreign key to api_keys either; keys are never deleted, only revoked.) `burst` null
 * means `limit`. New table only.
 */
export const rateLimitOverrideTables: TableSpec[] = [
  {
    name: 'rate_limit_overrides',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'tenant_id', type: 'id' },
      { name: 'api_key_id', type: 'id' },
      { name: 'policy', type: 'varchar(64)' },
      { name: 'limit', type: 'integer' },
      { name: 'period_seconds', type: 'integer' },
      { name: 'burst', type: 'integer', nullable: true },
      { name: 'created_at', type: 'timestamp' },
      { name: 'updated_at', type: 'timestamp' },
    ],
    primaryKey: ['id'],
    // also the tenant's list: the cache reads a tenant's rows at once
    uniques: [{ name: 'rate_limit_overrides_scope_key', columns: ['tenant_id', 'api_key_id', 'policy'] }],
    foreignKeys: [
      {
        name: 'rate_limit_overrides_tenant_fk',
        columns: ['tenant_id'],
        references: { table: 'tenants', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
];

export const migration0015RateLimitOverrides: Migration = {
  id: '0015_rate_limit_overrides',
  definition: JSON.stringify(rateLimitOverrideTables),
  async up({ db, dialect, tablePrefix }) {
    await createTablesFromSpec(db, dialect, tablePrefix, rateLimitOverrideTables);
  },
  async down({ db, tablePrefix }) {
    for (const table of [...rateLimitOverrideTables].reverse())
      await dropTableFromSpec(db, tablePrefix, table);
  },
};
