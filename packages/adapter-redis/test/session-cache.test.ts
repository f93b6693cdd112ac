import { type Auth, createAuth, type KeyValue, type Storage, silentLogger } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceUrl } from '../../../test-support/test-services.js';
import { type RedisKeyValue, redisKeyValue } from '../src/index.js';

const url = serviceUrl('Redis', 'PORTCULLIS_TEST_REDIS_URL');

const ORIGIN = 'http://localhost:3000';
const PASSWORD = 'correct horse battery staple';
const opened: { auth: Auth[]; kv: RedisKeyValue[]; redis: Redis[] } = { auth: [], kv: [], redis: [] };

afterAll(async () => {
  await Promise.all(opened.auth.map((a) => a.close()));
  await Promise.all(opened.kv.map((k) => k.close()));
  for (const r of opened.redis) r.disconnect();
});

/** Counts database session lookups, to tell cache hits from database reads. */
function countingStorage(base: Storage) {
  const counter = { lookups: 0 };
  const sessions = new Proxy(base.sessions, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== 'findActiveByTokenHash') return value;
      return (...args: Parameters<Storage['sessions']['findActiveByTokenHash']>) => {
        counter.lookups += 1;
        return target.findActiveByTokenHash(...args);
      };
    },
  });
  return { storage: { ...base, sessions } as Storage, counter };
}

function instance(storage: Storage, prefix: string, tweak: (kv: KeyValue) => KeyValue = (kv) => kv) {
  const redis = new Redis(url!, { maxRetriesPerRequest: 1 });
  const kv = redisKeyValue(redis, { keyPrefix: prefix });
  const auth = createAuth({
    storage,
    keyValue: tweak(kv),
    secret: 'test-secret-0123456789-abcdefghijklmnop',
    baseURL: ORIGIN,
    logger: silentLogger,
    outbox: { autoStart: false },
    rateLimit: { enabled: false },
  });
  opened.auth.push(auth);
  opened.kv.push(kv);
  opened.redis.push(redis);
  return { auth, redis };
}

const prefix = () => `pct:${Math.random().toString(36).slice(2)}:`;
const email = () => `cache.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`;

async function cluster(tweakB?: (kv: KeyValue) => KeyValue) {
  const base = memoryStorage();
  const p = prefix();
  const a = instance(countingStorage(base).storage, p);
  const counted = countingStorage(base);
  const b = instance(counted.storage, p, tweakB);
  // let both subscriptions settle
  await new Promise((r) => setTimeout(r, 100));
  const signedIn = await a.auth.api.signUp({ email: email(), password: PASSWORD });
  if ('pending' in signedIn) throw new Error('unexpected pending sign-up');
  return { a, b, counter: counted.counter, signedIn, prefix: p };
}

async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not true within ${ms} ms`);
}

describe.skipIf(!url)('session cache over Redis (two instances, one database)', () => {
  it('serves repeated validations from the cache without reading the database', async () => {
    const { b, counter, signedIn } = await cluster();
    expect((await b.auth.api.validateSessionToken(signedIn.token))?.user.id).toBe(signedIn.user.id);
    const afterFill = counter.lookups;
    for (let i = 0; i < 50; i++) await b.auth.api.validateSessionToken(signedIn.token);
    expect(counter.lookups).toBe(afterFill);
  });

  it('a session revoked on one instance is rejected by the other within one second', async () => {
    const { a, b, signedIn } = await cluster();
    expect(await b.auth.api.validateSessionToken(signedIn.token)).not.toBeNull();
    await a.auth.api.revokeSession(signedIn.user.id, signedIn.session.id);
    expect(await a.auth.api.validateSessionToken(signedIn.token)).toBeNull(); // at once where it happened
    const elapsed = await within(
      1000,
      async () => (await b.auth.api.validateSessionToken(signedIn.token)) === null,
    );
    expect(elapsed).toBeLessThan(1000);
  });

  it('a lost invalidation message does not keep a revoked session alive past the L1 window', async () => {
    const deaf = (kv: KeyValue): KeyValue => ({ ...kv, subscribe: async () => async () => {} });
    const { a, b, signedIn } = await cluster(deaf);
    expect(await b.auth.api.validateSessionToken(signedIn.token)).not.toBeNull();
    await a.auth.api.suspendUser(signedIn.user.id);
    const elapsed = await within(
      1000,
      async () => (await b.auth.api.validateSessionToken(signedIn.token)) === null,
    );
    expect(elapsed).toBeLessThan(1000);
  });

  it('a flushed Redis cannot resurrect a revoked session', async () => {
    const deaf = (kv: KeyValue): KeyValue => ({ ...kv, subscribe: async () => async () => {} });
    const { a, b, signedIn, prefix: p } = await cluster(deaf);
    expect(await b.auth.api.validateSessionToken(signedIn.token)).not.toBeNull();
    await a.auth.api.revokeAllSessions(signedIn.user.id);
    // the flush takes the new versions and the cached entries alike
    const keys = await a.redis.keys(`${p}*`);
    if (keys.length) await a.redis.del(...keys);
    await new Promise((r) => setTimeout(r, 600));
    expect(await b.auth.api.validateSessionToken(signedIn.token)).toBeNull();
  });

  it('keeps validating from the database, and honours revocations, when Redis is unreachable', async () => {
    const base = memoryStorage();
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on('error', () => {});
    opened.redis.push(dead);
    const auth = createAuth({
      storage: base,
      keyValue: redisKeyValue(dead),
      secret: 'test-secret-0123456789-abcdefghijklmnop',
      baseURL: ORIGIN,
      logger: silentLogger,
      outbox: { autoStart: false },
    });
    opened.auth.push(auth);
    const signedIn = await auth.api.signUp({ email: email(), password: PASSWORD }, { ip: '192.0.2.1' });
    if ('pending' in signedIn) throw new Error('unexpected pending sign-up');
    const again = await auth.api.signIn(
      { email: signedIn.user.email, password: PASSWORD },
      { ip: '192.0.2.1' },
    );
    if ('mfaRequired' in again) throw new Error('unexpected second factor');
    expect(again.user.id).toBe(signedIn.user.id);
    expect(await auth.api.validateSessionToken(signedIn.token)).not.toBeNull();
    await auth.api.revokeAllSessions(signedIn.user.id);
    expect(await auth.api.validateSessionToken(signedIn.token)).toBeNull();
  });
});
