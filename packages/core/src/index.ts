export {
  type Actor,
  type AuditChainVerification,
  type AuditSealParts,
  auditChainKey,
  auditSealParts,
  canonicalJson,
  GLOBAL_AUDIT_CHAIN,
  sealAuditEvent,
} from './audit/index.js';
export { type Auth, createAuth, PORTCULLIS_VERSION } from './auth.js';
export type { AuthApi, CreateUserRequest } from './auth-api.js';
export type {
  AuthorizationResult,
  AuthorizeInput,
  AuthorizeManyInput,
} from './authorization/authorization-service.js';
export {
  type AuthorizationFilter,
  type Decision,
  type DecisionReason,
  findGrantingRole,
  type PermissionCatalogConfig,
  type PermissionCatalogListing,
  type PolicyInput,
  permissionCovers,
  type StoredPolicy,
} from './authorization/index.js';
export type { CallContext } from './call-context.js';
export type { AuthConfig, ResolvedConfig } from './config.js';
export {
  type GithubProviderOptions,
  type GoogleProviderOptions,
  githubProvider,
  googleProvider,
  type MicrosoftProviderOptions,
  microsoftProvider,
  OAUTH_AMR,
  type OAuth2Provider,
  type OAuthCompleted,
  type OAuthFetch,
  type OAuthProfile,
  type OAuthProvider,
  type OAuthStart,
  type OidcProvider,
  type OidcProviderOptions,
  oidcProvider,
  type StartOAuthInput,
} from './credentials/oauth/index.js';
export type {
  AuthenticatePasskeyInput,
  PasskeyAuthentication,
  PasskeyAuthenticationOptionsInput,
  PasskeyOptions,
  PasskeyStepUp,
  PasskeySummary,
  RegisterPasskeyInput,
  RenamePasskeyInput,
} from './credentials/passkeys/index.js';
export {
  type ChangePasswordInput,
  MIN_ARGON2_PARAMS,
  type SignInInput,
  type SignUpInput,
  type SignUpPending,
} from './credentials/passwords/index.js';
export type { ConfirmTotpInput, MfaStatus, TotpSetup } from './credentials/totp/index.js';
export { constantTimeEqual, generateToken, sha256Hex, uuidv7 } from './crypto/index.js';
export {
  type ForgotPasswordInput,
  isAllowedRedirect,
  type MagicLinkInput,
  type MagicLinkSignedIn,
  type ResetPasswordInput,
} from './email-links/index.js';
export {
  AUTH_ERROR_CODES,
  AuthError,
  type AuthErrorCode,
  type AuthErrorOptions,
  isAuthError,
  type StepUpRequirement,
} from './errors.js';
export {
  type AuthHandler,
  type HandlerOptions,
  MAX_BODY_BYTES,
  type ProblemBody,
  problemBody,
  problemHeaders,
  problemResponse,
  STATUS_BY_CODE,
  stepUpChallenge,
  TITLE_BY_CODE,
} from './http/index.js';
export type { CreatedInvitation, CreateInvitationInput, InvitationSummary } from './invitations/index.js';
export { type ConsoleMailerOptions, consoleMailer, escapeHtml } from './mail/index.js';
export type { UpdateMemberInput } from './memberships/index.js';
export { matchesEventType, type OutboxDispatcher, type OutboxSubscriber } from './outbox/index.js';
export * from './ports/index.js';
export { DEFAULT_RATE_LIMITS, type RateLimitRule, type RateLimitRuleName } from './rate-limit/index.js';
export type { IssuedSession, SessionWithUser } from './sessions/index.js';
export type { MfaMethod, MfaRequired, SignedIn, VerifyMfaInput } from './sign-in/index.js';
export {
  chunked,
  classifyStorageError,
  IDS_PER_STATEMENT,
  lazyStores,
  STORE_NAMES,
  type StorageErrorKind,
  storeMethodNames,
  type WrapStorageOptions,
  wrapStorage,
} from './storage/index.js';
export {
  type CreateTenantInput,
  DEFAULT_ROLES,
  TENANT_PERMISSIONS,
  type TenantPermission,
  type UpdateTenantInput,
} from './tenants/index.js';
export { normalizeEmail, SHARED_POOL, userPoolKey } from './users/index.js';
