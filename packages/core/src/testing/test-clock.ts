import type { Clock } from '../ports/clock.js';

/** A clock that only moves when told to. */
export interface TestClock extends Clock {
  advanceMs(milliseconds: number): void;
  advanceSeconds(seconds: number): void;
  set(now: Date): void;
}

/**
 * A fake clock for tests: pass it wherever Portcullis takes a `Clock`, then move time explicitly.
 *
 * @example
 * const clock = testClock()
 * const kv = memoryKeyValue({ clock })
 * await kv.set('k', 'v', { ttlSeconds: 60 })
 * clock.advanceSeconds(61)
 * expect(await kv.get('k')).toBeNull()
 */
export function testClock(start: Date = new Date('2030-01-01T00:00:00.000Z')): TestClock {
  let nowMs = start.getTime();
  return {
    now: () => new Date(nowMs),
    advanceMs: (milliseconds) => {
      nowMs += milliseconds;
    },
    advanceSeconds: (seconds) => {
      nowMs += seconds * 1000;
    },
    set: (now) => {
      nowMs = now.getTime();
    },
  };
}
