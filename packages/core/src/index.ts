// `@portcullis/core`: what an app uses. `createAuth` and what it returns, the config, the errors
// and their problem+json form, the OAuth providers and mailer to pass in, the ports an app
// implements or passes, and the records and outcomes of `auth.api` an app hands to its own code.
// Everything else of `auth.api` is reachable through `AuthApi`; what an adapter needs lives in
// `@portcullis/core/ports`. test/public-exports.test.ts pins this list: add to it deliberately.
export type { Auth, AuthApi, AuthHandler, AuthHealth, HandlerOptions } from './api/index.js';
export {
  type ApiKeyAuthorization,
  type ApiKeyCreditInterval,
  type ApiKeyCredits,
  type ApiKeyState,
  type ApiKeySummary,
  type ApiKeysOptions,
  type ApiKeyToAuthorize,
  type ApiKeyWithSecret,
  type CreateApiKeyInput,
  type RotateApiKeyInput,
  type RotatedApiKey,
  readApiKey,
  type SetApiKeyLimitsInput,
  type VerifiedApiKey,
  type VerifyApiKeyOptions,
} from './api-keys/index.js';
export { createAuth } from './auth.js';
export type {
  AuthorizationResult,
  AuthorizeInput,
  Decision,
  MachineAuthorizeInput,
  MachinePrincipal,
} from './authorization/index.js';
export type { CallContext } from './call-context.js';
export type { ClientSummary, ClientWithSecret } from './clients/index.js';
export type { AuthConfig } from './config/index.js';
export {
  githubProvider,
  googleProvider,
  microsoftProvider,
  type OAuthAccount,
  type OAuthProvider,
  oidcProvider,
} from './credentials/oauth/index.js';
export type { PasskeySummary } from './credentials/passkeys/index.js';
export {
  MIN_ARGON2_PARAMS,
  type SignInInput,
  type SignUpInput,
  type SignUpPending,
} from './credentials/passwords/index.js';
export type { MfaStatus, TotpSetup } from './credentials/totp/index.js';
export { uuidv7 } from './crypto/index.js';
export type { MagicLinkSignedIn } from './email-links/index.js';
export {
  AUTH_ERROR_CODES,
  AuthError,
  type AuthErrorCode,
  isAuthError,
  type StepUpRequirement,
} from './errors.js';
export {
  MAX_BODY_BYTES,
  type ProblemBody,
  type PublicSession,
  type PublicUser,
  problemBody,
  problemHeaders,
  problemResponse,
  rateLimitHeaders,
  type SerializedSession,
  STATUS_BY_CODE,
  serializeSession,
  TITLE_BY_CODE,
} from './http/index.js';
export type { CreatedInvitation, InvitationPreview, InvitationSummary } from './invitations/index.js';
export { LOG_EVENTS, type LogEvent } from './logging/index.js';
export { consoleMailer } from './mail/index.js';
export type { OutboxSubscriber } from './outbox/index.js';
export {
  type Clock,
  consoleLogger,
  type KeyValue,
  type LogFields,
  type LogFn,
  type Logger,
  type Mailer,
  type MailMessage,
  type Member,
  type Membership,
  type OutboxEvent,
  type Page,
  type Role,
  type Session,
  type Signer,
  type Storage,
  type StoredPolicy,
  silentLogger,
  type Tenant,
  type User,
} from './ports/index.js';
export type {
  PolicyOutcome,
  RateLimitOverride,
  RateLimitPolicy,
  RateLimitState,
  RemoveRateLimitOverrideInput,
  SetRateLimitOverrideInput,
  StoredRateLimitOverride,
} from './rate-limit/index.js';
export type { NodeHeaders, RequestHeaders } from './request-headers.js';
export type {
  GitHubLeakReport,
  SecretLeakLabel,
  SecretScanningOptions,
} from './secret-scanning/index.js';
export type { SessionWithUser } from './sessions/index.js';
export type { MfaMethod, MfaRequired, SignedIn, VerifyMfaInput } from './sign-in/index.js';
export { DEFAULT_ROLES } from './tenants/index.js';
export type {
  AccessTokenInput,
  AccessTokenPrincipal,
  IssuedAccessToken,
  IssueTokensOptions,
  RefreshTokensOptions,
  SigningKeyInfo,
  SigningKeyIssuerOptions,
  TokenPair,
} from './tokens/index.js';
export { PORTCULLIS_VERSION } from './version.js';
