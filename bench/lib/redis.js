import { Redis } from 'ioredis';

/** Every key (and pub/sub channel) the bench writes starts with this; it is all deleted at the end. */
export const REDIS_BENCH_PREFIX = 'portcullis-bench:';
/** Portcullis's keys: `redisKeyValue(redis, { keyPrefix })`. */
export const PORTCULLIS_REDIS_PREFIX = `${REDIS_BENCH_PREFIX}pc:`;
/** better-auth's secondary-storage keys. */
export const BETTER_AUTH_REDIS_PREFIX = `${REDIS_BENCH_PREFIX}ba:`;
/**
 * The HTTP suite's keys, apart from the in-process suites' (which delete theirs at start and end):
 * Portcullis's under `…pc:`, better-auth's under `…ba:`.
 */
export const HTTP_REDIS_PREFIX = 'portcullis-bench-http:';

/**
 * The Redis server both libraries share, or `{ skipped }` when it cannot be reached. `connect()`
 * opens another ioredis client on it (each library instance gets its own, as separate app
 * instances would); `close()` deletes every key under `prefix` ({@link REDIS_BENCH_PREFIX} by default) and closes all
 * clients. Keys left by an aborted earlier run are deleted first.
 *
 * @typedef {{ url: string, version: string, connect(): Redis, subscribers(channel: string): Promise<number>, deleteBenchKeys(): Promise<number>, close(): Promise<void> }} BenchRedis
 * @returns {Promise<BenchRedis | { skipped: string }>}
 */
export async function openRedis(url, { prefix = REDIS_BENCH_PREFIX } = {}) {
  const admin = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => null, // one attempt: an unreachable server is a skip, not a hang
  });
  let socketError; // ioredis rejects with "Connection is closed."; the cause comes as an event
  admin.on('error', (error) => {
    socketError = error;
  });
  try {
    await admin.connect();
    await admin.ping();
  } catch (error) {
    admin.disconnect();
    const cause = socketError ?? error;
    return { skipped: `Redis at ${redact(url)} is unreachable (${cause.message || cause.code || cause})` };
  }
  const info = await admin.info('server');
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  const clients = [];

  const deleteBenchKeys = async () => {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await admin.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  };
  await deleteBenchKeys();

  return {
    url,
    version: `Redis ${version} at ${redact(url)} (ioredis, keys under ${prefix})`,
    /** A new client, as an app instance would open it (see docs/adapters/redis.md). */
    connect() {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      client.on('error', (error) => console.error('[redis]', error.message));
      clients.push(client);
      return client;
    },
    /** How many clients are subscribed to `channel` (PUBSUB NUMSUB). */
    async subscribers(channel) {
      const [, count] = await admin.pubsub('NUMSUB', channel);
      return Number(count);
    },
    deleteBenchKeys,
    async close() {
      try {
        await deleteBenchKeys();
      } finally {
        for (const client of clients) client.disconnect();
        admin.disconnect();
      }
    },
  };
}

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
