import { createHash } from 'node:crypto';
import type { KeyValue } from '@portcullis/core/ports';
import type { Cluster, Redis } from 'ioredis';

/** An ioredis client: a single server (`Redis`) or a `Cluster`. */
export type RedisClient = Redis | Cluster;

export interface RedisKeyValueOptions {
  /** Prefix of every key and channel, so several apps can share one Redis. Default `pc:`. */
  keyPrefix?: string;
  /**
   * The connection used for SUBSCRIBE (a subscribed connection can run nothing else).
   * Default: `redis.duplicate()`, made on the first subscription and closed by `close()`.
   */
  subscriber?: RedisClient;
  /**
   * How long `subscribe()` waits for the subscriber connection to become ready before it fails
   * (the caller retries). Default 10 s.
   */
  subscribeTimeoutMs?: number;
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

// One GCRA step (the arithmetic of core's `gcraStep`): the key holds the theoretical arrival
// time in epoch ms. One key, so one slot: it runs on a Cluster. "Now" is the server's TIME, so
// instances with skewed clocks still share one schedule; ARGV[4] > 0 overrides it (tests).
// A denied request writes nothing; an allowed one stores the new TAT until it is reached.
const GCRA_SCRIPT = `
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if now <= 0 then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
-- an explicit now (tests) may be far from the server's clock, by which keys expire: keep the key
-- a minute at least. A TAT in the past means the same as none, so a longer life changes nothing
local function store(value)
  local ttl = value - now
  if tonumber(ARGV[4]) > 0 and ttl < 60000 then ttl = 60000 end
  redis.call('SET', KEYS[1], string.format('%d', value), 'PX', string.format('%d', math.max(1, ttl)))
end
-- never more debt than one full burst under these numbers: a no-op while they stay the same;
-- after a change (a raised override) the TAT is brought back to the cap, even by a denial, so the
-- schedule drains at the new rate from then on
local cap = now + burst * interval
local capped = tat > cap
if capped then tat = cap end
local newTat = tat + cost * interval
local allowAt = newTat - burst * interval
if allowAt > now then
  if capped then store(tat) end
  local remaining = math.floor((now - (tat - burst * interval)) / interval)
  if remaining < 0 then remaining = 0 end
  return {0, remaining, tat - now, allowAt - now}
end
store(newTat)
return {1, math.floor((now - allowAt) / interval), newTat - now, 0}`;

const GCRA_SHA = createHash('sha1').update(GCRA_SCRIPT).digest('hex');

/** The key-value port over ioredis, plus `close()` for the connection it made itself. */
export interface RedisKeyValue extends KeyValue {
  /** Closes the subscriber connection made by this adapter (never the client passed in). */
  close(): Promise<void>;
}

/**
 * The key-value port over an ioredis client the host app owns: rate limits and failure counters
 * shared by every instance, atomic in one round trip, and publish/subscribe across instances.
 *
 * On a `Cluster`, every call names one key (so one slot), and `getMany` reads key by key;
 * published messages may arrive out of order (each PUBLISH may go through another node).
 *
 * @example
 * import { Redis } from 'ioredis'
 * const auth = createAuth({ storage, keyValue: redisKeyValue(new Redis(process.env.REDIS_URL)), secret, baseURL })
 * @example
 * import { Cluster } from 'ioredis'
 * const keyValue = redisKeyValue(new Cluster([{ host: 'redis-1', port: 6379 }]))
 */
export function redisKeyValue(client: RedisClient, options: RedisKeyValueOptions = {}): RedisKeyValue {
  // a Cluster offers the same command methods as Redis for every call made here; the union's
  // overloads are not callable as one in TypeScript, so the commands are typed through Redis
  const redis = client as Redis;
  const prefix = options.keyPrefix ?? 'pc:';
  const k = (key: string) => prefix + key;
  let subscriber = options.subscriber as Redis | undefined;
  const ownsSubscriber = !options.subscriber;
  const subscribeTimeoutMs = options.subscribeTimeoutMs ?? 10_000;
  // the handlers of each channel, from the moment subscribe() is called: a message that arrives
  // right behind Redis's confirmation (in the same read) must find them
  const handlers = new Map<string, Set<(message: string) => void>>();
  // channels whose SUBSCRIBE Redis confirmed: a failed one is sent again by the next subscribe()
  const confirmed = new Set<string>();
  // one SUBSCRIBE in flight per channel, shared by concurrent callers
  const subscribing = new Map<string, Promise<void>>();
  let closed = false;

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

  /**
   * SUBSCRIBE once the connection is ready: with `enableOfflineQueue: false` (what the README
   * recommends) a command sent while it still connects fails at once. The channel counts as
   * subscribed only when Redis confirmed it; ioredis re-subscribes it after a reconnect.
   */
  function ensureSubscribed(full: string): Promise<void> {
    if (confirmed.has(full)) return Promise.resolve();
    let pending = subscribing.get(full);
    if (!pending) {
      pending = (async () => {
        const connection = subscriberConnection();
        await whenReady(connection, subscribeTimeoutMs);
        await connection.subscribe(full);
        if (!closed && handlers.has(full)) confirmed.add(full);
      })().finally(() => subscribing.delete(full));
      subscribing.set(full, pending);
    }
    return pending;
  }

  return {
    get: (key) => redis.get(k(key)),
    // one MGET on a single server; on a Cluster the keys may span slots (MGET would answer
    // CROSSSLOT), so one GET each, which ioredis sends to each key's node
    getMany: (keys) =>
      keys.length === 0
        ? Promise.resolve([])
        : redis.isCluster
          ? Promise.all(keys.map((key) => redis.get(k(key))))
          : redis.mget(keys.map(k)),
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
    async rateLimit(key, step) {
      const args = [k(key), step.emissionIntervalMs, step.burst, step.cost, step.nowMs ?? 0] as const;
      // by its SHA-1 (the script is not sent on every call); the first call on a node loads it
      const [allowed, remaining, resetMs, retryAfterMs] = (await redis
        .evalsha(GCRA_SHA, 1, ...args)
        .catch((error: Error) => {
          if (!error.message.startsWith('NOSCRIPT')) throw error;
          return redis.eval(GCRA_SCRIPT, 1, ...args);
        })) as number[];
      return {
        allowed: allowed === 1,
        remaining: remaining!,
        resetMs: resetMs!,
        retryAfterMs: retryAfterMs!,
      };
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
      if (closed) throw new Error('redisKeyValue: closed');
      const full = k(channel);
      let set = handlers.get(full);
      if (!set) handlers.set(full, (set = new Set()));
      const isNew = !set.has(handler);
      set.add(handler);
      try {
        await ensureSubscribed(full);
      } catch (error) {
        // not subscribed: leave nothing behind that would make the next attempt skip SUBSCRIBE
        if (isNew) set.delete(handler);
        if (set.size === 0 && handlers.get(full) === set) handlers.delete(full);
        throw error;
      }
      return async () => {
        const current = handlers.get(full);
        if (!current?.delete(handler) || current.size > 0) return;
        handlers.delete(full);
        confirmed.delete(full);
        await subscriber?.unsubscribe(full);
      };
    },
    async close() {
      closed = true;
      handlers.clear();
      confirmed.clear();
      if (subscriber && ownsSubscriber) {
        subscriber.disconnect();
        subscriber = undefined;
      }
    },
  };
}

/**
 * Resolves once the connection is ready (connecting it if it was made with `lazyConnect`);
 * rejects when it ends for good or is not ready within `timeoutMs`.
 */
function whenReady(connection: Redis, timeoutMs: number): Promise<void> {
  if (connection.status === 'ready') return Promise.resolve();
  if (connection.status === 'end') return Promise.reject(new Error('Connection is closed.'));
  if (connection.status === 'wait') connection.connect().catch(() => {});
  return new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      connection.off('ready', onReady);
      connection.off('end', onEnd);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const onEnd = () => done(new Error('Connection is closed.'));
    const timer = setTimeout(
      () => done(new Error(`the Redis subscriber connection was not ready within ${timeoutMs} ms`)),
      timeoutMs,
    );
    timer.unref?.();
    connection.once('ready', onReady);
    connection.once('end', onEnd);
  });
}
