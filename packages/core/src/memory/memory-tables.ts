import type { ApiKey } from '../api-keys/api-keys.js';
import type { AuditEvent } from '../audit/audit.js';
import type { AuthorizationVersions } from '../authorization/authorization-version-store.js';
import type { StoredPolicy } from '../authorization/policy-store.js';
import type { Role } from '../authorization/roles.js';
import type { Client } from '../clients/clients.js';
import type { OAuthAccount } from '../credentials/oauth/oauth.js';
import type { Passkey } from '../credentials/passkeys/passkeys.js';
import type { RecoveryCode, TotpCredential } from '../credentials/totp/mfa.js';
import type { OneTimeToken } from '../email-links/one-time-tokens.js';
import { AuthError } from '../errors.js';
import type { Invitation } from '../invitations/invitations.js';
import type { Membership } from '../memberships/memberships.js';
import type { OutboxEvent } from '../outbox/outbox.js';
import type { Page, PageRequest } from '../ports/pagination.js';
import type { CredentialFailures } from '../rate-limit/credential-failure-store.js';
import type { StoredRateLimitOverride } from '../rate-limit/rate-limit-overrides.js';
import type { Session } from '../sessions/sessions.js';
import type { Tenant } from '../tenants/tenants.js';
import type { RefreshToken } from '../tokens/refresh-token-store.js';
import type { RevokedAccessToken } from '../tokens/revoked-access-token-store.js';
import type { SigningKey } from '../tokens/signing-key-store.js';
import { type User, userPoolKey } from '../users/users.js';

export interface PasswordRow {
  hash: string;
  updatedAt: Date;
}

/**
 * The rows of a memory storage and the unique indexes a database would enforce. Rows are never
 * changed in place: an update stores a new object, so an undo entry can hold the old one.
 */
export interface MemoryTables {
  tenants: Map<string, Tenant>;
  /** slug → tenant id */
  tenantIdBySlug: Map<string, string>;
  users: Map<string, User>;
  /** `userEmailKey(tenantId, normalizedEmail)` → user id */
  userIdByEmail: Map<string, string>;
  /** user id → password */
  passwords: Map<string, PasswordRow>;
  memberships: Map<string, Membership>;
  /** `pairKey(tenantId, userId)` → membership id */
  membershipIdByTenantUser: Map<string, string>;
  roles: Map<string, Role>;
  /** `pairKey(tenantId, key)` → role id */
  roleIdByTenantKey: Map<string, string>;
  policies: Map<string, StoredPolicy>;
  /** tenant id → versions */
  authorizationVersions: Map<string, AuthorizationVersions>;
  invitations: Map<string, Invitation>;
  /** token hash → invitation id */
  invitationIdByTokenHash: Map<string, string>;
  sessions: Map<string, Session>;
  /** token hash → session id */
  sessionIdByTokenHash: Map<string, string>;
  /** chain key → entries in `seq` order (seq n at index n - 1) */
  auditChains: Map<string, AuditEvent[]>;
  /** audit event id → chain key, for the primary key */
  auditChainById: Map<string, string>;
  outbox: Map<string, OutboxEvent>;
  oneTimeTokens: Map<string, OneTimeToken>;
  /** token hash → one-time token id */
  oneTimeTokenIdByTokenHash: Map<string, string>;
  /** user id → TOTP authenticator */
  totp: Map<string, TotpCredential>;
  /** recovery code id → code */
  recoveryCodes: Map<string, RecoveryCode>;
  /** failure key → the account's consecutive credential failures */
  credentialFailures: Map<string, CredentialFailures>;
  passkeys: Map<string, Passkey>;
  signingKeys: Map<string, SigningKey>;
  /** credential id hash → passkey id */
  passkeyIdByCredentialHash: Map<string, string>;
  oauthAccounts: Map<string, OAuthAccount>;
  /** `pairKey(provider, subject)` → OAuth account id */
  oauthAccountIdByProviderSubject: Map<string, string>;
  refreshTokens: Map<string, RefreshToken>;
  /** token hash → refresh token id */
  refreshTokenIdByTokenHash: Map<string, string>;
  clients: Map<string, Client>;
  /** jti → revocation */
  revokedAccessTokens: Map<string, RevokedAccessToken>;
  apiKeys: Map<string, ApiKey>;
  /** key hash → API key id */
  apiKeyIdByHash: Map<string, string>;
  rateLimitOverrides: Map<string, StoredRateLimitOverride>;
  /** `overrideKey(tenantId, apiKeyId, policy)` → rate-limit override id */
  rateLimitOverrideIdByScope: Map<string, string>;
}

export function createMemoryTables(): MemoryTables {
  return {
    tenants: new Map(),
    tenantIdBySlug: new Map(),
    users: new Map(),
    userIdByEmail: new Map(),
    passwords: new Map(),
    memberships: new Map(),
    membershipIdByTenantUser: new Map(),
    roles: new Map(),
    roleIdByTenantKey: new Map(),
    policies: new Map(),
    authorizationVersions: new Map(),
    invitations: new Map(),
    invitationIdByTokenHash: new Map(),
    sessions: new Map(),
    sessionIdByTokenHash: new Map(),
    auditChains: new Map(),
    auditChainById: new Map(),
    outbox: new Map(),
    oneTimeTokens: new Map(),
    oneTimeTokenIdByTokenHash: new Map(),
    totp: new Map(),
    recoveryCodes: new Map(),
    credentialFailures: new Map(),
    passkeys: new Map(),
    signingKeys: new Map(),
    passkeyIdByCredentialHash: new Map(),
    oauthAccounts: new Map(),
    oauthAccountIdByProviderSubject: new Map(),
    refreshTokens: new Map(),
    refreshTokenIdByTokenHash: new Map(),
    clients: new Map(),
    revokedAccessTokens: new Map(),
    apiKeys: new Map(),
    apiKeyIdByHash: new Map(),
    rateLimitOverrides: new Map(),
    rateLimitOverrideIdByScope: new Map(),
  };
}

/** Joins two keys with a separator that cannot occur in ids, slugs or emails. */
export function pairKey(a: string, b: string): string {
  return `${a}\u0000${b}`;
}

/** The unique key of a user's email: its pool (tenant id or the shared pool) and normalized email. */
export function userEmailKey(tenantId: string | null, normalizedEmail: string): string {
  return pairKey(userPoolKey(tenantId), normalizedEmail);
}

/**
 * Every write to the tables goes through a writer. Inside a transaction it records how to undo
 * each write, so a rollback restores exactly what the transaction changed (in O(writes), not
 * O(rows) as a snapshot of every map would).
 */
export class TableWriter {
  readonly #undo: (() => void)[] | undefined;

  /** `journaled`: keep an undo log (inside a transaction). */
  constructor(journaled: boolean) {
    this.#undo = journaled ? [] : undefined;
  }

  set<K, V>(map: Map<K, V>, key: K, value: V): void {
    if (this.#undo) {
      const existed = map.has(key);
      const previous = map.get(key);
      this.#undo.push(() => (existed ? map.set(key, previous as V) : map.delete(key)));
    }
    map.set(key, value);
  }

  delete<K, V>(map: Map<K, V>, key: K): void {
    if (this.#undo && map.has(key)) {
      const previous = map.get(key) as V;
      this.#undo.push(() => map.set(key, previous));
    }
    map.delete(key);
  }

  push<T>(array: T[], item: T): void {
    array.push(item);
    this.#undo?.push(() => array.pop());
  }

  /** Undoes every recorded write, newest first. */
  rollback(): void {
    const undo = this.#undo ?? [];
    while (undo.length > 0) undo.pop()!();
  }
}

// The conventions every `memory-*-store.ts` follows: each operation runs through `run`, writes go
// through the writer (so a transaction can undo them), callers get copies, and a unique violation
// throws `conflict` as the storage wrapper would.

/**
 * Runs one store operation. Operations are synchronous over the tables, so each one is atomic;
 * the runner decides when it may run (after open transactions) and makes it a Promise.
 */
export type RunOperation = <T>(operation: () => T) => Promise<T>;

/** The row when it belongs to the tenant: an id of another tenant's row finds nothing. */
export function ownedBy<T extends { tenantId: string | null }>(
  row: T | undefined,
  tenantId: string,
): T | undefined {
  return row && row.tenantId === tenantId ? row : undefined;
}

/** Keyset page over rows sorted by id: rows after the cursor, `nextCursor` only when more remain. */
export function paginate<T extends { id: string }, R>(
  sorted: T[],
  page: PageRequest,
  map: (row: T) => R,
): Page<R> {
  const after = page.cursor ? sorted.filter((row) => row.id > page.cursor!) : sorted;
  const items = after.slice(0, Math.max(0, page.limit));
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: last && after.length > items.length ? last.id : null };
}

/** The row an index points at, if any. */
export function lookup<T>(table: Map<string, T>, id: string | undefined): T | undefined {
  return id === undefined ? undefined : table.get(id);
}

/** Callers get copies: changing what a store returned must never change what it holds. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

export function copyOrNull<T>(value: T | undefined): T | null {
  return value === undefined ? null : copy(value);
}

/** Code-unit order, not the locale's: the same on every machine. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function byId(a: { id: string }, b: { id: string }): number {
  return compare(a.id, b.id);
}

/** A unique violation, shaped like the wrapper's: no detail for callers, the reason in `cause`. */
export function conflict(reason: string): AuthError {
  return new AuthError('conflict', { cause: new Error(reason) });
}
