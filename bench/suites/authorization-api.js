import { setTimeout as sleep } from 'node:timers/promises';
import { createMongoAbility } from '@casl/ability';
import { kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import { redisKeyValue } from '@portcullis/adapter-redis';
import { createAuth } from '@portcullis/core';
import {
  buildPortcullis,
  caslCalls,
  caslRules,
  generateRequests,
  generateTenants,
  portcullisCalls,
  portcullisSubjects,
} from '../lib/authorization-model.js';
import { PORTCULLIS_TABLE_PREFIX } from '../lib/portcullis.js';
import { PORTCULLIS_REDIS_PREFIX } from '../lib/redis.js';

/**
 * `auth.api.authorize` through the public API, awaited, one call at a time, with realistic
 * spacing: each of the active (tenant, member) pairs is asked once per cycle, in a shuffled
 * order spread evenly over the cycle, and a cycle lasts longer than the authorization cache's
 * window (`revalidateAfterMs`, 500 ms), so every pair is revisited after its entry's last
 * check has aged past it. What keeps a decision free of I/O then is the background refresh; a
 * decision that reads the database or Redis shows in the latencies and in the request-path
 * reads counted per 1,000 decisions.
 *
 * For 100, 1,000 and 10,000 active tenants (one active member each), on PostgreSQL and on
 * PostgreSQL + Redis, next to the engine alone (`authorizer.decide` on compiled authorizers held
 * in a Map) and CASL `ability.can()`, both timed in the same paced loop over the same number of
 * tenants of `lib/authorization-model.js`. After the paced cycles, each case also runs back to back
 * over the same pairs (all hot), for throughput comparable across the numbers of tenants (the
 * 10,000-tenant target is against the 1,000-tenant figure). Each paced call is timed on its own (the clock reads are in
 * every figure alike); warm-up cycles are not counted: at least two, and for `auth.api.authorize`
 * until a whole cycle made no request-path read (at most `maxWarmupCycles`).
 *
 * @param {{ levels: number[], cycleMs: number, warmupCycles: number, maxWarmupCycles: number, cycles: number, seedConcurrency: number }} s
 * @param {{ database: import('../lib/databases.js').BenchDatabase, redis?: import('../lib/redis.js').BenchRedis | { skipped: string }, secret: string, log: (line: string) => void }} env
 */
export async function benchAuthorizeApi(s, { database, redis, secret, log }) {
  await migrate(database.db, { direction: 'up', tablePrefix: PORTCULLIS_TABLE_PREFIX });
  const maxTenants = Math.max(...s.levels);
  const seeded = await seedTenants(database, maxTenants, secret, s.seedConcurrency, log);
  const results = [];
  const backends = [{ label: 'PostgreSQL', redis: false }];
  if (redis && !redis.skipped) backends.push({ label: 'PostgreSQL + Redis', redis: true });
  for (const level of s.levels) {
    const asks = seeded.slice(0, level);
    for (const backend of backends) {
      const instance = await openInstance(database, backend.redis ? redis : undefined, secret);
      try {
        const run = await pacedLoop(
          asks,
          s,
          async (ask) => {
            const decision = await instance.auth.api.authorize(ask);
            if (decision.allowed !== ask.expected)
              throw new Error(`wrong decision for ${JSON.stringify(ask)}`);
          },
          instance.counters,
        );
        results.push({ name: `auth.api.authorize, ${backend.label}`, tenants: level, ...run });
        log(formatLine(results.at(-1)));
      } finally {
        await instance.close();
      }
    }
    // the engines alone, on as many tenants of the model (10 roles × 50 permissions each)
    const tenants = generateTenants(level);
    const requests = generateRequests(tenants, level, { ownership: false, seed: 0x5eed + level });
    const authorizers = buildPortcullis(tenants, { ownership: false });
    const decideCalls = portcullisCalls(requests, portcullisSubjects(tenants));
    const engine = await pacedLoop(
      decideCalls.map((c, i) => ({ ...c, expected: requests[i].expected })),
      s,
      (c) => {
        if (authorizers.get(c.tenantId).decide(c.request).allowed !== c.expected)
          throw new Error('engine disagrees');
      },
    );
    results.push({ name: 'engine authorizer.decide (model tenants)', tenants: level, ...engine });
    log(formatLine(results.at(-1)));
    // one Ability per member asked (all 20 per tenant would not fit the heap at 10,000 tenants)
    const abilities = new Map();
    for (const r of requests) {
      const key = `${r.tenant.id}:${r.member.id}`;
      if (!abilities.has(key)) abilities.set(key, createMongoAbility(caslRules(r.tenant, r.member, false)));
    }
    const canCalls = caslCalls(requests);
    const casl = await pacedLoop(
      canCalls.map((c, i) => ({ ...c, expected: requests[i].expected })),
      s,
      (c) => {
        if (abilities.get(c.key).can(c.action, c.type) !== c.expected) throw new Error('CASL disagrees');
      },
    );
    results.push({ name: 'CASL ability.can (model tenants)', tenants: level, ...casl });
    log(formatLine(results.at(-1)));
  }
  return results;
}

/** `name, N tenants: mean, p50, p99 µs; request-path reads per 1,000 decisions`. */
export function formatLine(r) {
  const reads =
    r.requestPathReads === undefined
      ? ''
      : `, request-path reads ${r.requestPathReads.toFixed(1)} per 1,000 (after ${r.warmupCycles} warm-up cycles)`;
  return `  ${r.name}, ${r.tenants.toLocaleString('en-US')} active tenants: mean ${r.meanUs.toFixed(2)} µs (${Math.round(1e6 / r.meanUs).toLocaleString('en-US')} decisions/s of one core), p50 ${r.p50Us.toFixed(2)} µs, p99 ${r.p99Us.toFixed(2)} µs${reads}; back to back ${Math.round(r.tightOpsPerSecond).toLocaleString('en-US')} ops/s`;
}

/**
 * Calls `call(item)` for every item once per cycle, awaited, spread evenly over `cycleMs`;
 * returns the latencies of the counted cycles and, with `counters`, the request-path reads per
 * 1,000 calls.
 */
async function pacedLoop(items, s, call, counters) {
  const order = items.slice();
  const latencies = [];
  let readsBefore = 0;
  // warm-up: at least `warmupCycles`, and with `counters` until a whole cycle made no
  // request-path read (the first cycle fills the caches from the database, slowly: longer than
  // the refresh's active window at 10,000 pairs, so a second cycle refills what went idle)
  let warmupCycles = s.warmupCycles;
  let readsAtCycleStart = 0;
  for (let cycle = 0; cycle < warmupCycles + s.cycles; cycle++) {
    if (counters && cycle < warmupCycles) readsAtCycleStart = counters.requestPathReads;
    if (
      counters &&
      cycle === warmupCycles &&
      counters.requestPathReads > readsAtCycleStart &&
      warmupCycles < s.maxWarmupCycles
    ) {
      warmupCycles += 1;
      readsAtCycleStart = counters.requestPathReads;
    }
    if (cycle === warmupCycles) {
      globalThis.gc?.();
      readsBefore = counters ? counters.requestPathReads : 0;
    }
    shuffle(order);
    const start = performance.now();
    const spacingMs = s.cycleMs / order.length;
    for (let i = 0; i < order.length; i++) {
      const ahead = start + i * spacingMs - performance.now();
      if (ahead >= 1) await sleep(Math.floor(ahead));
      const t0 = process.hrtime.bigint();
      await call(order[i]);
      if (cycle >= warmupCycles) latencies.push(Number(process.hrtime.bigint() - t0) / 1e3);
    }
    if (process.env.BENCH_DEBUG && counters)
      console.error(
        `    cycle ${cycle}: ${(performance.now() - start).toFixed(0)} ms, reads so far ${JSON.stringify(counters.byMethod)}`,
      );
    const rest = start + s.cycleMs - performance.now();
    if (rest >= 1) await sleep(Math.floor(rest));
  }
  // then back to back (no spacing, no per-call clock reads): the throughput of one core when
  // every pair is hot, comparable across the numbers of tenants
  const tightCalls = Math.max(20_000, 2 * order.length);
  const tightStart = process.hrtime.bigint();
  for (let i = 0; i < tightCalls; i++) await call(order[i % order.length]);
  const tightOpsPerSecond = tightCalls / (Number(process.hrtime.bigint() - tightStart) / 1e9);
  latencies.sort((a, b) => a - b);
  const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  const meanUs = latencies.reduce((sum, x) => sum + x, 0) / latencies.length;
  const result = {
    calls: latencies.length,
    warmupCycles,
    meanUs,
    p50Us: at(50),
    p99Us: at(99),
    tightOpsPerSecond,
  };
  if (counters)
    result.requestPathReads = ((counters.requestPathReads - readsBefore) / latencies.length) * 1000;
  return result;
}

function shuffle(array) {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [array[i], array[j]] = [array[j], array[i]];
  }
}

/**
 * `count` tenants (default roles), each with its owner and one more member (alternately
 * `member` and `viewer`), written through `auth.api` on PostgreSQL; returns one ask per tenant:
 * `member.read`, allowed to a member, not to a viewer.
 */
async function seedTenants(database, count, secret, concurrency, log) {
  const storage = kyselyStorage(database.db, { tablePrefix: PORTCULLIS_TABLE_PREFIX });
  const auth = createAuth({
    storage,
    secret,
    baseURL: 'http://localhost:3000',
    rateLimit: { enabled: false },
    outbox: { autoStart: false },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  const started = Date.now();
  const asks = new Array(count);
  let next = 0;
  const runId = Date.now().toString(36);
  async function worker() {
    while (next < count) {
      const t = next++;
      const owner = await auth.api.createUser({ email: `api-owner${t}.${runId}@bench.example` });
      const tenant = await auth.api.createTenant(owner.id, { slug: `api-${runId}-${t}`, name: `API ${t}` });
      const user = await auth.api.createUser({ email: `api-member${t}.${runId}@bench.example` });
      const role = t % 2 === 0 ? 'member' : 'viewer';
      const now = new Date();
      await storage.memberships.create({
        id: crypto.randomUUID(),
        tenantId: tenant.id,
        userId: user.id,
        roles: [role],
        attributes: {},
        createdAt: now,
        updatedAt: now,
      });
      asks[t] = { userId: user.id, tenantId: tenant.id, action: 'member.read', expected: role === 'member' };
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  await auth.close();
  log(`  seeded ${count.toLocaleString('en-US')} tenants in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return asks;
}

/**
 * A fresh Portcullis instance on the seeded tables (cold caches), with Redis as its key-value
 * store when `redis` is given; counts the reads a decision makes on the request path: the
 * membership, the tenant's versions and rules from the database, and single-key Redis reads
 * (the background refresh reads only with `getMany`, which is not counted).
 */
async function openInstance(database, redis, secret) {
  const counters = { requestPathReads: 0, byMethod: {} };
  const storage = kyselyStorage(database.db, { tablePrefix: PORTCULLIS_TABLE_PREFIX });
  const count = (store, method) => {
    const original = store[method].bind(store);
    store[method] = (...args) => {
      counters.requestPathReads++;
      counters.byMethod[method] = (counters.byMethod[method] ?? 0) + 1;
      return original(...args);
    };
  };
  count(storage.memberships, 'find');
  count(storage.authorizationVersions, 'getVersions');
  count(storage.roles, 'listByTenant');
  let kv;
  let client;
  if (redis) {
    client = redis.connect();
    await client.ping();
    const inner = redisKeyValue(client, { keyPrefix: PORTCULLIS_REDIS_PREFIX });
    kv = { ...inner };
    for (const name of ['get', 'setIfAbsent'])
      kv[name] = (...args) => {
        counters.requestPathReads++;
        counters.byMethod[`kv.${name}`] = (counters.byMethod[`kv.${name}`] ?? 0) + 1;
        return inner[name](...args);
      };
    // the methods above are own properties; the rest keep their binding
    for (const [name, fn] of Object.entries(inner)) if (!(name in kv)) kv[name] = fn;
  }
  const auth = createAuth({
    storage,
    ...(kv ? { keyValue: kv } : {}),
    secret,
    baseURL: 'http://localhost:3000',
    rateLimit: { enabled: false },
    outbox: { autoStart: false },
    session: { cache: { enabled: false } },
    logger: {
      debug() {},
      info() {},
      warn: (message, data) => console.warn('[portcullis]', message, data ?? ''),
      error: (message, data) => console.error('[portcullis]', message, data ?? ''),
    },
  });
  return {
    auth,
    counters,
    async close() {
      await auth.close();
      if (kv) await kv.close?.();
    },
  };
}
