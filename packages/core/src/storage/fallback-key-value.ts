import { isAuthError } from '../errors.js';
import type { EventLogger } from '../logging/event-logger.js';
import { type KeyValue, readMany } from '../ports/key-value.js';
import { wrapKeyValue } from './wrap-key-value.js';

const RETRY_AFTER_MS = 1_000;

/**
 * A key-value store that keeps counting when the shared one is down: calls go to `primary`; when
 * it answers `storage_unavailable`, they go to `fallback` (in-process memory) for a second before
 * `primary` is tried again. Used for rate limits and failure counters, so that sign-in keeps
 * working (per instance, degraded, logged) through a Redis outage and recovers by itself.
 * Never used for the session cache, whose correctness depends on the store being shared.
 */
export function fallbackKeyValue(primary: KeyValue, fallback: KeyValue, logger: EventLogger): KeyValue {
  let degradedUntil = 0;

  async function run<T>(call: (kv: KeyValue) => Promise<T>): Promise<T> {
    if (Date.now() < degradedUntil) return call(fallback);
    try {
      return await call(primary);
    } catch (error) {
      if (!isAuthError(error, 'storage_unavailable')) throw error;
      if (Date.now() >= degradedUntil) {
        logger.warn('portcullis.key_value.unavailable', {
          error: String(error.cause ?? error),
        });
      }
      degradedUntil = Date.now() + RETRY_AFTER_MS;
      return call(fallback);
    }
  }

  return {
    get: (key) => run((kv) => kv.get(key)),
    getMany: (keys) => run((kv) => readMany(kv, keys)),
    set: (key, value, options) => run((kv) => kv.set(key, value, options)),
    setIfAbsent: (key, value, options) => run((kv) => kv.setIfAbsent(key, value, options)),
    delete: (key) => run((kv) => kv.delete(key)),
    increment: (key, options) => run((kv) => kv.increment(key, options)),
    // GCRA when both stores have it; else neither offers it (the limiter then uses windows)
    ...(primary.rateLimit && fallback.rateLimit
      ? { rateLimit: (key, step) => run((kv) => kv.rateLimit!(key, step)) }
      : {}),
    ttl: (key) => run((kv) => kv.ttl(key)),
    getAndDelete: (key) => run((kv) => kv.getAndDelete(key)),
    publish: (channel, message) => primary.publish(channel, message),
    subscribe: (channel, handler) => primary.subscribe(channel, handler),
  };
}

/**
 * The key-value store rate limits and counters use: the app's shared store, or `local` alone when
 * the app gave none. A shared store that goes down degrades rate limits to per-instance counting
 * (see {@link fallbackKeyValue}), never to 503s; its calls are bounded by `timeoutMs`, at most a
 * second, since every credential request waits on them.
 */
export function sharedKeyValue(
  shared: KeyValue | undefined,
  local: KeyValue,
  logger: EventLogger,
  timeoutMs: number,
): KeyValue {
  if (!shared) return local;
  const bounded = wrapKeyValue(shared, { timeoutMs: Math.min(timeoutMs, 1_000) });
  return fallbackKeyValue(bounded, local, logger);
}
