import type { Actor } from './audit/audit.js';
import type { RateLimitState } from './rate-limit/rate-limiter.js';

/**
 * Who is calling and from where. The HTTP handler fills it from the request; server-side
 * callers of `auth.api` may pass it to have their calls audited with an actor and IP.
 */
export interface CallContext {
  actor?: Actor;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  /** Filled by rate-limited operations, so the HTTP layer can send `RateLimit` headers. */
  rateLimits?: RateLimitState[];
}
