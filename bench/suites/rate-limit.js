// Rate-limit decisions: Portcullis's GCRA step against rate-limiter-flexible, on the same Redis
// (one Lua script per decision on both sides) and in memory, side by side in one run.
//
//   pnpm --filter @portcullis/bench bench:rate-limit     # ≈ 40 s; needs the packages built
//   BENCH_QUICK=1 node --expose-gc bench/suites/rate-limit.js   # smoke run, never to quote
//
// See docs/benchmarks.md ("Rate-limit decisions") for what is compared and why it is fair.

import { createHmac, randomBytes } from 'node:crypto';
import os from 'node:os';
import { redisKeyValue } from '@portcullis/adapter-redis';
import { memoryKeyValue } from '@portcullis/core/memory';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { compareInterleaved, compareSequential, perRoundRatio } from '../lib/harness.js';
import { openRedis } from '../lib/redis.js';

const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const QUICK = process.env.BENCH_QUICK === '1';
/** Every key this suite writes starts with this; deleted at the start and at the end. */
const REDIS_PREFIX = 'portcullis-bench-rl:';
const SETTINGS = {
  concurrency: 16, // Redis cases: decisions in flight, on one ioredis client per library
  warmupMs: QUICK ? 300 : 1000,
  rounds: QUICK ? 2 : 6,
  roundMs: Number(process.env.BENCH_RATE_LIMIT_ROUND_MS) || (QUICK ? 200 : 1000),
};
/** The partitions (clients, tenants…) the decisions are spread over, one picked at random per call. */
const PARTITIONS = 10_000;
// the same limit on both sides: 60,000 a minute, bursts of 60,000 (one GCRA emission interval
// is 1 ms, a whole number, so Portcullis's rounding up changes nothing); no partition comes near
// it, and every case fails the run on a denial, so both measure the allowing path
const LIMIT = 60_000;
const PERIOD_SECONDS = 60;

/**
 * The four cases, Redis's two interleaved with each other, memory's two with each other:
 *
 * - Portcullis: what its limiter does per policy and request (`createRateLimiter` is internal,
 *   so this is its two steps, done through public code): the partition's keyed hash (HMAC-SHA-256
 *   of policy and partition under a secret, 18 bytes in base64url, as the limiter names its
 *   keys, so no raw address or id reaches the store; kept for the last 50,000 partitions seen,
 *   as the limiter keeps it), then `KeyValue.rateLimit` (GCRA) on
 *   `redisKeyValue` (one EVALSHA, the server's clock) or `memoryKeyValue()`;
 * - rate-limiter-flexible `consume(partition, 1)` on `RateLimiterRedis` (its Lua script through
 *   ioredis `defineCommand`: one EVALSHA) or `RateLimiterMemory`, the same points and duration,
 *   the raw partition as its key, as its docs use it.
 *
 * On Redis each library has its own ioredis client with the same options (no auto-pipelining):
 * `SETTINGS.concurrency` decisions in flight on each, each started in a macrotask of its own
 * (`compareInterleaved`), and every command each client sends is counted (`sendCommand`), so the
 * run shows the round trips per decision of both. In memory, one decision awaited after another
 * (`compareSequential`). Redis is skipped when unreachable.
 */
export async function benchRateLimit(settings = SETTINGS) {
  const partitions = Array.from({ length: PARTITIONS }, (_, i) => `ip=10.${(i >> 8) & 255}.${i & 255}.7`);
  const pick = () => partitions[Math.floor(Math.random() * partitions.length)];
  const partitionSecret = randomBytes(32);
  // as the limiter does: a partition's keyed hash is kept for the last 50,000 partitions seen
  const storageKeys = new Map();
  const storageKey = (partition) => {
    let key = storageKeys.get(partition);
    if (key === undefined) {
      const hash = createHmac('sha256', partitionSecret).update(`bench\n${partition}`, 'utf8').digest();
      key = `rl:bench:${hash.subarray(0, 18).toString('base64url')}`;
      if (storageKeys.size >= 50_000) storageKeys.delete(storageKeys.keys().next().value);
      storageKeys.set(partition, key);
    }
    return key;
  };
  const step = { emissionIntervalMs: (PERIOD_SECONDS * 1000) / LIMIT, burst: LIMIT, cost: 1 };
  const portcullisAllowed = (result) => {
    if (!result?.allowed) throw new Error('Portcullis denied a decision the limit allows');
  };
  const flexibleAllowed = (result) => {
    if (!(result?.remainingPoints >= 0)) throw new Error('rate-limiter-flexible answered no RateLimiterRes');
  };

  const out = { memory: null, redis: null, skippedRedis: null };
  const memory = memoryKeyValue();
  const flexibleMemory = new RateLimiterMemory({ points: LIMIT, duration: PERIOD_SECONDS });
  out.memory = await compareSequential(
    [
      {
        key: 'portcullis',
        name: 'Portcullis: keyed partition + GCRA step, memory',
        op: () => memory.rateLimit(storageKey(pick()), step),
        check: portcullisAllowed,
      },
      {
        // informational: what the keyed hash costs of the decision above
        key: 'portcullisStep',
        name: 'Portcullis: GCRA step alone, memory (informational)',
        op: () => memory.rateLimit(`rl:bench:${pick()}`, step),
        check: portcullisAllowed,
      },
      {
        key: 'flexible',
        name: 'rate-limiter-flexible RateLimiterMemory.consume',
        op: () => flexibleMemory.consume(pick(), 1),
        check: flexibleAllowed,
      },
    ],
    settings,
  );
  await memory.close?.();

  const redis = await openRedis(REDIS_URL, { prefix: REDIS_PREFIX });
  if (redis.skipped) {
    out.skippedRedis = redis.skipped;
    return out;
  }
  out.redisVersion = redis.version;
  try {
    const clients = { portcullis: redis.connect(), flexible: redis.connect() };
    const commands = { portcullis: {}, flexible: {} };
    for (const [name, client] of Object.entries(clients)) {
      await client.ping();
      countCommands(client, commands[name]);
    }
    const kv = redisKeyValue(clients.portcullis, { keyPrefix: `${REDIS_PREFIX}pc:` });
    const flexibleRedis = new RateLimiterRedis({
      storeClient: clients.flexible,
      points: LIMIT,
      duration: PERIOD_SECONDS,
      keyPrefix: `${REDIS_PREFIX}flexible`,
    });
    const cases = [
      {
        key: 'portcullis',
        name: 'Portcullis: keyed partition + GCRA step, Redis (Lua)',
        op: () => kv.rateLimit(storageKey(pick()), step),
        check: portcullisAllowed,
      },
      {
        key: 'flexible',
        name: 'rate-limiter-flexible RateLimiterRedis.consume (Lua)',
        op: () => flexibleRedis.consume(pick(), 1),
        check: flexibleAllowed,
      },
    ];
    // commands per decision over the measured rounds: the meter reads both clients' counts
    const meter = {
      read: async () =>
        Object.fromEntries(
          Object.entries(commands).flatMap(([lib, counts]) =>
            Object.entries(counts).map(([command, n]) => [`${lib}:${command}`, n]),
          ),
        ),
    };
    out.redis = await compareInterleaved(cases, settings, meter);
    for (const c of cases) {
      const own = Object.entries(out.redis[c.key].meteredPerOp ?? {}).filter(([k]) =>
        k.startsWith(`${c.key}:`),
      );
      out.redis[c.key].commandsPerDecision = Object.fromEntries(
        own.map(([k, v]) => [k.slice(c.key.length + 1), v]),
      );
    }
    await kv.close();
  } finally {
    await redis.close();
  }
  return out;
}

/** Counts every command `client` sends, by name, into `counts` (top-level only: a script's own calls run on the server). */
function countCommands(client, counts) {
  const send = client.sendCommand.bind(client);
  client.sendCommand = (command, ...rest) => {
    counts[command.name] = (counts[command.name] ?? 0) + 1;
    return send(command, ...rest);
  };
}

/** Report lines for {@link benchRateLimit}'s results. */
export function rateLimitLines(out) {
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  const ratio = (r) =>
    `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)}×; totals ${r.total.toFixed(2)}×)`;
  const lines = [];
  for (const r of Object.values(out.memory))
    lines.push(`  ${r.name.padEnd(56)} ${fmt(r.opsPerSecond).padStart(10)}/s`);
  if (out.redis) {
    for (const r of Object.values(out.redis)) {
      const commands = Object.entries(r.commandsPerDecision)
        .map(([name, n]) => `${n.toFixed(2)} ${name}`)
        .join(', ');
      lines.push(
        `  ${r.name.padEnd(56)} ${fmt(r.opsPerSecond).padStart(10)}/s   p50 ${(r.p50Ms * 1000).toFixed(0)} µs   p99 ${(r.p99Ms * 1000).toFixed(0)} µs   commands per decision: ${commands || 'none'}`,
      );
    }
  } else {
    lines.push(`  Redis cases skipped: ${out.skippedRedis} (set BENCH_REDIS_URL)`);
  }
  lines.push(
    '',
    'Portcullis ÷ rate-limiter-flexible (throughput; median of the per-round ratios, range, ratio of the totals)',
  );
  lines.push(`  memory  ${ratio(perRoundRatio(out.memory.portcullis, out.memory.flexible))}`);
  if (out.redis) lines.push(`  Redis   ${ratio(perRoundRatio(out.redis.portcullis, out.redis.flexible))}`);
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cpus = os.cpus();
  console.log('Portcullis benchmarks: rate-limit decisions vs rate-limiter-flexible');
  console.log(
    `  machine   ${os.availableParallelism()} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`,
  );
  console.log(
    `  load      ${PARTITIONS.toLocaleString('en-US')} partitions, a random one per decision; limit ${LIMIT.toLocaleString('en-US')} per ${PERIOD_SECONDS} s on both sides (never reached); ` +
      `per case ${SETTINGS.warmupMs / 1000} s warm-up + ${SETTINGS.rounds} × ${SETTINGS.roundMs / 1000} s, rounds interleaved; Redis ${SETTINGS.concurrency} in flight, memory one at a time` +
      `${QUICK ? ' (BENCH_QUICK: do not quote these figures)' : ''}`,
  );
  const out = await benchRateLimit();
  if (out.redisVersion) console.log(`  redis     ${out.redisVersion}`);
  for (const line of rateLimitLines(out)) console.log(line);
  // RateLimiterMemory keeps a timer per key until its duration ends: everything is printed
  process.exit(0);
}
