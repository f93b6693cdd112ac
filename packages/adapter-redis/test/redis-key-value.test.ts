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

describe.skipIf(!url)(
  'redisKeyValue subscriptions (issue 14: SUBSCRIBE before the connection was ready)',
  () => {
    async function numsub(channel: string): Promise<number> {
      const reply = (await connect().call('PUBSUB', 'NUMSUB', channel)) as [string, number];
      return Number(reply[1]);
    }

    it('subscribes a client made with enableOfflineQueue: false once it is ready, not while it connects', async () => {
      const prefix = `pct:${Math.random().toString(36).slice(2)}:`;
      const client = new Redis(url!, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      clients.push(client);
      const kv = redisKeyValue(client, { keyPrefix: prefix });
      adapters.push(kv);
      const received: string[] = [];
      await kv.subscribe('ch', (m) => received.push(m));
      expect(await numsub(`${prefix}ch`)).toBe(1);
      await kv.publish('ch', 'hello');
      await expect.poll(() => received, { timeout: 1000 }).toEqual(['hello']);
    });

    it('does not count a channel whose SUBSCRIBE failed as subscribed: the next subscribe() sends it again', async () => {
      const prefix = `pct:${Math.random().toString(36).slice(2)}:`;
      const subscriber = new Redis(url!, { lazyConnect: true, enableOfflineQueue: false });
      clients.push(subscriber);
      // not ready within 0 ms: the first attempt fails as a SUBSCRIBE to a connecting client did
      const kv = redisKeyValue(connect(), { keyPrefix: prefix, subscriber, subscribeTimeoutMs: 0 });
      adapters.push(kv);
      await expect(kv.subscribe('ch', () => {})).rejects.toThrow();
      await new Promise<void>((resolve) => {
        if (subscriber.status === 'ready') resolve();
        else subscriber.once('ready', () => resolve());
      });
      const received: string[] = [];
      await kv.subscribe('ch', (m) => received.push(m));
      expect(await numsub(`${prefix}ch`)).toBe(1);
      await kv.publish('ch', 'again');
      await expect.poll(() => received, { timeout: 1000 }).toEqual(['again']);
    });
  },
);
