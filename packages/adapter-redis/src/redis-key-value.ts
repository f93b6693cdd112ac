import type { KeyValue } from '@portcullis/core/ports';
import type { Redis } from 'ioredis';

export interface RedisKeyValueOptions {
  /** Prefix of every key and channel, so several apps can share one Redis. Default `pc:`. */
  keyPrefix?: string;
  /**
   * The connection used for SUBSCRIBE (a subscribed connection can run nothing else).
   * Default: `redis.duplicate()`, made on the first subscription and closed by `close()`.
   */
  subscriber?: Redis;
}

// INCRBY, then set the window's expiry only when the key has none yet (it was just created):
// one round trip, and later increments never extend the window.
const INCREMENT_SCRIPT = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if ttl > 0 and redis.call('TTL', KEYS[1]) == -1 then
  redis.call('EXPIRE', KEYS[1], ttl)
end
return value`;

/** The key-value port over ioredis, plus `close()` for the connection it made itself. */
export interface RedisKeyValue extends KeyValue {
  /** Closes the subscriber connection made by this adapter (never the client passed in). */
  close(): Promise<void>;
}

/**
 * The key-value port over an ioredis client the host app owns: rate limits and failure counters
 * shared by every instance, atomic in one round trip, and publish/subscribe across instances.
 *
 * @example
 * import { Redis } from 'ioredis'
 * const auth = createAuth({ storage, keyValue: redisKeyValue(new Redis(process.env.REDIS_URL)), secret, baseURL })
 */
export function redisKeyValue(redis: Redis, options: RedisKeyValueOptions = {}): RedisKeyValue {
  const prefix = options.keyPrefix ?? 'pc:';
  const k = (key: string) => prefix + key;
  let subscriber: Redis | undefined = options.subscriber;
  const ownsSubscriber = !options.subscriber;
  const handlers = new Map<string, Set<(message: string) => void>>();

  function subscriberConnection(): Redis {
    if (!subscriber) {
      subscriber = redis.duplicate();
      subscriber.on('error', () => {
        // ioredis reconnects by itself; the error is reported on the host's main client too
      });
    }
    if (subscriber.listenerCount('message') === 0) {
      subscriber.on('message', (channel: string, message: string) => {
        for (const handler of handlers.get(channel) ?? []) handler(message);
      });
    }
    return subscriber;
  }

  return {
    get: (key) => redis.get(k(key)),
    async set(key, value, setOptions) {
      if (setOptions?.ttlSeconds)
        await redis.set(k(key), value, 'EX', Math.max(1, Math.ceil(setOptions.ttlSeconds)));
      else await redis.set(k(key), value);
    },
    async setIfAbsent(key, value, setOptions) {
      const result = setOptions?.ttlSeconds
        ? await redis.set(k(key), value, 'EX', Math.max(1, Math.ceil(setOptions.ttlSeconds)), 'NX')
        : await redis.set(k(key), value, 'NX');
      return result === 'OK';
    },
    async delete(key) {
      await redis.del(k(key));
    },
    async increment(key, incrementOptions) {
      const by = incrementOptions?.by ?? 1;
      const ttl = Math.ceil(incrementOptions?.ttlSeconds ?? 0);
      return Number(await redis.eval(INCREMENT_SCRIPT, 1, k(key), by, ttl));
    },
    async ttl(key) {
      const seconds = await redis.ttl(k(key));
      return seconds >= 0 ? seconds : null;
    },
    getAndDelete: (key) => redis.getdel(k(key)),
    async publish(channel, message) {
      await redis.publish(k(channel), message);
    },
    async subscribe(channel, handler) {
      const full = k(channel);
      let set = handlers.get(full);
      if (!set) {
        set = new Set();
        handlers.set(full, set);
        await subscriberConnection().subscribe(full);
      }
      set.add(handler);
      return async () => {
        const current = handlers.get(full);
        if (!current?.delete(handler) || current.size > 0) return;
        handlers.delete(full);
        await subscriber?.unsubscribe(full);
      };
    },
    async close() {
      handlers.clear();
      if (subscriber && ownsSubscriber) {
        subscriber.disconnect();
        subscriber = undefined;
      }
    },
  };
}
