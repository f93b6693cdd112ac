export {
  CREDENTIAL_CHANGES,
  type CredentialChange,
  type CredentialChangeRecipient,
  type CredentialChangeRule,
  credentialChangeEvent,
  requireFreshAuthentication,
} from './credential-changes.js';
export { createSessionCache, type SessionCache } from './session-cache.js';
export { readCookie, type SessionCookieOptions, sessionCookieName } from './session-cookie.js';
export {
  type ResolvedSessionOptions,
  resolveSessionOptions,
  type SessionOptions,
  sessionOptionsSchema,
} from './session-options.js';
export {
  bearerToken,
  createSessionService,
  recordSessionsRevoked,
  type SessionService,
  type SessionsApi,
} from './session-service.js';
export type { SessionStore } from './session-store.js';
export {
  type IssuedSession,
  isMultiFactor,
  type Session,
  type SessionWithUser,
  withAuthentication,
} from './sessions.js';
export { checkStepUp } from './step-up.js';
