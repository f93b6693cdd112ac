import { type Auth, createAuth, silentLogger } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceUrl } from '../../../test-support/test-services.js';
import { type RedisKeyValue, redisKeyValue } from '../src/index.js';
import { redisClusterUrl } from './support/redis-cluster.js';

// Stored rate-limit overrides are cached per tenant for 30 s on each instance. A change made on
// one instance reaches the others' caches within one second through the shared Redis's
// publish/subscribe. What an instance lists is what its limiter counts by: both read the same
// cache entry (core's test/rate-limit-overrides.test.ts shows the limiter using it).

const standaloneUrl = serviceUrl('Redis', 'PORTCULLIS_TEST_REDIS_URL');
const clusterUrl = redisClusterUrl();
const PASSWORD = 'correct horse battery staple';
const opened: { auth: Auth[]; kv: RedisKeyValue[]; clients: Array<Redis | Cluster> } = {
  auth: [],
  kv: [],
  clients: [],
};

afterAll(async () => {
  await Promise.all(opened.auth.map((a) => a.close()));
  await Promise.all(opened.kv.map((k) => k.close()));
  for (const client of opened.clients) client.disconnect();
});

function connect(kind: 'standalone' | 'cluster'): Redis | Cluster {
  if (kind === 'standalone') return new Redis(standaloneUrl!, { maxRetriesPerRequest: 1 });
  const { hostname, port } = new URL(clusterUrl!);
  return new Cluster([{ host: hostname, port: Number(port) }], { redisOptions: { maxRetriesPerRequest: 2 } });
}

async function instances(kind: 'standalone' | 'cluster') {
  const storage = memoryStorage();
  const keyPrefix = `pct:${Math.random().toString(36).slice(2)}:`;
  const make = async () => {
    const client = connect(kind);
    const kv = redisKeyValue(client, { keyPrefix });
    const auth = createAuth({
      storage,
      keyValue: kv,
      secret: 'test-secret-0123456789-abcdefghijklmnop',
      baseURL: 'http://localhost:3000',
      logger: silentLogger,
      outbox: { autoStart: false },
      trustProxy: false,
      rateLimit: {
        policies: [{ name: 'api', operations: ['http'], key: 'tenant', limit: 100, periodSeconds: 60 }],
        overrideCacheTtlSeconds: 30,
      },
    });
    opened.auth.push(auth);
    opened.kv.push(kv);
    opened.clients.push(client);
    // subscribed before the test goes on
    await auth.health();
    return auth;
  };
  return [await make(), await make()] as const;
}

async function within<T>(ms: number, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return value;
}

describe.each([
  ['standalone', standaloneUrl],
  ['cluster', clusterUrl],
] as const)('rate-limit override changes across instances on Redis (%s)', (kind, url) => {
  it.skipIf(!url)('another instance drops its cached overrides within one second of a change', async () => {
    const [a, b] = await instances(kind);
    const signedUp = await a.api.signUp({ email: `limits.${Date.now()}@example.com`, password: PASSWORD });
    const userId = (signedUp as { user: { id: string } }).user.id;
    const tenant = await a.api.createTenant(userId, { slug: `limits-${Date.now()}`, name: 'Limits' });
    await a.api.setRateLimitOverride(tenant.id, { policy: 'api', limit: 1000, periodSeconds: 60 });
    // give both instances' subscriptions time to be confirmed by Redis
    await new Promise((resolve) => setTimeout(resolve, 200));
    // now cached on b for 30 s
    expect((await b.api.listRateLimitOverrides(tenant.id)).map((o) => o.limit)).toEqual([1000]);

    await a.api.setRateLimitOverride(tenant.id, { policy: 'api', limit: 5000, periodSeconds: 60 });
    const limits = () => b.api.listRateLimitOverrides(tenant.id).then((list) => list.map((o) => o.limit));
    expect(await within(1000, limits, (value) => value[0] === 5000)).toEqual([5000]);

    await a.api.removeRateLimitOverride(tenant.id, { policy: 'api' });
    expect(await within(1000, limits, (value) => value.length === 0)).toEqual([]);
  });
});
