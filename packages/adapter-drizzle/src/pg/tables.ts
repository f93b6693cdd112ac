import type {
  ActorType,
  InvitationStatus,
  OneTimeTokenPurpose,
  OutboxStatus,
  StoredPolicy,
  TenantStatus,
  UserPool,
  UserStatus,
} from '@portcullis/core/ports';
import {
  bigint,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  unique,
  varchar,
} from 'drizzle-orm/pg-core';
import { resolveTablePrefix } from '../table-prefix.js';
import { jsonText, utcTimestamp } from './column-types.js';

/** A UUIDv7 string: `varchar(36)`. */
function id(name: string) {
  return varchar(name, { length: 36 });
}

/**
 * Portcullis's tables for PostgreSQL, named with `prefix`: column for column, key for key and
 * index for index the schema that the Kysely migrations (`portcullis migrate`) create, which is
 * the source of truth (a test compares both on a migrated database).
 *
 * @param prefix the table prefix the migrations ran with (default `pc_`)
 * @example
 * // schema.ts of an app whose Portcullis tables are prefixed `auth_`
 * import { portcullisTables } from '@portcullis/adapter-drizzle/pg'
 * export const { tenants: authTenants, users: authUsers, ...rest } = portcullisTables('auth_')
 */
export function portcullisTables(prefix: string = 'pc_') {
  const p = resolveTablePrefix(prefix);

  const tenants = pgTable(
    `${p}tenants`,
    {
      id: id('id').notNull(),
      slug: varchar('slug', { length: 255 }).notNull(),
      name: varchar('name', { length: 255 }).notNull(),
      status: varchar('status', { length: 16 }).$type<TenantStatus>().notNull(),
      userPool: varchar('user_pool', { length: 16 }).$type<UserPool>().notNull(),
      metadata: jsonText<Record<string, unknown>>('metadata').notNull(),
      createdAt: utcTimestamp('created_at').notNull(),
      updatedAt: utcTimestamp('updated_at').notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}tenants_pk`, columns: [t.id] }),
      unique(`${p}tenants_slug_uq`).on(t.slug),
    ],
  );

  const users = pgTable(
    `${p}users`,
    {
      id: id('id').notNull(),
      tenantId: id('tenant_id'),
      /** The tenant id for isolated pools, `*` for the shared pool: emails are unique per pool. */
      poolKey: varchar('pool_key', { length: 36 }).notNull(),
      email: varchar('email', { length: 320 }).notNull(),
      emailNormalized: varchar('email_normalized', { length: 320 }).notNull(),
      emailVerifiedAt: utcTimestamp('email_verified_at'),
      name: varchar('name', { length: 255 }),
      status: varchar('status', { length: 16 }).$type<UserStatus>().notNull(),
      createdAt: utcTimestamp('created_at').notNull(),
      updatedAt: utcTimestamp('updated_at').notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}users_pk`, columns: [t.id] }),
      unique(`${p}users_pool_email_uq`).on(t.poolKey, t.emailNormalized),
      index(`${p}users_tenant_idx`).on(t.tenantId),
      foreignKey({
        name: `${p}users_tenant_fk`,
        columns: [t.tenantId],
        foreignColumns: [tenants.id],
      }).onDelete('restrict'),
    ],
  );

  const passwords = pgTable(
    `${p}passwords`,
    {
      userId: id('user_id').notNull(),
      hash: varchar('hash', { length: 255 }).notNull(),
      createdAt: utcTimestamp('created_at').notNull(),
      updatedAt: utcTimestamp('updated_at').notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}passwords_pk`, columns: [t.userId] }),
      foreignKey({ name: `${p}passwords_user_fk`, columns: [t.userId], foreignColumns: [users.id] }).onDelete(
        'cascade',
      ),
    ],
  );

  const memberships = pgTable(
    `${p}memberships`,
    {
      id: id('id').notNull(),
      tenantId: id('tenant_id').notNull(),
      userId: id('user_id').notNull(),
      roles: jsonText<string[]>('roles').notNull(),
      attributes: jsonText<Record<string, unknown>>('attributes').notNull(),
      createdAt: utcTimestamp('created_at').notNull(),
      updatedAt: utcTimestamp('updated_at').notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}memberships_pk`, columns: [t.id] }),
      unique(`${p}memberships_tenant_user_uq`).on(t.tenantId, t.userId),
      index(`${p}memberships_user_idx`).on(t.userId),
      foreignKey({
        name: `${p}memberships_tenant_fk`,
        columns: [t.tenantId],
        foreignColumns: [tenants.id],
      }).onDelete('cascade'),
      foreignKey({
        name: `${p}memberships_user_fk`,
        columns: [t.userId],
        foreignColumns: [users.id],
      }).onDelete('cascade'),
    ],
  );

  const roles = pgTable(
    `${p}roles`,
    {
      id: id('id').notNull(),
      tenantId: id('tenant_id').notNull(),
      key: varchar('key', { length: 128 }).notNull(),
      name: varchar('name', { length: 255 }).notNull(),
      permissions: jsonText<string[]>('permissions').notNull(),
      version: integer('version').notNull(),
      createdAt: utcTimestamp('created_at').notNull(),
      updatedAt: utcTimestamp('updated_at').notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}roles_pk`, columns: [t.id] }),
      unique(`${p}roles_tenant_key_uq`).on(t.tenantId, t.key),
      foreignKey({
        name: `${p}roles_tenant_fk`,
        columns: [t.tenantId],
        foreignColumns: [tenants.id],
      }).onDelete('cascade'),
    ],
  );

  const sessions = pgTable(
    `${p}sessions`,
    {
      id: id('id').notNull(),
      userId: id('user_id').notNull(),
      tenantId: id('tenant_id'),
      /** SHA-256 of the session token; the token itself is never stored. */
      tokenHash: varchar('token_hash', { length: 128 }).notNull(),
      createdAt: utcTimestamp('created_at').notNull(),
      lastSeenAt: utcTimestamp('last_seen_at').notNull(),
      idleExpiresAt: utcTimestamp('idle_expires_at').notNull(),
      expiresAt: utcTimestamp('expires_at').notNull(),
      revokedAt: utcTimestamp('revoked_at'),
      revokedReason: varchar('revoked_reason', { length: 255 }),
      ip: varchar('ip', { length: 64 }),
      userAgent: text('user_agent'),
      amr: jsonText<string[]>('amr').notNull(),
      authTime: jsonText<Record<string, number>>('auth_time').notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}sessions_pk`, columns: [t.id] }),
      unique(`${p}sessions_token_hash_uq`).on(t.tokenHash),
      index(`${p}sessions_user_idx`).on(t.userId),
      index(`${p}sessions_tenant_idx`).on(t.tenantId),
      foreignKey({ name: `${p}sessions_user_fk`, columns: [t.userId], foreignColumns: [users.id] }).onDelete(
        'cascade',
      ),
    ],
  );

  const auditChainHeads = pgTable(
    `${p}audit_chain_heads`,
    {
      chainKey: varchar('chain_key', { length: 64 }).notNull(),
      seq: bigint('seq', { mode: 'number' }).notNull(),
      hash: varchar('hash', { length: 128 }).notNull(),
      prevHash: varchar('prev_hash', { length: 128 }).notNull().default(''),
    },
    (t) => [primaryKey({ name: `${p}audit_chain_heads_pk`, columns: [t.chainKey] })],
  );

  const auditEvents = pgTable(
    `${p}audit_events`,
    {
      id: id('id').notNull(),
      tenantId: id('tenant_id'),
      chainKey: varchar('chain_key', { length: 64 }).notNull(),
      seq: bigint('seq', { mode: 'number' }).notNull(),
      actorType: varchar('actor_type', { length: 16 }).$type<ActorType>().notNull(),
      actorId: varchar('actor_id', { length: 255 }),
      impersonatorId: varchar('impersonator_id', { length: 255 }),
      action: varchar('action', { length: 128 }).notNull(),
      targetType: varchar('target_type', { length: 64 }),
      targetId: varchar('target_id', { length: 255 }),
      ip: varchar('ip', { length: 64 }),
      userAgent: text('user_agent'),
      requestId: varchar('request_id', { length: 128 }),
      data: jsonText<Record<string, unknown>>('data').notNull(),
      createdAt: utcTimestamp('created_at').notNull(),
      prevHash: varchar('prev_hash', { length: 128 }).notNull(),
      hash: varchar('hash', { length: 128 }).notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}audit_events_pk`, columns: [t.id] }),
      unique(`${p}audit_events_chain_seq_uq`).on(t.chainKey, t.seq),
      index(`${p}audit_events_chain_action_idx`).on(t.chainKey, t.action, t.seq),
    ],
  );

  const outboxEvents = pgTable(
    `${p}outbox_events`,
    {
      id: id('id').notNull(),
      tenantId: id('tenant_id'),
      type: varchar('type', { length: 128 }).notNull(),
      payload: jsonText<Record<string, unknown>>('payload').notNull(),
      status: varchar('status', { length: 16 }).$type<OutboxStatus>().notNull(),
      attempts: integer('attempts').notNull(),
      createdAt: utcTimestamp('created_at').notNull(),
      availableAt: utcTimestamp('available_at').notNull(),
      lockedUntil: utcTimestamp('locked_until'),
      lastError: text('last_error'),
      deliveredAt: utcTimestamp('delivered_at'),
    },
    (t) => [
      primaryKey({ name: `${p}outbox_events_pk`, columns: [t.id] }),
      index(`${p}outbox_events_status_created_idx`).on(t.status, t.createdAt),
    ],
  );

  const policies = pgTable(
    `${p}policies`,
    {
      id: id('id').notNull(),
      tenantId: id('tenant_id').notNull(),
      effect: varchar('effect', { length: 16 }).$type<StoredPolicy['effect']>().notNull(),
      actions: jsonText<string[]>('actions').notNull(),
      resource: varchar('resource', { length: 128 }).notNull(),
      /** The policy's condition as JSON text; null when it has none. */
      conditionJson: jsonText<NonNullable<StoredPolicy['condition']>>('condition_json'),
      description: text('description'),
      version: integer('version').notNull(),
      createdAt: utcTimestamp('created_at').notNull(),
      updatedAt: utcTimestamp('updated_at').notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}policies_pk`, columns: [t.id] }),
      index(`${p}policies_tenant_idx`).on(t.tenantId),
      foreignKey({
        name: `${p}policies_tenant_fk`,
        columns: [t.tenantId],
        foreignColumns: [tenants.id],
      }).onDelete('cascade'),
    ],
  );

  /** Per-tenant counters that key authorization caches (one row per tenant, created on first bump). */
  const authzVersions = pgTable(
    `${p}authz_versions`,
    {
      tenantId: id('tenant_id').notNull(),
      rolesVersion: bigint('roles_version', { mode: 'number' }).notNull(),
      policiesVersion: bigint('policies_version', { mode: 'number' }).notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}authz_versions_pk`, columns: [t.tenantId] }),
      foreignKey({
        name: `${p}authz_versions_tenant_fk`,
        columns: [t.tenantId],
        foreignColumns: [tenants.id],
      }).onDelete('cascade'),
    ],
  );

  const invitations = pgTable(
    `${p}invitations`,
    {
      id: id('id').notNull(),
      tenantId: id('tenant_id').notNull(),
      email: varchar('email', { length: 320 }),
      roles: jsonText<string[]>('roles').notNull(),
      /** SHA-256 of the invitation token; the token itself is never stored. */
      tokenHash: varchar('token_hash', { length: 128 }).notNull(),
      // before `uses`: Drizzle orders SET by column, and MySQL evaluates it left to right
      status: varchar('status', { length: 16 }).$type<InvitationStatus>().notNull(),
      maxUses: integer('max_uses').notNull(),
      uses: integer('uses').notNull(),
      expiresAt: utcTimestamp('expires_at').notNull(),
      createdBy: id('created_by'),
      createdAt: utcTimestamp('created_at').notNull(),
      updatedAt: utcTimestamp('updated_at').notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}invitations_pk`, columns: [t.id] }),
      unique(`${p}invitations_token_hash_uq`).on(t.tokenHash),
      index(`${p}invitations_tenant_idx`).on(t.tenantId),
      foreignKey({
        name: `${p}invitations_tenant_fk`,
        columns: [t.tenantId],
        foreignColumns: [tenants.id],
      }).onDelete('cascade'),
    ],
  );

  const oneTimeTokens = pgTable(
    `${p}one_time_tokens`,
    {
      id: id('id').notNull(),
      userId: id('user_id').notNull(),
      purpose: varchar('purpose', { length: 32 }).$type<OneTimeTokenPurpose>().notNull(),
      /** SHA-256 of the emailed token; the token itself is never stored. */
      tokenHash: varchar('token_hash', { length: 128 }).notNull(),
      email: varchar('email', { length: 320 }).notNull(),
      redirectTo: varchar('redirect_to', { length: 2048 }),
      expiresAt: utcTimestamp('expires_at').notNull(),
      usedAt: utcTimestamp('used_at'),
      createdAt: utcTimestamp('created_at').notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}one_time_tokens_pk`, columns: [t.id] }),
      unique(`${p}one_time_tokens_token_hash_uq`).on(t.tokenHash),
      index(`${p}one_time_tokens_user_idx`).on(t.userId, t.purpose),
      foreignKey({
        name: `${p}one_time_tokens_user_fk`,
        columns: [t.userId],
        foreignColumns: [users.id],
      }).onDelete('cascade'),
    ],
  );

  const totpCredentials = pgTable(
    `${p}totp_credentials`,
    {
      userId: id('user_id').notNull(),
      secretSealed: varchar('secret_sealed', { length: 255 }).notNull(),
      confirmedAt: utcTimestamp('confirmed_at'),
      lastUsedStep: integer('last_used_step'),
      createdAt: utcTimestamp('created_at').notNull(),
      updatedAt: utcTimestamp('updated_at').notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}totp_credentials_pk`, columns: [t.userId] }),
      foreignKey({
        name: `${p}totp_credentials_user_fk`,
        columns: [t.userId],
        foreignColumns: [users.id],
      }).onDelete('cascade'),
    ],
  );

  const recoveryCodes = pgTable(
    `${p}recovery_codes`,
    {
      id: id('id').notNull(),
      userId: id('user_id').notNull(),
      codeHash: varchar('code_hash', { length: 128 }).notNull(),
      usedAt: utcTimestamp('used_at'),
      createdAt: utcTimestamp('created_at').notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}recovery_codes_pk`, columns: [t.id] }),
      unique(`${p}recovery_codes_user_hash_uq`).on(t.userId, t.codeHash),
      foreignKey({
        name: `${p}recovery_codes_user_fk`,
        columns: [t.userId],
        foreignColumns: [users.id],
      }).onDelete('cascade'),
    ],
  );

  const passkeys = pgTable(
    `${p}passkeys`,
    {
      id: id('id').notNull(),
      userId: id('user_id').notNull(),
      credentialId: varchar('credential_id', { length: 1400 }).notNull(),
      /** SHA-256 of the credential id: the unique lookup key (ids are too long to index portably). */
      credentialIdHash: varchar('credential_id_hash', { length: 64 }).notNull(),
      publicKey: text('public_key').notNull(),
      counter: bigint('counter', { mode: 'number' }).notNull(),
      transports: jsonText<string[]>('transports').notNull(),
      deviceType: varchar('device_type', { length: 32 }).$type<'singleDevice' | 'multiDevice'>().notNull(),
      /** 0 or 1. */
      backedUp: integer('backed_up').notNull(),
      aaguid: varchar('aaguid', { length: 36 }).notNull(),
      name: varchar('name', { length: 100 }).notNull(),
      createdAt: utcTimestamp('created_at').notNull(),
      lastUsedAt: utcTimestamp('last_used_at'),
      updatedAt: utcTimestamp('updated_at').notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}passkeys_pk`, columns: [t.id] }),
      unique(`${p}passkeys_credential_id_hash_uq`).on(t.credentialIdHash),
      index(`${p}passkeys_user_idx`).on(t.userId),
      foreignKey({
        name: `${p}passkeys_user_fk`,
        columns: [t.userId],
        foreignColumns: [users.id],
      }).onDelete('cascade'),
    ],
  );

  const oauthAccounts = pgTable(
    `${p}oauth_accounts`,
    {
      id: id('id').notNull(),
      userId: id('user_id').notNull(),
      provider: varchar('provider', { length: 64 }).notNull(),
      subject: varchar('subject', { length: 255 }).notNull(),
      email: varchar('email', { length: 320 }),
      createdAt: utcTimestamp('created_at').notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}oauth_accounts_pk`, columns: [t.id] }),
      unique(`${p}oauth_accounts_provider_subject_uq`).on(t.provider, t.subject),
      index(`${p}oauth_accounts_user_idx`).on(t.userId),
      foreignKey({
        name: `${p}oauth_accounts_user_fk`,
        columns: [t.userId],
        foreignColumns: [users.id],
      }).onDelete('cascade'),
    ],
  );

  /** Consecutive credential failures per typed account, keyed by an HMAC of it (no email stored). */
  const credentialFailures = pgTable(
    `${p}credential_failures`,
    {
      accountKey: varchar('account_key', { length: 64 }).notNull(),
      failedCount: integer('failed_count').notNull(),
      lastFailedAt: utcTimestamp('last_failed_at').notNull(),
    },
    (t) => [
      primaryKey({ name: `${p}credential_failures_pk`, columns: [t.accountKey] }),
      index(`${p}credential_failures_last_failed_idx`).on(t.lastFailedAt),
    ],
  );

  return {
    tenants,
    users,
    passwords,
    memberships,
    roles,
    policies,
    authzVersions,
    invitations,
    sessions,
    auditChainHeads,
    auditEvents,
    outboxEvents,
    oneTimeTokens,
    totpCredentials,
    recoveryCodes,
    credentialFailures,
    passkeys,
    oauthAccounts,
  };
}

/** The PostgreSQL tables of one prefix, as {@link portcullisTables} returns them. */
export type PortcullisPgTables = ReturnType<typeof portcullisTables>;
