import type { ResolvedConfig } from './config/index.js';
import type { PasswordHasher } from './credentials/passwords/password-hasher.js';
import type { OutboxDispatcher } from './outbox/outbox-dispatcher.js';
import type { Clock } from './ports/clock.js';
import type { KeyValue } from './ports/key-value.js';
import type { Logger } from './ports/logger.js';
import type { Storage } from './ports/storage.js';
import type { Lockout } from './rate-limit/lockout.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import type { SessionCache } from './sessions/session-cache.js';

/** What `createAuth()` wires into every domain service. */
export interface ServiceDeps {
  config: ResolvedConfig;
  storage: Storage;
  keyValue: KeyValue;
  clock: Clock;
  logger: Logger;
  hasher: PasswordHasher;
  rateLimiter: RateLimiter;
  failures: Lockout;
  outbox: OutboxDispatcher;
  /** Present when `session.cache` is on: revocations must be announced through it. */
  sessionCache: SessionCache | null;
}
