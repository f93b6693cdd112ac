import { describe, expect, it, vi } from 'vitest';
import { silentEventLogger } from '../logging/index.js';
import { memoryKeyValue } from '../memory/index.js';
import { systemClock } from '../ports/clock.js';
import type { KeyValue } from '../ports/key-value.js';
import { createSessionCache } from './session-cache.js';

// regression (review of session 12): a version write the retry timer had started was not waited
// for by `stop()`, so it could reach the store after `auth.close()` returned
describe('session cache stop', () => {
  it('waits for a retried version write the timer started, and schedules no retry after', async () => {
    vi.useFakeTimers();
    try {
      const base = memoryKeyValue();
      let sets = 0;
      let release!: () => void;
      const blocked = new Promise<void>((resolve) => {
        release = resolve;
      });
      const kv: KeyValue = {
        ...base,
        set: async (key, value, options) => {
          sets += 1;
          // the first write fails (a blip), the retry hangs until released
          if (sets === 1) throw new Error('connection reset');
          await blocked;
          return base.set(key, value, options);
        },
      };
      const cache = createSessionCache(
        kv,
        { clock: systemClock, logger: silentEventLogger, instanceId: 'a' },
        { l1TtlMs: 0, l1MaxEntries: 0, l2TtlSeconds: 60 },
      );
      await cache.revoked({ userIds: ['u1'] });
      expect(sets).toBe(1);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(sets).toBe(2);

      let stopped = false;
      const stopping = cache.stop().then(() => {
        stopped = true;
      });
      await vi.advanceTimersByTimeAsync(50);
      expect(stopped).toBe(false);
      release();
      await stopping;
      expect(stopped).toBe(true);
      // nothing more is tried once stopped
      await vi.advanceTimersByTimeAsync(5_000);
      expect(sets).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
