import type { Migration } from './migration.js';
import { createTablesFromSpec, dropTableFromSpec, type TableSpec } from './table-spec.js';

/**
 * The first schema. Times are UTC; JSON columns hold text JSON; ids are UUIDv7 strings.
 * Users' emails are unique per pool: `pool_key` is the tenant id for isolated pools and `*` for
 * the shared one, so the unique index works on every database (NULLs never collide).
 */
export const initialTables: TableSpec[] = [
  {
    name: 'tenants',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'slug', type: 'varchar(255)' },
      { name: 'name', type: 'varchar(255)' },
      { name: 'status', type: 'varchar(16)' },
      { name: 'user_pool', type: 'varchar(16)' },
      { name: 'metadata', type: 'json' },
      { name: 'created_at', type: 'timestamp' },
      { name: 'updated_at', type: 'timestamp' },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'tenants_slug_uq', columns: ['slug'] }],
  },
  {
    name: 'users',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'tenant_id', type: 'id', nullable: true },
      { name: 'pool_key', type: 'varchar(36)' },
      { name: 'email', type: 'varchar(320)' },
      { name: 'email_normalized', type: 'varchar(320)' },
      { name: 'email_verified_at', type: 'timestamp', nullable: true },
      { name: 'name', type: 'varchar(255)', nullable: true },
      { name: 'status', type: 'varchar(16)' },
      { name: 'created_at', type: 'timestamp' },
      { name: 'updated_at', type: 'timestamp' },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'users_pool_email_uq', columns: ['pool_key', 'email_normalized'] }],
    indexes: [{ name: 'users_tenant_idx', columns: ['tenant_id'] }],
    foreignKeys: [
      {
        name: 'users_tenant_fk',
        columns: ['tenant_id'],
        references: { table: 'tenants', columns: ['id'] },
        onDelete: 'restrict',
      },
    ],
  },
  {
    name: 'passwords',
    columns: [
      { name: 'user_id', type: 'id' },
      { name: 'hash', type: 'varchar(255)' },
      { name: 'created_at', type: 'timestamp' },
      { name: 'updated_at', type: 'timestamp' },
    ],
    primaryKey: ['user_id'],
    foreignKeys: [
      {
        name: 'passwords_user_fk',
        columns: ['user_id'],
        references: { table: 'users', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
  {
    name: 'memberships',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'tenant_id', type: 'id' },
      { name: 'user_id', type: 'id' },
      { name: 'roles', type: 'json' },
      { name: 'attributes', type: 'json' },
      { name: 'created_at', type: 'timestamp' },
      { name: 'updated_at', type: 'timestamp' },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'memberships_tenant_user_uq', columns: ['tenant_id', 'user_id'] }],
    indexes: [{ name: 'memberships_user_idx', columns: ['user_id'] }],
    foreignKeys: [
      {
        name: 'memberships_tenant_fk',
        columns: ['tenant_id'],
        references: { table: 'tenants', columns: ['id'] },
        onDelete: 'cascade',
      },
      {
        name: 'memberships_user_fk',
        columns: ['user_id'],
        references: { table: 'users', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
  {
    name: 'roles',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'tenant_id', type: 'id' },
      { name: 'key', type: 'varchar(128)' },
      { name: 'name', type: 'varchar(255)' },
      { name: 'permissions', type: 'json' },
      { name: 'version', type: 'integer' },
      { name: 'created_at', type: 'timestamp' },
      { name: 'updated_at', type: 'timestamp' },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'roles_tenant_key_uq', columns: ['tenant_id', 'key'] }],
    foreignKeys: [
      {
        name: 'roles_tenant_fk',
        columns: ['tenant_id'],
        references: { table: 'tenants', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
  {
    name: 'sessions',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'user_id', type: 'id' },
      { name: 'tenant_id', type: 'id', nullable: true },
      { name: 'token_hash', type: 'varchar(128)' },
      { name: 'created_at', type: 'timestamp' },
      { name: 'last_seen_at', type: 'timestamp' },
      { name: 'idle_expires_at', type: 'timestamp' },
      { name: 'expires_at', type: 'timestamp' },
      { name: 'revoked_at', type: 'timestamp', nullable: true },
      { name: 'revoked_reason', type: 'varchar(255)', nullable: true },
      { name: 'ip', type: 'varchar(64)', nullable: true },
      { name: 'user_agent', type: 'text', nullable: true },
      { name: 'amr', type: 'json' },
      { name: 'auth_time', type: 'json' },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'sessions_token_hash_uq', columns: ['token_hash'] }],
    indexes: [
      { name: 'sessions_user_idx', columns: ['user_id'] },
      // suspending a tenant revokes its sessions: without it, that UPDATE scans (and on InnoDB
      // locks) every session of the install
      { name: 'sessions_tenant_idx', columns: ['tenant_id'] },
    ],
    foreignKeys: [
      {
        name: 'sessions_user_fk',
        columns: ['user_id'],
        references: { table: 'users', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  },
  {
    name: 'audit_chain_heads',
    columns: [
      { name: 'chain_key', type: 'varchar(64)' },
      { name: 'seq', type: 'bigint' },
      { name: 'hash', type: 'varchar(128)' },
    ],
    primaryKey: ['chain_key'],
  },
  {
    name: 'audit_events',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'tenant_id', type: 'id', nullable: true },
      { name: 'chain_key', type: 'varchar(64)' },
      { name: 'seq', type: 'bigint' },
      { name: 'actor_type', type: 'varchar(16)' },
      { name: 'actor_id', type: 'varchar(255)', nullable: true },
      { name: 'impersonator_id', type: 'varchar(255)', nullable: true },
      { name: 'action', type: 'varchar(128)' },
      { name: 'target_type', type: 'varchar(64)', nullable: true },
      { name: 'target_id', type: 'varchar(255)', nullable: true },
      { name: 'ip', type: 'varchar(64)', nullable: true },
      { name: 'user_agent', type: 'text', nullable: true },
      { name: 'request_id', type: 'varchar(128)', nullable: true },
      { name: 'data', type: 'json' },
      { name: 'created_at', type: 'timestamp' },
      { name: 'prev_hash', type: 'varchar(128)' },
      { name: 'hash', type: 'varchar(128)' },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'audit_events_chain_seq_uq', columns: ['chain_key', 'seq'] }],
    indexes: [{ name: 'audit_events_chain_action_idx', columns: ['chain_key', 'action', 'seq'] }],
  },
  {
    name: 'outbox_events',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'tenant_id', type: 'id', nullable: true },
      { name: 'type', type: 'varchar(128)' },
      { name: 'payload', type: 'json' },
      { name: 'status', type: 'varchar(16)' },
      { name: 'attempts', type: 'integer' },
      { name: 'created_at', type: 'timestamp' },
      { name: 'available_at', type: 'timestamp' },
      { name: 'locked_until', type: 'timestamp', nullable: true },
      { name: 'last_error', type: 'text', nullable: true },
      { name: 'delivered_at', type: 'timestamp', nullable: true },
    ],
    primaryKey: ['id'],
    indexes: [{ name: 'outbox_events_status_created_idx', columns: ['status', 'created_at'] }],
  },
];

export const migration0001Initial: Migration = {
  id: '0001_initial',
  definition: JSON.stringify(initialTables),
  async up({ db, dialect, tablePrefix }) {
    await createTablesFromSpec(db, dialect, tablePrefix, initialTables);
  },
  async down({ db, tablePrefix }) {
    for (const table of [...initialTables].reverse()) await dropTableFromSpec(db, tablePrefix, table);
  },
};
