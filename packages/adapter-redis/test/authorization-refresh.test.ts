import { type Auth, createAuth, type KeyValue, type Storage, silentLogger } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceUrl } from '../../../test-support/test-services.js';
import { type RedisKeyValue, redisKeyValue } from '../src/index.js';

const url = serviceUrl('Redis', 'PORTCULLIS_TEST_REDIS_URL');
// trusted 2 s after a check, checked again from 1 s: wide, so a loaded machine keeps hot entries hot
const TTL_MS = 2000;

const opened: { auth: Auth[]; kv: RedisKeyValue[]; redis: Redis[] } = { auth: [], kv: [], redis: [] };

afterAll(async () => {
  await Promise.all(opened.auth.map((a) => a.close()));
  await Promise.all(opened.kv.map((k) => k.close()));
  for (const r of opened.redis) r.disconnect();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One app instance on the shared storage and Redis that never hears pub/sub (every message lost)
 * and records its single-key reads (`get`, `setIfAbsent`: the request path's; the refresh reads
 * with `getMany`).
 */
function instance(storage: Storage, keyPrefix: string) {
  const redis = new Redis(url!, { maxRetriesPerRequest: 1 });
  const inner = redisKeyValue(redis, { keyPrefix });
  const calls: string[] = [];
  const counted =
    <A extends unknown[], R>(name: string, call: (...args: A) => R) =>
    (...args: A): R => {
      calls.push(name);
      return call(...args);
    };
  const kv: KeyValue = {
    ...inner,
    get: counted('get', inner.get),
    getMany: counted('getMany', inner.getMany!),
    setIfAbsent: counted('setIfAbsent', inner.setIfAbsent),
    subscribe: async () => async () => {},
  };
  const auth = createAuth({
    storage,
    keyValue: kv,
    secret: 'test-secret-0123456789-abcdefghijklmnop',
    baseURL: 'http://localhost:3000',
    logger: silentLogger,
    outbox: { autoStart: false },
    rateLimit: { enabled: false },
    authorization: { revalidateAfterMs: TTL_MS },
  });
  opened.auth.push(auth);
  opened.kv.push(inner);
  opened.redis.push(redis);
  return { auth, calls, redis };
}

async function twoInstances() {
  const storage = memoryStorage();
  const keyPrefix = `pcr:${Math.random().toString(36).slice(2)}:`;
  const a = instance(storage, keyPrefix);
  const b = instance(storage, keyPrefix);
  const owner = await a.auth.api.createUser({ email: `owner.${Date.now()}@example.com` });
  const tenant = await a.auth.api.createTenant(owner.id, {
    slug: `pcr-${Math.random().toString(36).slice(2, 10)}`,
    name: 'Refresh',
  });
  const ask = () => b.auth.api.authorize({ userId: owner.id, tenantId: tenant.id, action: 'audit.read' });
  const denyAudit = () =>
    a.auth.api.createPolicy(tenant.id, owner.id, {
      effect: 'deny',
      actions: ['audit.read'],
      resource: 'audit',
    });
  /** What FLUSHDB would do to this test's keys (the server is shared with other tests). */
  async function flush() {
    let cursor = '0';
    do {
      const [next, keys] = await a.redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await a.redis.unlink(...keys);
    } while (cursor !== '0');
  }
  return { a, b, ask, denyAudit, flush };
}

async function deniedWithin(ask: () => Promise<{ allowed: boolean }>, withinMs: number) {
  const started = Date.now();
  while ((await ask()).allowed) {
    if (Date.now() - started > withinMs) throw new Error(`still allowed after ${withinMs} ms`);
    await sleep(10);
  }
  return Date.now() - started;
}

describe.skipIf(!url)('authorization cache over Redis, background refresh (messages lost)', () => {
  it('keeps a member revisited after the window hot: no single-key Redis read on the request path', async () => {
    const { b, ask } = await twoInstances();
    expect((await ask()).allowed).toBe(true);
    b.calls.length = 0;
    for (let round = 0; round < 2; round++) {
      await sleep(TTL_MS + 300);
      expect((await ask()).allowed).toBe(true);
    }
    expect(b.calls.filter((c) => c !== 'getMany')).toEqual([]);
    expect(b.calls).toContain('getMany');
  }, 20_000);

  it('sees a policy change within the window through the versions (one MGET), the message lost', async () => {
    const { ask, denyAudit } = await twoInstances();
    expect((await ask()).allowed).toBe(true);
    await denyAudit();
    expect(await deniedWithin(ask, TTL_MS + 500)).toBeLessThan(TTL_MS + 500);
  }, 20_000);

  it('never keeps a revoked grant alive after Redis is flushed right after the change', async () => {
    const { ask, denyAudit, flush } = await twoInstances();
    expect((await ask()).allowed).toBe(true);
    await denyAudit();
    await flush(); // the new version goes too: a vanished version must read as a change
    expect(await deniedWithin(ask, TTL_MS + 500)).toBeLessThan(TTL_MS + 500);
  }, 20_000);
});
