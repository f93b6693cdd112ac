import { createAuth, type Storage, silentLogger } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceUrl } from '../../../test-support/test-services.js';
import { type RedisKeyValue, redisKeyValue } from '../src/index.js';

const url = serviceUrl('Redis', 'PORTCULLIS_TEST_REDIS_URL');

const ORIGIN = 'http://localhost:3000';
const PASSWORD = 'correct horse battery staple';
const WRONG = 'wrong password but long';
/**
 * A database index of its own: the flush below empties it and nothing else. (FLUSHALL would
 * empty every index of the server, under the feet of other suites sharing it; for this instance
 * FLUSHDB on its index is the same event: every key it had is gone.)
 */
const DB_INDEX = 13;

const opened: { kv: RedisKeyValue[]; redis: Redis[]; close: (() => Promise<void>)[] } = {
  kv: [],
  redis: [],
  close: [],
};
afterAll(async () => {
  await Promise.all(opened.close.map((close) => close()));
  await Promise.all(opened.kv.map((kv) => kv.close()));
  for (const redis of opened.redis) redis.disconnect();
});

function app(lockout: { freeAttempts: number; maxFailures: number }, storage: Storage = memoryStorage()) {
  const redis = new Redis(url!, { db: DB_INDEX, maxRetriesPerRequest: 1 });
  const kv = redisKeyValue(redis, { keyPrefix: `pct:${Math.random().toString(36).slice(2)}:` });
  const auth = createAuth({
    storage,
    keyValue: kv,
    secret: 'test-secret-0123456789-abcdefghijklmnop',
    baseURL: ORIGIN,
    logger: silentLogger,
    outbox: { autoStart: false },
    rateLimit: { enabled: false },
    lockout,
  });
  opened.kv.push(kv);
  opened.redis.push(redis);
  opened.close.push(() => auth.close());
  async function post(path: string, body: unknown) {
    const response = await auth.handler(
      new Request(`${ORIGIN}/auth${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN },
        body: JSON.stringify(body),
      }),
      { clientIp: '127.0.0.1' },
    );
    return { status: response.status, headers: response.headers, body: await response.json() };
  }
  const flush = async () => expect(await redis.flushdb()).toBe('OK');
  return { post, flush };
}

const email = (label: string) => `${label}.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`;

describe.skipIf(!url)('account lockout across a Redis flush', () => {
  it('keeps a locked account locked, known or unknown, after the Redis database is flushed', async () => {
    const { post, flush } = app({ freeAttempts: 4, maxFailures: 4 });
    const known = email('locked');
    expect((await post('/signup', { email: known, password: PASSWORD })).status).toBe(201);
    const ghost = email('ghost');
    for (const target of [known, ghost]) {
      for (let i = 0; i < 4; i++)
        expect((await post('/login', { email: target, password: WRONG })).status).toBe(401);
      expect((await post('/login', { email: target, password: PASSWORD })).status).toBe(429);
    }

    await flush();

    for (const target of [known, ghost]) {
      const locked = await post('/login', { email: target, password: PASSWORD });
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('account_locked');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(86_000);
    }
  });

  it('keeps an account inside its delay after the flush, and a success then starts the count over', async () => {
    const { post, flush } = app({ freeAttempts: 1, maxFailures: 100 });
    const known = email('delayed');
    await post('/signup', { email: known, password: PASSWORD });
    // one free attempt, one through the gate: the next waits 2 s
    for (let i = 0; i < 2; i++)
      expect((await post('/login', { email: known, password: WRONG })).status).toBe(401);

    await flush();

    const delayed = await post('/login', { email: known, password: PASSWORD });
    expect(delayed.status).toBe(429);
    expect(Number(delayed.headers.get('retry-after'))).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await post('/login', { email: known, password: PASSWORD })).status).toBe(200);

    await flush();
    // the count started over: one free attempt, one through the (new) gate, then the wait
    for (let i = 0; i < 2; i++)
      expect((await post('/login', { email: known, password: WRONG })).status).toBe(401);
    expect((await post('/login', { email: known, password: WRONG })).status).toBe(429);
  });
});
