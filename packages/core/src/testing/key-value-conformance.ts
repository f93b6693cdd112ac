import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeyValue, readMany } from '../ports/key-value.js';

export interface KeyValueConformanceOptions {
  /** Returns the store to test. It may be shared (one Redis): every test uses its own random keys. */
  create: () => Promise<KeyValue>;
  /** Releases what `create` opened; gets what `create` returned. */
  destroy?: (keyValue: KeyValue) => Promise<void>;
  /** Test title → why this store cannot pass it. The test is reported as skipped, with the reason. */
  skip?: Record<string, string>;
  /**
   * Why messages of one publisher may reach a subscriber out of order (a Redis Cluster: each
   * PUBLISH may go to another node, which forwards it over the cluster bus). The publish/subscribe
   * test then checks that every message reaches every subscriber, not their order; Portcullis's
   * own subscribers (cache evictions) do not depend on it.
   */
  unorderedPublish?: string;
}

/**
 * Declares the key-value conformance suite: values, TTLs, the atomic operations under
 * concurrency and publish/subscribe. Expiry is tested with real one-second TTLs (about 2.5 s in all).
 *
 * @example
 * describeKeyValueConformance('redis', {
 *   create: async () => redisKeyValue(new Redis(process.env.REDIS_URL)),
 *   destroy: async (kv) => (kv as RedisKeyValue).close(),
 * })
 */
export function describeKeyValueConformance(name: string, options: KeyValueConformanceOptions): void {
  describe(`key-value conformance: ${name}`, () => {
    let kv: KeyValue | undefined;
    beforeAll(async () => {
      kv = await options.create();
    });
    afterAll(async () => {
      if (kv) await options.destroy?.(kv);
    });
    const store = () => {
      if (!kv) throw new Error('key-value conformance: create() did not finish');
      return kv;
    };

    const titles = new Set<string>();
    const spec = (title: string, fn: () => Promise<void>) => {
      if (titles.has(title)) throw new Error(`key-value conformance: two tests are titled "${title}"`);
      titles.add(title);
      const reason = options.skip?.[title];
      if (reason === undefined) it(title, fn);
      else it.skip(`${title} (skipped: ${reason})`, fn);
    };

    spec('returns null for a key that was never set', async () => {
      expect(await store().get(aKey())).toBeNull();
    });

    spec('returns what was set, and the latest value after a second set', async () => {
      const key = aKey();
      await store().set(key, 'first');
      expect(await store().get(key)).toBe('first');
      await store().set(key, '{"json":"Ünïcødé 🔐"}');
      expect(await store().get(key)).toBe('{"json":"Ünïcødé 🔐"}');
    });

    spec('deletes a key, and deleting an absent key is not an error', async () => {
      const key = aKey();
      await store().set(key, 'value');
      await store().delete(key);
      expect(await store().get(key)).toBeNull();
      await store().delete(key);
    });

    spec('reports no ttl for an absent key or a key set without one', async () => {
      const key = aKey();
      expect(await store().ttl(key)).toBeNull();
      await store().set(key, 'value');
      expect(await store().ttl(key)).toBeNull();
      // a set without ttlSeconds makes the key permanent again
      await store().set(key, 'value', { ttlSeconds: 60 });
      await store().set(key, 'value');
      expect(await store().ttl(key)).toBeNull();
    });

    spec('reports the ttl of a key and forgets the key once it expires', async () => {
      const short = aKey();
      const long = aKey();
      await store().set(short, 'value', { ttlSeconds: 1 });
      await store().set(long, 'value', { ttlSeconds: 60 });
      expect(await store().ttl(short)).toBeGreaterThan(0);
      expect(await store().ttl(short)).toBeLessThanOrEqual(1);
      expect(await store().ttl(long)).toBeGreaterThan(58);
      expect(await store().ttl(long)).toBeLessThanOrEqual(60);

      await sleep(1_200);
      expect(await store().get(short)).toBeNull();
      expect(await store().ttl(short)).toBeNull();
      expect(await store().get(long)).toBe('value');
    });

    spec('sets a key only if it is absent', async () => {
      const key = aKey();
      expect(await store().setIfAbsent(key, 'first', { ttlSeconds: 60 })).toBe(true);
      expect(await store().setIfAbsent(key, 'second')).toBe(false);
      expect(await store().get(key)).toBe('first');
      expect(await store().ttl(key)).toBeGreaterThan(58);
    });

    spec('of 20 concurrent setIfAbsent calls on one key exactly one wins', async () => {
      const key = aKey();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store().setIfAbsent(key, `caller-${i}`, { ttlSeconds: 60 })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store().get(key)).toBe(`caller-${results.indexOf(true)}`);
    });

    spec('increments an absent key from 0, by 1 or by the given amount', async () => {
      const key = aKey();
      expect(await store().increment(key)).toBe(1);
      expect(await store().increment(key, { by: 5 })).toBe(6);
      expect(await store().get(key)).toBe('6');
      expect(await store().ttl(key)).toBeNull();
      expect(await store().increment(aKey(), { by: 3, ttlSeconds: 60 })).toBe(3);
    });

    spec('of 50 concurrent increments each gets a distinct count and the total is 50', async () => {
      const key = aKey();
      const counts = await Promise.all(
        Array.from({ length: 50 }, () => store().increment(key, { ttlSeconds: 60 })),
      );
      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(await store().get(key)).toBe('50');
    });

    spec('keeps the window of the first increment: later increments do not extend it', async () => {
      const key = aKey();
      expect(await store().increment(key, { ttlSeconds: 1 })).toBe(1);
      await sleep(600);
      expect(await store().increment(key, { ttlSeconds: 1 })).toBe(2);
      // 1.2 s after the first increment: gone, although the second was only 0.6 s ago
      await sleep(600);
      expect(await store().get(key)).toBeNull();
      expect(await store().increment(key, { ttlSeconds: 1 })).toBe(1);
    });

    spec('reads and deletes a key at once', async () => {
      const key = aKey();
      await store().set(key, 'single-use');
      expect(await store().getAndDelete(key)).toBe('single-use');
      expect(await store().get(key)).toBeNull();
      expect(await store().getAndDelete(key)).toBeNull();
    });

    spec('reads several keys at once, in order, null where absent or expired', async () => {
      const [a, b, gone] = [aKey(), aKey(), aKey()];
      await store().set(a, 'first');
      await store().set(b, 'second', { ttlSeconds: 60 });
      await store().set(gone, 'expiring', { ttlSeconds: 1 });
      await sleep(1_100);
      expect(await readMany(store(), [b, aKey(), a, gone])).toEqual(['second', null, 'first', null]);
      expect(await readMany(store(), [])).toEqual([]);
    });

    spec('of 20 concurrent getAndDelete calls on one key exactly one gets the value', async () => {
      const key = aKey();
      await store().set(key, 'single-use', { ttlSeconds: 60 });
      const results = await Promise.all(Array.from({ length: 20 }, () => store().getAndDelete(key)));
      expect(results.filter((value) => value !== null)).toEqual(['single-use']);
    });

    // GCRA (rateLimit): "now" is given, so the schedule is exact whatever the store's clock
    const t0 = Date.UTC(2030, 0, 1);
    const tenPerSecond = { emissionIntervalMs: 100, burst: 3, cost: 1 };

    spec(
      'rateLimit allows a burst, then one request per emission interval, and denies without counting',
      async () => {
        const key = aKey();
        const at = (ms: number, cost = 1) =>
          store().rateLimit!(key, { ...tenPerSecond, cost, nowMs: t0 + ms });
        expect(await at(0)).toEqual({ allowed: true, remaining: 2, resetMs: 100, retryAfterMs: 0 });
        expect(await at(0)).toEqual({ allowed: true, remaining: 1, resetMs: 200, retryAfterMs: 0 });
        expect(await at(0)).toEqual({ allowed: true, remaining: 0, resetMs: 300, retryAfterMs: 0 });
        expect(await at(0)).toEqual({ allowed: false, remaining: 0, resetMs: 300, retryAfterMs: 100 });
        // a denied request changed nothing: 40 ms later it is 60 ms away
        expect(await at(40)).toEqual({ allowed: false, remaining: 0, resetMs: 260, retryAfterMs: 60 });
        expect(await at(100)).toEqual({ allowed: true, remaining: 0, resetMs: 300, retryAfterMs: 0 });
        // a request costing 3 needs the whole burst back
        expect((await at(250, 3)).retryAfterMs).toBe(150);
        expect((await at(400, 3)).allowed).toBe(true);
      },
    );

    spec('of 40 concurrent rateLimit calls with a burst of 10 exactly 10 are allowed', async () => {
      const key = aKey();
      const results = await Promise.all(
        Array.from({ length: 40 }, () =>
          store().rateLimit!(key, { emissionIntervalMs: 60_000, burst: 10, cost: 1, nowMs: t0 }),
        ),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(10);
      expect(
        results
          .filter((r) => r.allowed)
          .map((r) => r.remaining)
          .sort((a, b) => a - b),
      ).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    spec(
      'rateLimit caps the debt at one burst of the numbers asked with, so a raised limit drains at once',
      async () => {
        const key = aKey();
        // one an hour, spent: the TAT is an hour ahead
        const hourly = { emissionIntervalMs: 3_600_000, burst: 1, cost: 1 };
        expect((await store().rateLimit!(key, { ...hourly, nowMs: t0 })).allowed).toBe(true);
        expect((await store().rateLimit!(key, { ...hourly, nowMs: t0 + 5_000 })).allowed).toBe(false);
        // a thousand a minute: the debt is brought back to one burst (60 s), stored by this denial
        const raised = { emissionIntervalMs: 60, burst: 1000, cost: 1 };
        const first = await store().rateLimit!(key, { ...raised, nowMs: t0 + 5_000 });
        expect(first).toMatchObject({ allowed: false, retryAfterMs: 60 });
        let allowed = 0;
        for (let i = 0; i < 30; i++)
          if ((await store().rateLimit!(key, { ...raised, nowMs: t0 + 6_000 })).allowed) allowed++;
        expect(allowed).toBe(16);
      },
    );

    spec("rateLimit keeps time by the store's own clock when no nowMs is given", async () => {
      const key = aKey();
      const step = { emissionIntervalMs: 60_000, burst: 1, cost: 1 };
      expect((await store().rateLimit!(key, step)).allowed).toBe(true);
      const denied = await store().rateLimit!(key, step);
      expect(denied.allowed).toBe(false);
      expect(denied.retryAfterMs).toBeGreaterThan(55_000);
      expect(denied.retryAfterMs).toBeLessThanOrEqual(60_000);
      // the key lives as long as its schedule does, no longer
      expect(await store().ttl(key)).toBeGreaterThan(55);
      expect(await store().ttl(key)).toBeLessThanOrEqual(60);
    });

    spec('delivers published messages to every subscriber of the channel, in order', async () => {
      const channel = aKey();
      const first: string[] = [];
      const second: string[] = [];
      const unsubscribeFirst = await store().subscribe(channel, (message) => first.push(message));
      const unsubscribeSecond = await store().subscribe(channel, (message) => second.push(message));
      try {
        for (const message of ['one', 'two', 'Ünïcødé 🔔']) await store().publish(channel, message);
        await until(() => first.length === 3 && second.length === 3);
        const sent = ['one', 'two', 'Ünïcødé 🔔'];
        const asDelivered = (received: string[]) =>
          options.unorderedPublish === undefined
            ? received
            : [...received].sort((a, b) => sent.indexOf(a) - sent.indexOf(b));
        expect(asDelivered(first)).toEqual(sent);
        expect(asDelivered(second)).toEqual(sent);
      } finally {
        await unsubscribeFirst();
        await unsubscribeSecond();
      }
    });

    spec('stops delivering after unsubscribe, and never delivers another channel', async () => {
      const channel = aKey();
      const control = aKey();
      const received: string[] = [];
      const controlReceived: string[] = [];
      const unsubscribe = await store().subscribe(channel, (message) => received.push(message));
      const unsubscribeControl = await store().subscribe(control, (message) => controlReceived.push(message));
      try {
        await store().publish(channel, 'before');
        await until(() => received.length === 1);
        await unsubscribe();

        await store().publish(channel, 'after');
        await store().publish(`${channel}-other`, 'elsewhere');
        // messages arrive in order: once the control message is in, 'after' would have been too
        await store().publish(control, 'ping');
        await until(() => controlReceived.length === 1);
        await sleep(50);
        expect(received).toEqual(['before']);
        expect(controlReceived).toEqual(['ping']);
      } finally {
        await unsubscribeControl();
      }
    });

    const unknown = Object.keys(options.skip ?? {}).filter((title) => !titles.has(title));
    if (unknown.length > 0) {
      throw new Error(
        `key-value conformance: skip names no test: ${unknown.map((t) => `"${t}"`).join(', ')}`,
      );
    }
  });
}

/** A key (or channel) no other test uses, so one Redis can serve many test files. */
function aKey(): string {
  return `portcullis-conformance:${randomBytes(8).toString('hex')}`;
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Waits for `condition` (messages arrive asynchronously over a network), for at most 2 s. */
async function until(condition: () => boolean): Promise<void> {
  for (const started = Date.now(); !condition(); await sleep(10)) {
    if (Date.now() - started > 2_000) throw new Error('timed out waiting for a published message');
  }
}
