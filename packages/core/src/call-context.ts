import type { Actor } from './audit/audit.js';
import type { RateLimitState } from './rate-limit/rate-limiter.js';
import type { Session } from './sessions/sessions.js';

/** The caller's place in a distributed trace (W3C Trace Context). */
export interface TraceParent {
  /** 32 lowercase hex digits, never all zeros. */
  traceId: string;
  /** The caller's span: 16 lowercase hex digits, never all zeros. */
  parentId: string;
  sampled: boolean;
}

/**
 * Who is calling and from where. The HTTP handler fills it from the request; server-side
 * callers of `auth.api` may pass it to have their calls audited with an actor and IP.
 */
export interface CallContext {
  actor?: Actor;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  /** The caller's W3C `traceparent`, when it sent a valid one: log lines carry its `traceId`. */
  trace?: TraceParent;
  /**
   * The session the call is authenticated by, when it is one: the permission checks of the
   * administration operations read `context.mfa` and `context.authAgeSeconds` from it, so a
   * tenant's policy such as "role.manage needs MFA" holds on those routes too.
   */
  session?: Pick<Session, 'amr' | 'authTime'>;
  /**
   * The browser's device cookie (`docs/credentials.md`, "Account protection"). `cookie` is what
   * the request carried: a browser that signed in to an account before has failure counters of
   * its own there, out of reach of guesses from anywhere else. A sign-in that opens a session
   * (or a completed password reset) sets `issued`: the value to send back in `Set-Cookie`. The
   * HTTP handler does both; `auth.callContext(headers)` reads the cookie for server code.
   */
  device?: { cookie: string | null; issued?: string };
  /** Filled by rate-limited operations, so the HTTP layer can send `RateLimit` headers. */
  rateLimits?: RateLimitState[];
}
