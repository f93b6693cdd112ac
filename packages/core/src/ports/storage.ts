import type { ApiKeyStore } from '../api-keys/api-key-store.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { AuthorizationVersionStore } from '../authorization/authorization-version-store.js';
import type { PolicyStore } from '../authorization/policy-store.js';
import type { RoleStore } from '../authorization/role-store.js';
import type { ClientStore } from '../clients/client-store.js';
import type { OAuthAccountStore } from '../credentials/oauth/oauth-account-store.js';
import type { PasskeyStore } from '../credentials/passkeys/passkey-store.js';
import type { PasswordStore } from '../credentials/passwords/password-store.js';
import type { MfaStore } from '../credentials/totp/mfa-store.js';
import type { OneTimeTokenStore } from '../email-links/one-time-token-store.js';
import type { InvitationStore } from '../invitations/invitation-store.js';
import type { MembershipStore } from '../memberships/membership-store.js';
import type { OutboxStore } from '../outbox/outbox-store.js';
import type { CredentialFailureStore } from '../rate-limit/credential-failure-store.js';
import type { RateLimitOverrideStore } from '../rate-limit/rate-limit-override-store.js';
import type { SessionStore } from '../sessions/session-store.js';
import type { SignInStore } from '../sign-in/sign-in-store.js';
import type { TenantStore } from '../tenants/tenant-store.js';
import type { RefreshTokenStore } from '../tokens/refresh-token-store.js';
import type { RevokedAccessTokenStore } from '../tokens/revoked-access-token-store.js';
import type { SigningKeyStore } from '../tokens/signing-key-store.js';
import type { UserStore } from '../users/user-store.js';

/**
 * The domain-shaped stores. Each domain declares its slice in `<domain>/<domain>-store.ts`;
 * this interface only gathers them.
 */
export interface StorageStores {
  tenants: TenantStore;
  users: UserStore;
  passwords: PasswordStore;
  memberships: MembershipStore;
  roles: RoleStore;
  policies: PolicyStore;
  authorizationVersions: AuthorizationVersionStore;
  invitations: InvitationStore;
  sessions: SessionStore;
  audit: AuditStore;
  outbox: OutboxStore;
  oneTimeTokens: OneTimeTokenStore;
  mfa: MfaStore;
  credentialFailures: CredentialFailureStore;
  passkeys: PasskeyStore;
  oauthAccounts: OAuthAccountStore;
  signIn: SignInStore;
  signingKeys: SigningKeyStore;
  refreshTokens: RefreshTokenStore;
  clients: ClientStore;
  revokedAccessTokens: RevokedAccessTokenStore;
  apiKeys: ApiKeyStore;
  rateLimitOverrides: RateLimitOverrideStore;
}

/** What the database behind an adapter can do; core picks strategies from it. */
export interface StorageCapabilities {
  /** A short name for logs and errors: `postgres`, `mysql`, `sqlite`, `memory`... */
  dialect: string;
  /** `SELECT ... FOR UPDATE SKIP LOCKED` is available (outbox claims by many workers). */
  skipLocked: boolean;
}

/**
 * The storage port: what an adapter implements to hold Portcullis's data.
 *
 * Errors: an adapter may let driver errors through. Core wraps every adapter once and turns a
 * unique-constraint violation into `AuthError('conflict')` and a lost connection into
 * `AuthError('storage_unavailable')` (it recognizes PostgreSQL, MySQL/MariaDB and SQLite driver
 * errors); an adapter for another database throws those `AuthError`s itself.
 *
 * @example
 * const auth = createAuth({ storage: kyselyStorage(db), secret, baseURL })
 */
export interface Storage extends StorageStores {
  readonly capabilities: StorageCapabilities;
  /**
   * Runs `fn` in one database transaction: everything it writes through `tx` commits together,
   * or, when it throws, nothing does (the error is rethrown). Not re-entrant: inside `fn`, use
   * `tx` only, and await every call before `fn` returns. An adapter may hold back writes that
   * return nothing (`sessions.create`, `outbox.enqueue`, `audit.append`) until the transaction's
   * next other call or its end, so their rare failure (a duplicate random id) may surface there.
   */
  transaction<T>(fn: (tx: StorageStores) => Promise<T>): Promise<T>;
  /** Releases what the adapter opened itself (never a client the host app passed in). */
  close?(): Promise<void>;
}
