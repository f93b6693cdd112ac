import { describe, expect, it } from 'vitest';
import { silentEventLogger } from '../logging/index.js';
import { memoryKeyValue, memoryStorage } from '../memory/index.js';
import type { Storage } from '../ports/storage.js';
import { anApiKey } from '../testing/storage-fixtures.js';
import { createApiKeyCache } from './api-key-cache.js';
import { createApiKeyUses } from './api-key-uses.js';
import type { ApiKey } from './api-keys.js';

function clockAt(start: number) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

const key = (overrides: Partial<ApiKey> = {}) => ({ id: 'k1', ownerUserId: 'u1', ...overrides }) as ApiKey;

describe('API key cache', () => {
  it('serves an entry for its TTL only', () => {
    const clock = clockAt(1_000_000);
    const cache = createApiKeyCache(
      memoryKeyValue(),
      { clock, logger: silentEventLogger },
      { ttlMs: 10_000 },
    );
    cache.set('h', key(), clock.now().getTime());
    expect(cache.get('h', clock.now().getTime())).toMatchObject({ id: 'k1' });
    expect(cache.get('h', clock.now().getTime() + 10_000)).toBeUndefined();
  });

  it('evicts by key and by owner, and does not take back a copy read before the revocation', async () => {
    const clock = clockAt(1_000_000);
    const cache = createApiKeyCache(
      memoryKeyValue(),
      { clock, logger: silentEventLogger },
      { ttlMs: 10_000 },
    );
    cache.set('a', key({ id: 'a' }), clock.now().getTime());
    cache.set('b', key({ id: 'b', ownerUserId: 'u2' }), clock.now().getTime());
    const readStarted = clock.now().getTime();
    clock.advance(5);
    await cache.revoked({ ids: ['a'], ownerUserIds: ['u2'] });
    expect(cache.get('a', clock.now().getTime())).toBeUndefined();
    expect(cache.get('b', clock.now().getTime())).toBeUndefined();
    // a verification that read the database before the revocation committed
    cache.set('a', key({ id: 'a' }), readStarted);
    cache.set('b', key({ id: 'b', ownerUserId: 'u2' }), readStarted);
    expect(cache.get('a', clock.now().getTime())).toBeUndefined();
    expect(cache.get('b', clock.now().getTime())).toBeUndefined();
    // one read after it is cached again
    clock.advance(5);
    cache.set('a', key({ id: 'a' }), clock.now().getTime());
    expect(cache.get('a', clock.now().getTime())).toMatchObject({ id: 'a' });
  });

  it("evicts a suspended tenant's keys, and does not take back a copy read before the suspension", async () => {
    const clock = clockAt(1_000_000);
    const cache = createApiKeyCache(
      memoryKeyValue(),
      { clock, logger: silentEventLogger },
      { ttlMs: 10_000 },
    );
    cache.set('a', key({ id: 'a', tenantId: 't1' }), clock.now().getTime());
    cache.set('b', key({ id: 'b', tenantId: 't1', ownerUserId: null }), clock.now().getTime());
    cache.set('c', key({ id: 'c', tenantId: 't2' }), clock.now().getTime());
    const readStarted = clock.now().getTime();
    clock.advance(5);
    await cache.revoked({ tenantIds: ['t1'] });
    expect(cache.get('a', clock.now().getTime())).toBeUndefined();
    expect(cache.get('b', clock.now().getTime())).toBeUndefined();
    expect(cache.get('c', clock.now().getTime())).toMatchObject({ id: 'c' });
    cache.set('a', key({ id: 'a', tenantId: 't1' }), readStarted);
    expect(cache.get('a', clock.now().getTime())).toBeUndefined();
  });

  it('hears revocations published by another instance on the same store', async () => {
    const kv = memoryKeyValue();
    const clock = clockAt(1_000_000);
    const here = createApiKeyCache(kv, { clock, logger: silentEventLogger }, { ttlMs: 30_000 });
    const there = createApiKeyCache(kv, { clock, logger: silentEventLogger }, { ttlMs: 30_000 });
    await here.start();
    await there.start();
    here.set('h', key(), clock.now().getTime());
    clock.advance(1);
    await there.revoked({ ids: ['k1'] });
    await expect.poll(() => here.get('h', clock.now().getTime())).toBeUndefined();
    await here.stop();
    await there.stop();
  });
});

describe('API key last uses', () => {
  it('writes the latest use of each key in one batch, and keeps a failed batch for the next flush', async () => {
    const memory = memoryStorage();
    const now = new Date('2026-01-01T00:00:00.000Z');
    for (const id of ['a', 'b']) {
      await memory.apiKeys.create(
        anApiKey('t', {
          id,
          name: id,
          keyHash: id.repeat(64),
          pepperVersion: 0,
          createdAt: now,
          updatedAt: now,
        }),
      );
    }
    // the database refuses the first batch (an outage), then answers
    let calls = 0;
    const apiKeys = new Proxy(memory.apiKeys, {
      get(target, name, receiver) {
        if (name !== 'recordUses') return Reflect.get(target, name, receiver);
        return async (uses: Array<{ id: string; at: Date }>) => {
          calls += 1;
          if (calls === 1) throw new Error('database down');
          return target.recordUses(uses);
        };
      },
    });
    const storage = new Proxy(memory, {
      get: (target, name, receiver) => (name === 'apiKeys' ? apiKeys : Reflect.get(target, name, receiver)),
    }) as Storage;
    const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    const uses = createApiKeyUses({ storage, logger: silentEventLogger }, { flushIntervalMs: 60_000 });
    uses.record('a', at(1));
    uses.record('a', at(3));
    uses.record('a', at(2));
    uses.record('b', at(1.5));
    expect(uses.pending('a')).toEqual(at(3));
    await uses.flush();
    expect((await memory.apiKeys.findById('t', 'a'))?.lastUsedAt).toBeNull();
    expect(uses.pending('a')).toEqual(at(3));
    await uses.flush();
    expect((await memory.apiKeys.findById('t', 'a'))?.lastUsedAt).toEqual(at(3));
    expect((await memory.apiKeys.findById('t', 'b'))?.lastUsedAt).toEqual(at(1.5));
    expect(uses.pending('a')).toBeUndefined();
    await uses.stop();
    expect(calls).toBe(2);
  });
});
