export {
  type ResolvedSessionOptions,
  resolveSessionOptions,
  type SessionOptions,
  sessionOptionsSchema,
} from './session-options.js';
export {
  createSessionService,
  type IssuedSession,
  type SessionService,
  type SessionWithUser,
} from './session-service.js';
export type { SessionStore } from './session-store.js';
export { isMultiFactor, type Session, withAuthentication } from './sessions.js';
export { checkStepUp } from './step-up.js';
