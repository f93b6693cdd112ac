export { createSessionCache, type SessionCache } from './session-cache.js';
export { readCookie, type SessionCookieOptions, sessionCookieName } from './session-cookie.js';
export {
  createSessionService,
  type IssuedSession,
  type SessionService,
  type SessionsApi,
  type SessionWithUser,
} from './session-service.js';
export type { SessionStore } from './session-store.js';
export { isMultiFactor, type Session, withAuthentication } from './sessions.js';
export { checkStepUp } from './step-up.js';
