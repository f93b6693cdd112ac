import fc from 'fast-check';
import { expect } from 'vitest';
import type { KeyValue, RateLimitStep } from '../packages/core/src/ports/key-value.js';

/**
 * The reference model GCRA is checked against: the continuous-state leaky bucket (ITU-T I.371),
 * written independently of the virtual-scheduling arithmetic the stores run. The bucket holds
 * `level` ms of work and drains 1 ms per ms; a request of `cost` adds cost·T and conforms when
 * the bucket then holds at most burst·T. Both formulations decide the same for every sequence.
 */
export function leakyBucket(emissionIntervalMs: number, burst: number) {
  let level = 0;
  let last: number | null = null;
  return (nowMs: number, cost: number) => {
    const drained = Math.max(0, level - (last === null ? 0 : nowMs - last));
    if (drained + cost * emissionIntervalMs > burst * emissionIntervalMs) {
      level = drained;
      last = nowMs;
      return {
        allowed: false,
        remaining: Math.floor((burst * emissionIntervalMs - drained) / emissionIntervalMs),
      };
    }
    level = drained + cost * emissionIntervalMs;
    last = nowMs;
    return {
      allowed: true,
      remaining: Math.floor((burst * emissionIntervalMs - level) / emissionIntervalMs),
    };
  };
}

/** A schedule: the policy, then requests as (gap since the previous one in ms, cost). */
export const schedules = fc.record({
  emissionIntervalMs: fc.integer({ min: 1, max: 5_000 }),
  burst: fc.integer({ min: 1, max: 20 }),
  requests: fc.array(
    fc.record({ gapMs: fc.integer({ min: 0, max: 8_000 }), cost: fc.integer({ min: 1, max: 4 }) }),
    {
      minLength: 1,
      maxLength: 60,
    },
  ),
});

/**
 * Runs random schedules against `kv.rateLimit` (with explicit `nowMs`, on a fresh key each) and
 * the leaky bucket, and asserts they agree on every decision and every `remaining`; also that no
 * interval ever let through more than burst + its length / T requests.
 */
export async function assertMatchesModel(kv: KeyValue, newKey: () => string, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(schedules, async ({ emissionIntervalMs, burst, requests }) => {
      const key = newKey();
      const model = leakyBucket(emissionIntervalMs, burst);
      const allowed: Array<{ atMs: number; cost: number }> = [];
      let nowMs = Date.UTC(2030, 0, 1);
      for (const { gapMs, cost } of requests) {
        nowMs += gapMs;
        const step: RateLimitStep = { emissionIntervalMs, burst, cost, nowMs };
        const actual = await kv.rateLimit!(key, step);
        const expected = model(nowMs, cost);
        expect({ allowed: actual.allowed, remaining: actual.remaining }).toEqual(expected);
        if (actual.allowed) allowed.push({ atMs: nowMs, cost });
      }
      for (const first of allowed) {
        for (const last of allowed.filter((a) => a.atMs >= first.atMs)) {
          const spent = allowed
            .filter((a) => a.atMs >= first.atMs && a.atMs <= last.atMs)
            .reduce((sum, a) => sum + a.cost, 0);
          expect(spent).toBeLessThanOrEqual(
            burst + Math.floor((last.atMs - first.atMs) / emissionIntervalMs),
          );
        }
      }
    }),
    { numRuns },
  );
}
