import { type Auth, createAuth, silentLogger } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { assertMatchesModel } from '../../../test-support/rate-limit-model.js';
import { serviceUrl } from '../../../test-support/test-services.js';
import { type RedisKeyValue, redisKeyValue } from '../src/index.js';
import { redisClusterUrl } from './support/redis-cluster.js';

const url = serviceUrl('Redis', 'PORTCULLIS_TEST_REDIS_URL');
const clusterUrl = redisClusterUrl();

const ORIGIN = 'http://localhost:3000';
const opened: { auth: Auth[]; kv: RedisKeyValue[]; redis: Array<Redis | Cluster> } = {
  auth: [],
  kv: [],
  redis: [],
};

afterAll(async () => {
  await Promise.all(opened.auth.map((a) => a.close()));
  await Promise.all(opened.kv.map((k) => k.close()));
  for (const r of opened.redis) r.disconnect();
});

const prefix = () => `pct:${Math.random().toString(36).slice(2)}:`;

describe.skipIf(!url)('GCRA on Redis (one Lua script per key)', () => {
  it('decides like the reference leaky bucket on random request sequences', async () => {
    const redis = new Redis(url!, { maxRetriesPerRequest: 2 });
    opened.redis.push(redis);
    const kv = redisKeyValue(redis, { keyPrefix: prefix() });
    let n = 0;
    await assertMatchesModel(kv, () => `model:${n++}`, 40);
  });
});

describe.skipIf(!clusterUrl)('GCRA on a Redis Cluster', () => {
  it('decides like the reference leaky bucket, each key on its own node', async () => {
    const { hostname, port } = new URL(clusterUrl!);
    const cluster = new Cluster([{ host: hostname, port: Number(port) }], {
      redisOptions: { maxRetriesPerRequest: 2 },
    });
    opened.redis.push(cluster);
    const kv = redisKeyValue(cluster, { keyPrefix: prefix() });
    let n = 0;
    await assertMatchesModel(kv, () => `model:${n++}`, 25);
  });
});

describe('when the rate-limit store is down', () => {
  /** An app whose Redis is unreachable, with three policies on every HTTP request, one per mode. */
  function withDeadRedis(mode: 'deny' | 'allow' | 'local') {
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on('error', () => {});
    opened.redis.push(dead);
    const kv = redisKeyValue(dead);
    const storeCalls = { count: 0 };
    const step = kv.rateLimit!;
    kv.rateLimit = (key, params) => {
      storeCalls.count++;
      return step(key, params);
    };
    const auth = createAuth({
      storage: memoryStorage(),
      keyValue: kv,
      secret: 'test-secret-0123456789-abcdefghijklmnop',
      baseURL: ORIGIN,
      logger: silentLogger,
      outbox: { autoStart: false },
      rateLimit: {
        policies: [
          { name: 'api', operations: ['http'], key: 'ip', limit: 2, periodSeconds: 60, onStoreFailure: mode },
        ],
        rules: { signIn: { limit: 3, windowSeconds: 60 } },
      },
    });
    opened.auth.push(auth);
    const get = () => auth.handler(new Request(`${ORIGIN}/auth/session`), { clientIp: '192.0.2.1' });
    const login = () =>
      auth.handler(
        new Request(`${ORIGIN}/auth/login`, {
          method: 'POST',
          headers: { origin: ORIGIN, 'content-type': 'application/json' },
          body: JSON.stringify({
            email: `x${Math.random()}@example.com`,
            password: 'wrong password but long',
          }),
        }),
        { clientIp: '192.0.2.2' },
      );
    return { get, login, storeCalls };
  }

  it('deny: answers 503 storage_unavailable', async () => {
    const { get } = withDeadRedis('deny');
    const response = await get();
    expect(response.status).toBe(503);
    expect((await response.json()).code).toBe('storage_unavailable');
  });

  it('allow: lets every request through uncounted, without RateLimit headers', async () => {
    const { get } = withDeadRedis('allow');
    for (let i = 0; i < 5; i++) {
      const response = await get();
      expect(response.status).toBe(401);
      expect(response.headers.get('ratelimit')).toBeNull();
    }
  });

  it('local: counts in this process, so the limit still bites', async () => {
    const { get } = withDeadRedis('local');
    expect((await get()).status).toBe(401);
    expect((await get()).status).toBe(401);
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
  });

  it('leaves a failed store alone for a second instead of asking it on every request', async () => {
    const { get, storeCalls } = withDeadRedis('allow');
    for (let i = 0; i < 5; i++) await get();
    expect(storeCalls.count).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await get();
    expect(storeCalls.count).toBe(2);
  });

  it('keeps limiting sign-in (a credential endpoint: local by default)', async () => {
    const { login } = withDeadRedis('allow');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await login()).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
