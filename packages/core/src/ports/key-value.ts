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
  /** Seconds until the key expires; null when absent or without expiry. */
  ttl(key: string): Promise<number | null>;
  /** Atomically reads and deletes: of concurrent callers exactly one gets the value. */
  getAndDelete(key: string): Promise<string | null>;
  /** Sends `message` to every subscriber of `channel`, on every instance sharing this store. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `handler` for each message on `channel` until the returned function is called. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
}

/** `kv.getMany(keys)` when the store has it, else one `get` per key, concurrently. */
export function readMany(kv: KeyValue, keys: readonly string[]): Promise<(string | null)[]> {
  if (keys.length === 0) return Promise.resolve([]);
  return kv.getMany ? kv.getMany(keys) : Promise.all(keys.map((key) => kv.get(key)));
}
