import type { ColumnCodec } from '../column-codec.js';
import type { AnyKysely } from '../kysely-types.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { WriteBehind } from './deferred-write.js';

/** The prefixed names of the tables the stores use. */
export interface TableNames {
  tenants: string;
  users: string;
  passwords: string;
  memberships: string;
  roles: string;
  policies: string;
  authzVersions: string;
  invitations: string;
  sessions: string;
  auditChainHeads: string;
  auditEvents: string;
  outboxEvents: string;
  oneTimeTokens: string;
  totpCredentials: string;
  recoveryCodes: string;
  credentialFailures: string;
  passkeys: string;
  oauthAccounts: string;
  signingKeys: string;
  refreshTokens: string;
  clients: string;
  revokedAccessTokens: string;
  apiKeys: string;
  rateLimitOverrides: string;
}

export function tableNames(prefix: string): TableNames {
  return {
    tenants: `${prefix}tenants`,
    users: `${prefix}users`,
    passwords: `${prefix}passwords`,
    memberships: `${prefix}memberships`,
    roles: `${prefix}roles`,
    policies: `${prefix}policies`,
    authzVersions: `${prefix}authz_versions`,
    invitations: `${prefix}invitations`,
    sessions: `${prefix}sessions`,
    auditChainHeads: `${prefix}audit_chain_heads`,
    auditEvents: `${prefix}audit_events`,
    outboxEvents: `${prefix}outbox_events`,
    oneTimeTokens: `${prefix}one_time_tokens`,
    totpCredentials: `${prefix}totp_credentials`,
    recoveryCodes: `${prefix}recovery_codes`,
    credentialFailures: `${prefix}credential_failures`,
    passkeys: `${prefix}passkeys`,
    oauthAccounts: `${prefix}oauth_accounts`,
    signingKeys: `${prefix}signing_keys`,
    refreshTokens: `${prefix}refresh_tokens`,
    clients: `${prefix}clients`,
    revokedAccessTokens: `${prefix}revoked_access_tokens`,
    apiKeys: `${prefix}api_keys`,
    rateLimitOverrides: `${prefix}rate_limit_overrides`,
  };
}

/** What every store needs: where to run (the database or a transaction) and how to encode. */
export interface StoreContext {
  db: AnyKysely;
  dialect: SqlDialect;
  codec: ColumnCodec;
  tables: TableNames;
  /** Whether the server has `FOR UPDATE SKIP LOCKED`; may be refined after connecting. */
  capabilities: { skipLocked: boolean };
  /** Inside a PostgreSQL transaction: where the stores hold back their blind writes. */
  writeBehind?: WriteBehind;
}

/** Runs `fn` in the context's transaction, or opens one when the context has none. */
export function inTransaction<T>(ctx: StoreContext, fn: (ctx: StoreContext) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return fn(ctx);
  return ctx.db.transaction().execute((trx) => fn({ ...ctx, db: trx }));
}
