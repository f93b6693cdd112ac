import { type KeyValue, readMany } from '../ports/key-value.js';
import { guard } from './wrap-storage.js';

const WRAPPED = Symbol.for('portcullis.wrappedKeyValue');

/**
 * Wraps a key-value store like storage: every call is bounded in time, and a store that is down
 * (Redis refusing connections, say) answers `storage_unavailable` (503) instead of a 500.
 *
 * Unlike storage, it logs nothing itself: every user of the store has a degraded mode and says
 * so once (rate limits count per instance, the caches step aside, subscriptions retry), and a
 * client that is still connecting — ioredis with `enableOfflineQueue: false` fails commands until
 * it is ready — is no error at all.
 */
export function wrapKeyValue(kv: KeyValue, options: { timeoutMs?: number } = {}): KeyValue {
  if ((kv as { [WRAPPED]?: boolean })[WRAPPED]) return kv;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const run = <T>(operation: string, call: () => Promise<T>) =>
    guard(`keyValue.${operation}`, undefined, timeoutMs, call);
  const wrapped: KeyValue & { [WRAPPED]: true } = {
    [WRAPPED]: true,
    get: (key) => run('get', () => kv.get(key)),
    getMany: (keys) => run('getMany', () => readMany(kv, keys)),
    set: (key, value, setOptions) => run('set', () => kv.set(key, value, setOptions)),
    setIfAbsent: (key, value, setOptions) => run('setIfAbsent', () => kv.setIfAbsent(key, value, setOptions)),
    delete: (key) => run('delete', () => kv.delete(key)),
    increment: (key, incrementOptions) => run('increment', () => kv.increment(key, incrementOptions)),
    ...(kv.rateLimit ? { rateLimit: (key, step) => run('rateLimit', () => kv.rateLimit!(key, step)) } : {}),
    ttl: (key) => run('ttl', () => kv.ttl(key)),
    getAndDelete: (key) => run('getAndDelete', () => kv.getAndDelete(key)),
    publish: (channel, message) => run('publish', () => kv.publish(channel, message)),
    subscribe: (channel, handler) => run('subscribe', () => kv.subscribe(channel, handler)),
  };
  return wrapped;
}
