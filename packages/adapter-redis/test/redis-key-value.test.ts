import { describeKeyValueConformance } from '@portcullis/core/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceUrl } from '../../../test-support/test-services.js';
import { type RedisKeyValue, redisKeyValue } from '../src/index.js';

const url = serviceUrl('Redis', 'PORTCULLIS_TEST_REDIS_URL');

const clients: Redis[] = [];
const adapters: RedisKeyValue[] = [];

function connect(): Redis {
  const client = new Redis(url!, { lazyConnect: false, maxRetriesPerRequest: 2 });
  clients.push(client);
  return client;
}

afterAll(async () => {
  await Promise.all(adapters.map((a) => a.close()));
  for (const client of clients) client.disconnect();
});

describe.skipIf(!url)('redisKeyValue (Redis)', () => {
  describeKeyValueConformance('redis', {
    create: async () => {
      const kv = redisKeyValue(connect(), { keyPrefix: `pct:${Math.random().toString(36).slice(2)}:` });
      adapters.push(kv);
      return kv;
    },
  });

  it('delivers published messages to another instance sharing the same Redis', async () => {
    const prefix = `pct:${Math.random().toString(36).slice(2)}:`;
    const a = redisKeyValue(connect(), { keyPrefix: prefix });
    const b = redisKeyValue(connect(), { keyPrefix: prefix });
    adapters.push(a, b);
    const received: string[] = [];
    await b.subscribe('revocations', (m) => received.push(m));
    await a.publish('revocations', 'session-1');
    await expect.poll(() => received, { timeout: 1000 }).toEqual(['session-1']);
  });

  it('keeps keys of different prefixes apart', async () => {
    const client = connect();
    const one = redisKeyValue(client, { keyPrefix: `pct:${Math.random()}:` });
    const two = redisKeyValue(client, { keyPrefix: `pct:${Math.random()}:` });
    await one.set('k', '1', { ttlSeconds: 30 });
    expect(await two.get('k')).toBeNull();
    expect(await one.get('k')).toBe('1');
  });
});
