import { describe, expect, it } from 'vitest';
import { describeKeyValueConformance, testClock } from '../testing/index.js';
import { memoryKeyValue } from './memory-key-value.js';

describeKeyValueConformance('memory', { create: async () => memoryKeyValue() });

describe('memoryKeyValue', () => {
  it('expires keys by the clock it is given', async () => {
    const clock = testClock();
    const kv = memoryKeyValue({ clock });
    await kv.set('session:1', 'cached', { ttlSeconds: 60 });

    clock.advanceMs(59_001);
    expect(await kv.ttl('session:1')).toBe(1);
    expect(await kv.get('session:1')).toBe('cached');
    clock.advanceMs(999);
    expect(await kv.get('session:1')).toBeNull();
    expect(await kv.setIfAbsent('session:1', 'again')).toBe(true);
  });

  it('keeps the fixed window of the first increment', async () => {
    const clock = testClock();
    const kv = memoryKeyValue({ clock });
    expect(await kv.increment('rl:login', { ttlSeconds: 60 })).toBe(1);
    clock.advanceSeconds(59);
    expect(await kv.increment('rl:login', { ttlSeconds: 60 })).toBe(2);
    clock.advanceSeconds(1);
    expect(await kv.increment('rl:login', { ttlSeconds: 60 })).toBe(1);
  });

  it('rejects a ttl that is not a positive number', async () => {
    const kv = memoryKeyValue();
    await expect(kv.set('k', 'v', { ttlSeconds: 0 })).rejects.toThrow(RangeError);
    await expect(kv.increment('k', { ttlSeconds: Number.NaN })).rejects.toThrow(RangeError);
  });

  it('still delivers to other subscribers when one handler throws or unsubscribes', async () => {
    const kv = memoryKeyValue();
    const received: string[] = [];
    let unsubscribeSelf!: () => Promise<void>;
    unsubscribeSelf = await kv.subscribe('revocations', () => {
      void unsubscribeSelf();
    });
    await kv.subscribe('revocations', () => {
      throw new Error('a broken subscriber');
    });
    await kv.subscribe('revocations', (message) => received.push(message));

    await kv.publish('revocations', 'session-1');
    await kv.publish('revocations', 'session-2');
    expect(received).toEqual(['session-1', 'session-2']);
  });
});
