import { type Clock, systemClock } from '../ports/clock.js';
import { gcraStep, type KeyValue, type KeyValueSetOptions } from '../ports/key-value.js';

export interface MemoryKeyValueOptions {
  /** What "now" is for expiry (default: the system clock). */
  clock?: Clock;
}

interface Entry {
  value: string;
  /** Epoch milliseconds; null when the key does not expire. */
  expiresAtMs: number | null;
}

/** Expired keys are dropped when read; a sweep every this many writes drops those never read again. */
const WRITES_PER_SWEEP = 1_000;

/**
 * A key-value store in this process's memory, for one instance (tests, examples, a single
 * server). Publish/subscribe reaches subscribers of this store only; use Redis to share
 * revocations and rate limits across instances.
 *
 * @example
 * const auth = createAuth({ storage, keyValue: memoryKeyValue(), secret, baseURL })
 */
export function memoryKeyValue(options: MemoryKeyValueOptions = {}): KeyValue {
  const clock = options.clock ?? systemClock;
  const entries = new Map<string, Entry>();
  const channels = new Map<string, Set<{ handler: (message: string) => void }>>();
  let writesSinceSweep = 0;

  const nowMs = () => clock.now().getTime();

  const isExpired = (entry: Entry, now: number) => entry.expiresAtMs !== null && entry.expiresAtMs <= now;

  /** The entry if it exists and has not expired. */
  const read = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && isExpired(entry, nowMs())) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const write = (key: string, value: string, ttlSeconds: number | undefined) =>
    writeUntil(key, value, expiryOf(ttlSeconds, nowMs()));

  const writeUntil = (key: string, value: string, expiresAtMs: number | null) => {
    entries.set(key, { value, expiresAtMs });
    if (++writesSinceSweep >= WRITES_PER_SWEEP) {
      writesSinceSweep = 0;
      const now = nowMs();
      for (const [k, entry] of entries) if (isExpired(entry, now)) entries.delete(k);
    }
  };

  return {
    get: async (key) => read(key)?.value ?? null,
    getMany: async (keys) => keys.map((key) => read(key)?.value ?? null),
    set: async (key, value, setOptions?: KeyValueSetOptions) => write(key, value, setOptions?.ttlSeconds),
    setIfAbsent: async (key, value, setOptions?: KeyValueSetOptions) => {
      if (read(key)) return false;
      write(key, value, setOptions?.ttlSeconds);
      return true;
    },
    delete: async (key) => {
      entries.delete(key);
    },
    increment: async (key, incrementOptions = {}) => {
      const by = incrementOptions.by ?? 1;
      const entry = read(key);
      if (!entry) {
        write(key, String(by), incrementOptions.ttlSeconds);
        return by;
      }
      const current = Number(entry.value);
      if (!Number.isSafeInteger(current)) throw new TypeError('memoryKeyValue: the value is not an integer');
      // a fixed window: the expiry set by the first increment stays
      entry.value = String(current + by);
      return current + by;
    },
    // the same arithmetic as the Redis script, on this process's clock; synchronous between
    // read and write, so concurrent callers each see the TAT the previous one left
    rateLimit: async (key, step) => {
      // one reading of the clock per step: this is the limiter's hot path
      const clockMs = nowMs();
      const now = step.nowMs ?? clockMs;
      let stored = entries.get(key);
      if (stored && isExpired(stored, clockMs)) {
        entries.delete(key);
        stored = undefined;
      }
      const result = gcraStep(stored ? Number(stored.value) : null, now, step);
      const newTatMs = result.newTatMs;
      if (newTatMs !== null) {
        // kept until the TAT by this store's clock; an explicit now (tests) may be far from it,
        // so a minute at least then (a TAT in the past means the same as none)
        const lifeMs = Math.max(newTatMs - now, step.nowMs === undefined ? 1 : 60_000);
        if (stored) {
          stored.value = String(newTatMs);
          stored.expiresAtMs = clockMs + lifeMs;
        } else writeUntil(key, String(newTatMs), clockMs + lifeMs);
      }
      return {
        allowed: result.allowed,
        remaining: result.remaining,
        resetMs: result.resetMs,
        retryAfterMs: result.retryAfterMs,
      };
    },
    ttl: async (key) => {
      const expiresAtMs = read(key)?.expiresAtMs;
      return expiresAtMs == null ? null : Math.ceil((expiresAtMs - nowMs()) / 1000);
    },
    getAndDelete: async (key) => {
      const entry = read(key);
      entries.delete(key);
      return entry?.value ?? null;
    },
    publish: async (channel, message) => {
      // copy first: a handler may unsubscribe while we deliver
      for (const subscription of [...(channels.get(channel) ?? [])]) {
        try {
          subscription.handler(message);
        } catch {
          // a subscriber's failure is its own; over Redis the publisher would not see it either
        }
      }
    },
    subscribe: async (channel, handler) => {
      const subscription = { handler };
      const subscribers = channels.get(channel) ?? new Set();
      subscribers.add(subscription);
      channels.set(channel, subscribers);
      return async () => {
        subscribers.delete(subscription);
        if (subscribers.size === 0 && channels.get(channel) === subscribers) channels.delete(channel);
      };
    },
  };
}

function expiryOf(ttlSeconds: number | undefined, nowMs: number): number | null {
  if (ttlSeconds === undefined) return null;
  if (!(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) {
    throw new RangeError(`memoryKeyValue: ttlSeconds must be a positive number, got ${ttlSeconds}`);
  }
  return nowMs + ttlSeconds * 1000;
}
