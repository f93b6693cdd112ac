export interface KeyValueSetOptions {
  /** Expire the key after this many seconds. Without it the key does not expire. */
  ttlSeconds?: number;
}

/**
 * The key-value port: a small TTL store with atomic operations and publish/subscribe. Used for
 * rate limits, failure counters, caches, single-use markers and cross-instance invalidation.
 * Implemented in memory (one process) and over Redis (many).
 *
 * @example
 * const n = await kv.increment('rl:login:1.2.3.4', { ttlSeconds: 60 })
 */
export interface KeyValue {
  /** The value, or null when absent or expired. */
  get(key: string): Promise<string | null>;
  /**
   * The values of several keys in one round trip, in the order asked (null where absent or
   * expired). Optional: without it callers read the keys one by one (see {@link readMany}).
   */
  getMany?(keys: readonly string[]): Promise<(string | null)[]>;
  set(key: string, value: string, options?: KeyValueSetOptions): Promise<void>;
  /**
   * Sets the key only if it is absent. Returns true for the caller that set it: of concurrent
   * callers exactly one wins.
   */
  setIfAbsent(key: string, value: string, options?: KeyValueSetOptions): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Atomically adds `by` (default 1) and returns the new value; an absent key counts from 0 and
   * gets `ttlSeconds` as its expiry (a fixed window: later increments do not extend it).
   */
  increment(key: string, options?: { by?: number; ttlSeconds?: number }): Promise<number>;
  /**
   * One atomic GCRA (generic cell rate algorithm) step on `key`, which holds the theoretical
   * arrival time (TAT, epoch ms) and nothing else: of concurrent callers each sees the TAT the
   * previous one left, so no burst slips past the limit. A request is allowed when
   * `max(TAT, now) + cost·emissionIntervalMs − burst·emissionIntervalMs ≤ now`; when allowed the
   * TAT moves forward by `cost·emissionIntervalMs` and the key expires when it is reached. A
   * denied request changes nothing. `now` is the store's own clock (Redis `TIME`), or `nowMs`
   * when given (tests). Optional: the rate limiter falls back to fixed windows over
   * {@link KeyValue.increment} for stores without it (see `docs/rate-limits.md`).
   *
   * @example
   * // 10 requests a minute, bursts of up to 10
   * await kv.rateLimit('rl:signIn:ip:192.0.2.1', { emissionIntervalMs: 6_000, burst: 10, cost: 1 })
   */
  rateLimit?(key: string, request: RateLimitStep): Promise<RateLimitStepResult>;
  /** Seconds until the key expires; null when absent or without expiry. */
  ttl(key: string): Promise<number | null>;
  /** Atomically reads and deletes: of concurrent callers exactly one gets the value. */
  getAndDelete(key: string): Promise<string | null>;
  /** Sends `message` to every subscriber of `channel`, on every instance sharing this store. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `handler` for each message on `channel` until the returned function is called. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
}

/** One GCRA step's parameters (see {@link KeyValue.rateLimit}). */
export interface RateLimitStep {
  /** The period divided by the limit: one request's share of the period, in ms (≥ 1). */
  emissionIntervalMs: number;
  /** How many requests may arrive at once (≥ 1). */
  burst: number;
  /** How many requests this one counts as (≥ 1). */
  cost: number;
  /** "Now" in epoch ms; without it the store's own clock. */
  nowMs?: number;
}

/** What one GCRA step decided. */
export interface RateLimitStepResult {
  allowed: boolean;
  /** Requests of cost 1 that would still be allowed right now, after this one. */
  remaining: number;
  /** Ms until the whole burst is available again (the TAT minus now, at least 0). */
  resetMs: number;
  /** When denied: ms until this request would be allowed; 0 when allowed. */
  retryAfterMs: number;
}

/**
 * The GCRA step itself, pure: what every {@link KeyValue.rateLimit} implements (the Redis Lua
 * script is the same arithmetic). `tatMs` is the stored TAT or null; returns the decision and
 * the TAT to store, or null: nothing changes (a denial). The debt is capped at one full burst
 * under these numbers (the TAT at most `now + burst × interval`): a no-op while the numbers stay
 * the same; after they change (a raised override) a stored TAT beyond the cap is brought back to
 * it, and stored even by a denial, so the schedule drains at the new rate from then on.
 */
export function gcraStep(
  tatMs: number | null,
  nowMs: number,
  { emissionIntervalMs, burst, cost }: RateLimitStep,
): RateLimitStepResult & { newTatMs: number | null } {
  const cap = nowMs + burst * emissionIntervalMs;
  const capped = tatMs !== null && tatMs > cap;
  const tat = capped ? cap : Math.max(tatMs ?? nowMs, nowMs);
  const newTat = tat + cost * emissionIntervalMs;
  const allowAt = newTat - burst * emissionIntervalMs;
  if (allowAt > nowMs) {
    return {
      allowed: false,
      remaining: Math.max(0, Math.floor((nowMs - (tat - burst * emissionIntervalMs)) / emissionIntervalMs)),
      resetMs: tat - nowMs,
      retryAfterMs: allowAt - nowMs,
      newTatMs: capped ? tat : null,
    };
  }
  return {
    allowed: true,
    remaining: Math.max(0, Math.floor((nowMs - allowAt) / emissionIntervalMs)),
    resetMs: newTat - nowMs,
    retryAfterMs: 0,
    newTatMs: newTat,
  };
}

/** `kv.getMany(keys)` when the store has it, else one `get` per key, concurrently. */
export function readMany(kv: KeyValue, keys: readonly string[]): Promise<(string | null)[]> {
  if (keys.length === 0) return Promise.resolve([]);
  return kv.getMany ? kv.getMany(keys) : Promise.all(keys.map((key) => kv.get(key)));
}
