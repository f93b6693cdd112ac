import { type Auth, createAuth, type Storage, silentLogger } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceUrl } from '../../../test-support/test-services.js';
import { type RedisKeyValue, redisKeyValue } from '../src/index.js';

const url = serviceUrl('Redis', 'PORTCULLIS_TEST_REDIS_URL');

const opened: { auth: Auth[]; kv: RedisKeyValue[]; redis: Redis[] } = { auth: [], kv: [], redis: [] };

afterAll(async () => {
  await Promise.all(opened.auth.map((a) => a.close()));
  await Promise.all(opened.kv.map((k) => k.close()));
  for (const r of opened.redis) r.disconnect();
});

/** One app instance on the shared database and Redis; revalidation is slow, so only pub/sub can be fast. */
function instance(storage: Storage, keyPrefix: string) {
  const redis = new Redis(url!, { maxRetriesPerRequest: 1 });
  const kv = redisKeyValue(redis, { keyPrefix });
  const auth = createAuth({
    storage,
    keyValue: kv,
    secret: 'test-secret-0123456789-abcdefghijklmnop',
    baseURL: 'http://localhost:3000',
    logger: silentLogger,
    outbox: { autoStart: false },
    rateLimit: { enabled: false },
    authorization: { revalidateAfterMs: 60_000 },
  });
  opened.auth.push(auth);
  opened.kv.push(kv);
  opened.redis.push(redis);
  return auth;
}

describe.skipIf(!url)('authorization cache over Redis (two instances, one database)', () => {
  it('a role change on one instance reaches the decisions of the other within a second', async () => {
    const storage = memoryStorage();
    const keyPrefix = `pca:${Math.random().toString(36).slice(2)}:`;
    const a = instance(storage, keyPrefix);
    const b = instance(storage, keyPrefix);
    // let both subscriptions settle (slow on a loaded machine; a missed subscription would wait 60 s)
    await new Promise((r) => setTimeout(r, 1000));
    const owner = await a.api.createUser({ email: `owner.${Date.now()}@example.com` });
    const tenant = await a.api.createTenant(owner.id, {
      slug: `pca-${Math.random().toString(36).slice(2, 10)}`,
      name: 'Cache',
    });
    const ask = () => b.api.authorize({ userId: owner.id, tenantId: tenant.id, action: 'audit.read' });
    expect((await ask()).allowed).toBe(true);
    // a deny policy written through instance A: B's cached rules are stale from here on
    await a.api.createPolicy(tenant.id, owner.id, {
      effect: 'deny',
      actions: ['audit.read'],
      resource: 'audit',
    });
    const started = Date.now();
    while ((await ask()).allowed) {
      if (Date.now() - started > 1000) throw new Error('instance B still allows after 1 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
