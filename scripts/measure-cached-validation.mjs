#!/usr/bin/env node
/**
 * Mean time of one cached `auth.api.validateSessionToken` (an L1 hit), one call in flight, with
 * the session cache over PostgreSQL + Redis as an app configures it. A quick measurement for the
 * session fast path, not part of `bench/` (whose suites compare with peers): it borrows the
 * bench package's installed drivers and the built packages (`pnpm build` first).
 *
 *   PORTCULLIS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
 *   PORTCULLIS_TEST_REDIS_URL=redis://127.0.0.1:6379 \
 *   node scripts/measure-cached-validation.mjs [calls=200000] [rounds=5]
 *
 * Prints each round's mean and the median of the rounds. Figures taken on a busy machine are noise.
 * With PORTCULLIS_CHECKOUT=/path/to/another/worktree it measures that checkout's built packages.
 */
import { createRequire } from 'node:module';

// PORTCULLIS_CHECKOUT=<another worktree> measures that checkout's build (e.g. main, for a before/after)
const checkout = process.env.PORTCULLIS_CHECKOUT
  ? new URL(`file://${process.env.PORTCULLIS_CHECKOUT.replace(/\/?$/, '/')}`)
  : new URL('../', import.meta.url);
const require = createRequire(new URL('bench/package.json', checkout));
const { Kysely, PostgresDialect, sql } = require('kysely');
const pg = require('pg');
const { Redis } = require('ioredis');
const { kyselyStorage, migrate } = require('@portcullis/adapter-kysely');
const { redisKeyValue } = require('@portcullis/adapter-redis');
const { createAuth, silentLogger } = require('@portcullis/core');

const postgresUrl = process.env.PORTCULLIS_TEST_POSTGRES_URL;
const redisUrl = process.env.PORTCULLIS_TEST_REDIS_URL;
if (!postgresUrl || !redisUrl) {
  console.error('set PORTCULLIS_TEST_POSTGRES_URL and PORTCULLIS_TEST_REDIS_URL');
  process.exit(2);
}
const calls = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 5);

const tablePrefix = `measure_${process.pid}_`;
const redisPrefix = `portcullis-measure:${process.pid}:`;
const db = new Kysely({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: postgresUrl, max: 4 }) }),
});
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
await migrate(db, { direction: 'up', tablePrefix });
const keyValue = redisKeyValue(redis, { keyPrefix: redisPrefix });
const auth = createAuth({
  storage: kyselyStorage(db, { tablePrefix }),
  keyValue,
  secret: 'measure-secret-0123456789-abcdefghijklmnop',
  baseURL: 'http://localhost:3000',
  logger: silentLogger,
  outbox: { autoStart: false },
  rateLimit: { enabled: false },
});

try {
  const signedUp = await auth.api.signUp({
    email: `measure.${process.pid}@example.com`,
    password: 'correct horse battery staple',
  });
  if ('pending' in signedUp) throw new Error('unexpected pending sign-up');
  const { token } = signedUp;
  if (!(await auth.api.validateSessionToken(token))) throw new Error('the session does not validate');

  // warm up: JIT, the L1 entry, the Redis connection
  for (let i = 0; i < 50_000; i++) await auth.api.validateSessionToken(token);

  const means = [];
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) {
      if ((await auth.api.validateSessionToken(token)) === null) throw new Error('a validation failed');
    }
    const meanNs = Number(process.hrtime.bigint() - started) / calls;
    means.push(meanNs);
    console.log(`round ${round + 1}: ${(meanNs / 1000).toFixed(2)} µs mean over ${calls} calls`);
  }
  means.sort((a, b) => a - b);
  console.log(
    `median of rounds: ${(means[Math.floor(means.length / 2)] / 1000).toFixed(2)} µs (node ${process.version})`,
  );
} finally {
  await auth.close();
  await keyValue.close(); // its subscriber connection
  const keys = await redis.keys(`${redisPrefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  // this run's tables, and any left by an interrupted run
  const { rows } = await sql`select tablename from pg_tables where tablename like 'measure\_%'`.execute(db);
  if (rows.length)
    await sql.raw(`drop table ${rows.map((r) => `"${r.tablename}"`).join(', ')} cascade`).execute(db);
  await db.destroy();
}
