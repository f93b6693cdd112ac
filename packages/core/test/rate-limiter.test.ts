import { describe, expect, it } from 'vitest';
import { assertMatchesModel } from '../../../test-support/rate-limit-model.js';
import { isAuthError } from '../src/errors.js';
import { type EventLogger, silentEventLogger } from '../src/logging/index.js';
import { memoryKeyValue } from '../src/memory/index.js';
import type { KeyValue } from '../src/ports/key-value.js';
import { createRateLimiter, type RateLimitPolicy } from '../src/rate-limit/index.js';
import { fakeClock, SECRET } from './support.js';

const noDefaults = { enabled: true, rules: {} };

/** A limiter over a memory store on a fake clock, with the given policies on top of the defaults. */
function limiter(
  policies: RateLimitPolicy[],
  options: { kv?: KeyValue; logger?: EventLogger; clock?: ReturnType<typeof fakeClock> } = {},
) {
  const clock = options.clock ?? fakeClock();
  const kv = options.kv ?? memoryKeyValue({ clock });
  const rateLimiter = createRateLimiter(
    { kv, clock, logger: options.logger ?? silentEventLogger, secret: SECRET },
    { ...noDefaults, policies },
  );
  return { clock, kv, rateLimiter };
}

/** How many of `count` requests the limiter lets through, all at this instant. */
async function admitted(consume: () => Promise<unknown>, count: number): Promise<number> {
  let allowed = 0;
  for (let i = 0; i < count; i++) {
    try {
      await consume();
      allowed++;
    } catch (error) {
      if (!isAuthError(error, 'rate_limited')) throw error;
    }
  }
  return allowed;
}

/** The memory store without its GCRA step: what a third-party KeyValue without `rateLimit` is. */
function withoutGcra(kv: KeyValue): KeyValue {
  const { rateLimit: _, ...rest } = kv;
  return rest;
}

describe('GCRA in the memory key-value store', () => {
  it('decides like the reference leaky bucket on random request sequences', async () => {
    const kv = memoryKeyValue();
    let n = 0;
    await assertMatchesModel(kv, () => `model:${n++}`, 300);
  });
});

describe('the rate limiter', () => {
  const tenAMinute: RateLimitPolicy = {
    name: 'api',
    operations: ['http'],
    key: 'ip',
    limit: 10,
    periodSeconds: 60,
  };

  it('holds at a window boundary where a fixed window lets twice the limit through', async () => {
    // one second before a minute boundary: a fixed window resets a second later
    const start = Date.UTC(2026, 0, 1, 12, 0, 59);
    for (const [store, expected] of [
      ['gcra', 10],
      ['fixed window', 20],
    ] as const) {
      const clock = fakeClock(start);
      const memory = memoryKeyValue({ clock });
      const { rateLimiter } = limiter([tenAMinute], {
        kv: store === 'gcra' ? memory : withoutGcra(memory),
        clock,
      });
      const consume = () => rateLimiter.consume('http', null, { ip: '192.0.2.1' });
      let allowed = await admitted(consume, 10);
      clock.advance(2);
      allowed += await admitted(consume, 10);
      expect(allowed, store).toBe(expected);
    }
  });

  it('answers every policy of an operation, and all must pass', async () => {
    const { rateLimiter } = limiter([
      tenAMinute,
      { name: 'login-route', operations: ['http'], key: ['ip', 'route'], limit: 2, periodSeconds: 60 },
    ]);
    const login = () => rateLimiter.consume('http', null, { ip: '192.0.2.1', route: 'POST /login' });
    const first = await login();
    expect(first?.policies.map((p) => [p.policy, p.remaining])).toEqual([
      ['api', 9],
      ['login-route', 1],
    ]);
    await login();
    const error = await login().catch((e: unknown) => e);
    expect(isAuthError(error, 'rate_limited')).toBe(true);
    expect((error as { violatedPolicies: string[] }).violatedPolicies).toEqual(['login-route']);
    // another route of the same address is another partition of `login-route`; the request
    // `login-route` denied was still counted by `api` (each policy steps on its own)
    const other = await rateLimiter.consume('http', null, { ip: '192.0.2.1', route: 'GET /session' });
    expect(other?.policies.map((p) => [p.policy, p.remaining])).toEqual([
      ['api', 6],
      ['login-route', 1],
    ]);
  });

  it('skips a policy whose key the request lacks, and charges the cost of the route', async () => {
    const { rateLimiter } = limiter([
      { ...tenAMinute, name: 'per-user', key: 'user' },
      { ...tenAMinute, cost: { 'POST /login': 5, 'GET /health': 0 } },
    ]);
    const anonymous = await rateLimiter.consume('http', null, { ip: '192.0.2.1', route: 'POST /login' });
    expect(anonymous?.policies.map((p) => [p.policy, p.remaining])).toEqual([['api', 5]]);
    expect(await rateLimiter.consume('http', null, { ip: '192.0.2.1', route: 'GET /health' })).toBeNull();
    await rateLimiter.consume('http', null, { ip: '192.0.2.1', route: 'POST /login' });
    await expect(
      rateLimiter.consume('http', null, { ip: '192.0.2.1', route: 'POST /login' }),
    ).rejects.toThrow('rate_limited');
  });

  it('evaluates a shadow policy and logs its excess without enforcing it', async () => {
    const warnings: unknown[] = [];
    const logger: EventLogger = {
      ...silentEventLogger,
      warn: (event, fields) => warnings.push({ event, fields }),
    };
    const { rateLimiter } = limiter([{ ...tenAMinute, limit: 1, shadow: true }], { logger });
    const consume = () => rateLimiter.consume('http', null, { ip: '192.0.2.1' });
    expect(await admitted(consume, 5)).toBe(5);
    expect(warnings).toHaveLength(4);
    expect(JSON.stringify(warnings)).not.toContain('192.0.2.1');
  });

  it('remembers an over-limit key until its retry time, without asking the store again', async () => {
    const clock = fakeClock();
    const memory = memoryKeyValue({ clock });
    let steps = 0;
    const counted: KeyValue = {
      ...memory,
      rateLimit: (key, step) => {
        steps++;
        return memory.rateLimit!(key, step);
      },
    };
    const { rateLimiter } = limiter([{ ...tenAMinute, limit: 2 }], { kv: counted, clock });
    const consume = () => rateLimiter.consume('http', null, { ip: '192.0.2.1' });
    expect(await admitted(consume, 50)).toBe(2);
    // two allowed, one denied: the 47 after it never reached the store
    expect(steps).toBe(3);
  });

  it('counts five spellings of one IPv6 address and 100 addresses of its /64 in one bucket', async () => {
    const { rateLimiter } = limiter([{ ...tenAMinute, limit: 105 }]);
    const spellings = [
      '2001:db8:0:1::7',
      '2001:DB8:0:1:0:0:0:7',
      '2001:0db8:0000:0001:0000:0000:0000:0007',
      '[2001:db8:0:1::7]:443',
      '2001:db8:0:1::7%eth0',
    ];
    for (const ip of spellings) await rateLimiter.consume('http', null, { ip });
    for (let i = 0; i < 100; i++)
      await rateLimiter.consume('http', null, { ip: `2001:db8:0:1:${i.toString(16)}:ab:cd:${i + 1}` });
    await expect(rateLimiter.consume('http', null, { ip: '2001:db8:0:1::1' })).rejects.toThrow(
      'rate_limited',
    );
    // the next /64 is another bucket
    expect(await rateLimiter.consume('http', null, { ip: '2001:db8:0:2::1' })).not.toBeNull();
  });

  it('asks the override hook for per-tenant numbers', async () => {
    const clock = fakeClock();
    const rateLimiter = createRateLimiter(
      { kv: memoryKeyValue({ clock }), clock, logger: silentEventLogger, secret: SECRET },
      {
        ...noDefaults,
        policies: [{ ...tenAMinute, key: 'tenant' }],
        override: async (_policy, facts) =>
          facts.tenant === 'big' ? { limit: 100, periodSeconds: 60 } : null,
      },
    );
    expect((await rateLimiter.consume('http', null, { tenant: 'big' }))?.policies[0]?.limit).toBe(100);
    expect((await rateLimiter.consume('http', null, { tenant: 'small' }))?.policies[0]?.limit).toBe(10);
  });
});
