// `@portcullis/core/ports`: what an adapter implements (the ports and the rows their stores
// read and write) and the adapter kit (what core shares so an adapter stores, batches and seals
// rows exactly as core expects). Adapters import nothing else from core, `/testing` aside.
// test/public-exports.test.ts pins this list: an addition is a promise to adapter authors.

export type { ApiKeyLimitsChange, ApiKeyStore } from '../api-keys/api-key-store.js';
export type {
  ApiKey,
  ApiKeyCondition,
  ApiKeyCreditInterval,
  ApiKeyRevocationReason,
  ApiKeyStatus,
} from '../api-keys/api-keys.js';
export {
  type ActorType,
  type AuditChainHead,
  type AuditEvent,
  type AuditEventInput,
  auditChainKey,
  GLOBAL_AUDIT_CHAIN,
} from '../audit/audit.js';
export { type AuditSealParts, auditSealParts, sealAuditEvent } from '../audit/audit-chain.js';
export type { AuditQuery, AuditStore } from '../audit/audit-store.js';
export type { AuthorizationFilter } from '../authorization/authorization-filter.js';
export type {
  AuthorizationVersionStore,
  AuthorizationVersions,
} from '../authorization/authorization-version-store.js';
export type { PolicyReplacement, PolicyStore, StoredPolicy } from '../authorization/policy-store.js';
export type { RolePatch, RoleStore } from '../authorization/role-store.js';
export type { Role, RoleTemplate } from '../authorization/roles.js';
export {
  lowerAuthorizationFilter,
  type SqlComparison,
  type SqlFilterNode,
  type SqlFilterValue,
} from '../authorization/sql-filter.js';
export type { ClientStore } from '../clients/client-store.js';
export type {
  Client,
  ClientAuthMethod,
  ClientSecretSlot,
  ClientStatus,
  JsonWebKeyObject,
} from '../clients/clients.js';
export type { OAuthAccount, OAuthAccountWithUser } from '../credentials/oauth/oauth.js';
export type { OAuthAccountStore } from '../credentials/oauth/oauth-account-store.js';
export type { PasskeyStore } from '../credentials/passkeys/passkey-store.js';
export type { Passkey } from '../credentials/passkeys/passkeys.js';
export type { PasswordStore } from '../credentials/passwords/password-store.js';
export type { RecoveryCode, TotpCredential } from '../credentials/totp/mfa.js';
export type { MfaStore } from '../credentials/totp/mfa-store.js';
export { generateToken, sha256Hex } from '../crypto/random.js';
export { uuidv7 } from '../crypto/uuid.js';
export type { OneTimeTokenStore } from '../email-links/one-time-token-store.js';
export type { OneTimeToken, OneTimeTokenPurpose } from '../email-links/one-time-tokens.js';
export { AuthError, type AuthErrorCode, isAuthError } from '../errors.js';
export type { InvitationStore } from '../invitations/invitation-store.js';
export type { Invitation, InvitationStatus } from '../invitations/invitations.js';
export type { MembershipStore } from '../memberships/membership-store.js';
export type { Member, Membership } from '../memberships/memberships.js';
export type { OutboxEvent, OutboxStatus } from '../outbox/outbox.js';
export type { OutboxFailure, OutboxStore } from '../outbox/outbox-store.js';
export type {
  CredentialFailureStore,
  CredentialFailures,
} from '../rate-limit/credential-failure-store.js';
export type { RateLimitOverrideStore } from '../rate-limit/rate-limit-override-store.js';
export type { StoredRateLimitOverride } from '../rate-limit/rate-limit-overrides.js';
export type { SessionStore } from '../sessions/session-store.js';
export { type Session, withAuthentication } from '../sessions/sessions.js';
export type { SecondFactors, SignInAccount, SignInStore } from '../sign-in/sign-in-store.js';
export { chunked, IDS_PER_STATEMENT } from '../storage/chunked.js';
export { lazyStores, STORE_NAMES, storeMethodNames } from '../storage/lazy-stores.js';
export { wrapStorage } from '../storage/wrap-storage.js';
export type { TenantPatch, TenantStore } from '../tenants/tenant-store.js';
export type { Tenant, TenantStatus, TenantWithRoles, UserPool } from '../tenants/tenants.js';
export type {
  RefreshToken,
  RefreshTokenStore,
  RefreshTokenWithSession,
} from '../tokens/refresh-token-store.js';
export type { RevokedAccessToken, RevokedAccessTokenStore } from '../tokens/revoked-access-token-store.js';
export type { SigningKey, SigningKeyState, SigningKeyStore } from '../tokens/signing-key-store.js';
export type { SigningAlgorithm } from '../tokens/tokens.js';
export type { UserStore } from '../users/user-store.js';
export { normalizeEmail, type User, type UserStatus, userPoolKey } from '../users/users.js';
export { type Clock, systemClock } from './clock.js';
export {
  gcraStep,
  type KeyValue,
  type KeyValueSetOptions,
  type RateLimitStep,
  type RateLimitStepResult,
  readMany,
} from './key-value.js';
export { consoleLogger, type LogFields, type LogFn, type Logger, silentLogger } from './logger.js';
export type { Mailer, MailMessage } from './mailer.js';
export type { Page, PageRequest } from './pagination.js';
export type { PublicJwk, Signer } from './signer.js';
export type { Storage, StorageCapabilities, StorageStores } from './storage.js';
export { DEFAULT_TABLE_PREFIX, resolveTablePrefix } from './table-prefix.js';
