// Rate-limit decisions: Portcullis's GCRA step (memory, and one Lua script on Redis) against
// rate-limiter-flexible on the same Redis and in memory, side by side in one run.
//
//   node bench/suites/rate-limit.js            # 2 s per case
//   BENCH_DURATION_MS=500 node bench/suites/rate-limit.js
//
// Each case keeps `concurrency` calls in flight for the duration, over 1,000 keys with a limit
// high enough that every call is allowed (the common path), and reports decisions per second
// and p50/p99 latency. What is measured is the store step (`KeyValue.rateLimit`), the part both
// libraries share; the limiter around it (policy lookup, the keyed hash of the partition) adds
// the same few µs on every path. Not final figures: see docs/benchmarks.md for how runs are made.

import { redisKeyValue } from '@portcullis/adapter-redis';
import { memoryKeyValue } from '@portcullis/core/memory';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';

const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const DURATION_MS = Number(process.env.BENCH_DURATION_MS || 2_000);
const CONCURRENCY = 16;
const KEYS = Array.from({ length: 1_000 }, (_, i) => `bench-key-${i}`);
// one million a minute, bursts of a million: never denied
const LIMIT = 1_000_000;
const PERIOD_SECONDS = 60;

/** Runs `op` with CONCURRENCY calls in flight for DURATION_MS; decisions/s and latencies in µs. */
export async function measure(name, op) {
  // warm-up: enough calls for the JIT to settle on both sides
  for (let i = 0; i < 50_000; i++) await op(KEYS[i % KEYS.length]);
  const latencies = [];
  let calls = 0;
  const started = performance.now();
  const worker = async () => {
    while (performance.now() - started < DURATION_MS) {
      const t = performance.now();
      await op(KEYS[calls++ % KEYS.length]);
      latencies.push((performance.now() - t) * 1000);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  return { name, perSecond: Math.round(calls / seconds), p50: at(0.5), p99: at(0.99) };
}

/** Every case, in one run; the Redis ones skipped when Redis does not answer. */
export async function benchRateLimit() {
  const step = { emissionIntervalMs: Math.ceil((PERIOD_SECONDS * 1000) / LIMIT), burst: LIMIT, cost: 1 };
  const results = [];

  const memory = memoryKeyValue();
  results.push(await measure('Portcullis GCRA, memory', (key) => memory.rateLimit(key, step)));
  const flexibleMemory = new RateLimiterMemory({ points: LIMIT, duration: PERIOD_SECONDS });
  results.push(await measure('rate-limiter-flexible, memory', (key) => flexibleMemory.consume(key, 1)));

  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
  } catch {
    console.log(`Redis at ${REDIS_URL} unreachable: Redis cases skipped`);
    return results;
  }
  try {
    const prefix = `bench-rl:${Date.now()}:`;
    const kv = redisKeyValue(redis, { keyPrefix: prefix });
    results.push(
      await measure('Portcullis GCRA, Redis (Lua, server TIME)', (key) => kv.rateLimit(key, step)),
    );
    const flexibleRedis = new RateLimiterRedis({
      storeClient: redis,
      points: LIMIT,
      duration: PERIOD_SECONDS,
      keyPrefix: `${prefix}flexible`,
    });
    results.push(await measure('rate-limiter-flexible, Redis', (key) => flexibleRedis.consume(key, 1)));
    await kv.close();
  } finally {
    redis.disconnect();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await benchRateLimit();
  for (const r of results) {
    console.log(
      `${r.name.padEnd(44)} ${String(r.perSecond).padStart(9)}/s   p50 ${r.p50.toFixed(1)} µs   p99 ${r.p99.toFixed(1)} µs`,
    );
  }
}
