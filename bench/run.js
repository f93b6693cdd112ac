// Side-by-side benchmarks of Portcullis and better-auth on the same databases, in one run.
// `pnpm bench` at the repo root builds the packages first. See docs/benchmarks.md.
// `node --expose-gc run.js authorization` runs the authorization suite instead (Portcullis vs
// casbin vs CASL; ≈ 6 min, so not part of the default run); `run.js api-keys` the API-key
// verification suite (Portcullis vs better-auth's api-key plugin).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { PORTCULLIS_VERSION } from '@portcullis/core';
import { authorizationFailed, printAuthorizationSummary } from './lib/authorization-report.js';
import { setUpBetterAuth, setUpBetterAuthRedis } from './lib/better-auth.js';
import { openPostgres, openSqlite } from './lib/databases.js';
import { createCachedPortcullis, loggedProblems, setUpPortcullis } from './lib/portcullis.js';
import { openRedis } from './lib/redis.js';
import { formatCaseLine, formatCostLine, formatRevocationLine, printSummary } from './lib/report.js';
import { apiKeyLines, benchApiKeyVerification } from './suites/api-keys.js';
import { benchAuthorization } from './suites/authorization.js';
import { benchAuthorizeApi } from './suites/authorization-api.js';
import { benchPasswordSignIn, signInRatioLines, signInTargetLines } from './suites/password-sign-in.js';
import { benchCachedValidationCost, benchRevocation } from './suites/redis-cache.js';
import { benchSessionValidation } from './suites/session-validation.js';
import { benchTokenVerification, tokenVerificationLines } from './suites/token-verification.js';

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const QUICK = process.env.BENCH_QUICK === '1';
const USER_COUNT = 1000;
const PASSWORD = 'bench-password-Kq7!vR2#xT9';
const SECRET = randomBytes(32).toString('base64');
const BASE_URL = 'http://localhost:3000';
// per case: a warm-up, then `rounds` measured rounds of `roundMs`, interleaved with the other cases
const SESSION_SETTINGS = {
  concurrency: 8,
  warmupMs: QUICK ? 300 : 1000,
  rounds: 6,
  roundMs: QUICK ? 150 : 500,
};
// long rounds: a round ends by draining its last calls (each ~90 ms at 8 in flight), which leaves
// the argon2 threads part idle; at 0.8 s that drain was several percent of a round and noisy
const SIGN_IN_SETTINGS = {
  concurrency: 8,
  warmupMs: QUICK ? 300 : 1500,
  rounds: QUICK ? 3 : 8,
  roundMs: QUICK ? 300 : 1500,
};
// single-in-flight cost of a cached validation, and revocation across two instances
const COST_SETTINGS = { calls: QUICK ? 20_000 : 100_000, contextCalls: QUICK ? 500 : 3000 };
const REVOCATION_SETTINGS = { count: QUICK ? 10 : 50, lostCount: QUICK ? 3 : 10, pollMs: 5 };
// the authorization suite (`run.js authorization`): see suites/authorization.js
const AUTHORIZATION_SETTINGS = {
  tenants: 1000,
  poolSize: 1 << 16, // random requests per case, cycled through while timing
  verifyCount: 10_000, // Portcullis and CASL against the reference, on the 1,000-tenant model
  casbinVerifyCount: QUICK ? 10 : 100, // casbin on the 1,000-tenant model (each call takes ~0.1–0.5 s)
  smallTenants: 10, // all three on the first 10 tenants of the same model…
  smallVerifyCount: QUICK ? 1000 : 10_000, // …on this many requests
  warmupMs: QUICK ? 200 : 1000,
  rounds: QUICK ? 3 : 6,
  roundMs: QUICK ? 150 : 500,
  slowRoundMs: QUICK ? 300 : 1500, // casbin, per round (at least one call)
  latencyCalls: QUICK ? 50_000 : 200_000,
  scaling: {
    levels: [10, 100, 1000, 10_000],
    casbinRequests: 1000,
    casbinMs: QUICK ? 1000 : 5000,
    casbinMinCalls: QUICK ? 2 : 5,
  },
};
// `auth.api.authorize` end to end, awaited, paced so that each pair is revisited after more than
// the cache's window (`run.js authorize-api`, see suites/authorization-api.js)
const API_AUTHORIZE_SETTINGS = {
  levels: process.env.BENCH_AUTHORIZE_LEVELS?.split(',').map(Number) ?? [100, 1000, 10_000],
  cycleMs: 750, // > authorization.revalidateAfterMs (500 ms)
  warmupCycles: 2,
  maxWarmupCycles: 6,
  cycles: QUICK ? 2 : 8,
  seedConcurrency: 8,
};
// access-token verification (`run.js tokens`): see suites/token-verification.js
const TOKEN_SETTINGS = {
  concurrency: 8,
  warmupMs: QUICK ? 200 : 1000,
  rounds: QUICK ? 2 : 6,
  // 2 s rounds: at 0.5 s the per-round ratios spread over ±20% (docs/benchmarks.md)
  roundMs: Number(process.env.BENCH_TOKENS_ROUND_MS) || (QUICK ? 100 : 2000),
};
// API-key verification (`run.js api-keys`): see suites/api-keys.js
const API_KEY_SETTINGS = {
  concurrency: 8,
  warmupMs: QUICK ? 300 : 1000,
  rounds: QUICK ? 2 : 6,
  roundMs: Number(process.env.BENCH_API_KEYS_ROUND_MS) || (QUICK ? 200 : 1000),
};
const API_KEY_SEED = { owners: 100, keysPerOwner: 10, countCalls: QUICK ? 500 : 5000 };
const describe = (s) => `${s.warmupMs / 1000} s warm-up + ${s.rounds} × ${s.roundMs / 1000} s`;

const packageVersion = (name) =>
  JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;

const onResult = (row) => console.log(formatCaseLine(row));

async function main() {
  if (process.argv[2] === 'authorization') return mainAuthorization();
  if (process.argv[2] === 'sign-in') return mainSignIn();
  if (process.argv[2] === 'authorize-api') return mainAuthorizeApi();
  if (process.argv[2] === 'tokens') return mainTokens();
  if (process.argv[2] === 'api-keys') return mainApiKeys();
  const startedAt = Date.now();
  const cpus = os.cpus();
  const machine = {
    cpus: `${os.availableParallelism()} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    libraries: `Portcullis ${PORTCULLIS_VERSION} · better-auth ${packageVersion('better-auth')} · @node-rs/argon2 ${packageVersion('@node-rs/argon2')} · kysely ${packageVersion('kysely')} · ioredis ${packageVersion('ioredis')}`,
  };
  console.log('Portcullis benchmarks');
  console.log(`  machine   ${machine.cpus}, ${machine.memory}, Node ${machine.node}`);
  console.log(`  libraries ${machine.libraries}`);
  console.log(
    `  load      ${USER_COUNT} users with one session each per library; ${SESSION_SETTINGS.concurrency} calls in flight; ` +
      `per case: sessions ${describe(SESSION_SETTINGS)}, sign-in ${describe(SIGN_IN_SETTINGS)}, rounds interleaved`,
  );
  console.log(
    '  note      better-auth hashes passwords with scrypt (N=16384, r=16, p=1) by default; Portcullis with argon2id (m=19456, t=2, p=1).',
  );

  const databases = [];
  databases.push(await openSqlite());
  const postgres = await openPostgres(POSTGRES_URL);
  if (postgres.skipped)
    console.log(`  note      skipping PostgreSQL: ${postgres.skipped} (set BENCH_POSTGRES_URL)`);
  else databases.push(postgres);
  for (const d of databases) console.log(`  database  ${d.version}`);
  // the Redis cases run on PostgreSQL only: both libraries' caches in front of the same server
  const redis = postgres.skipped
    ? { skipped: 'they run on PostgreSQL, which is skipped' }
    : await openRedis(REDIS_URL);
  if (redis.skipped)
    console.log(
      `  note      skipping the Redis cases: ${redis.skipped}${postgres.skipped ? '' : ' (set BENCH_REDIS_URL)'}`,
    );
  else console.log(`  redis     ${redis.version}`);

  const options = { userCount: USER_COUNT, password: PASSWORD, secret: SECRET, baseURL: BASE_URL };
  const results = {
    session: {},
    signIn: {},
    skippedPostgres: postgres.skipped ?? null,
    skippedRedis: redis.skipped ?? null,
  };
  try {
    await runDatabases(databases, redis, options, results);
  } finally {
    if (!redis.skipped) await redis.close();
  }

  printSummary(results, { seconds: (Date.now() - startedAt) / 1000, loggedProblems });
  console.log(
    '\n(authorization decisions vs casbin and CASL: `node --expose-gc run.js authorization` in bench/)',
  );
}

async function mainAuthorization() {
  const startedAt = Date.now();
  const cpus = os.cpus();
  console.log('Portcullis authorization benchmarks: Portcullis vs casbin vs CASL');
  console.log(
    `  machine   ${os.availableParallelism()} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
  );
  console.log(
    `  libraries Portcullis ${PORTCULLIS_VERSION} · casbin ${packageVersion('casbin')} · @casl/ability ${packageVersion('@casl/ability')}`,
  );
  const s = AUTHORIZATION_SETTINGS;
  console.log(
    `  model     ${s.tenants.toLocaleString('en-US')} tenants × 10 roles × 50 permissions, 20 members per tenant; ` +
      `one call at a time; per case ${s.warmupMs / 1000} s warm-up + ${s.rounds} × ${s.roundMs / 1000} s (casbin ${s.rounds} × ${s.slowRoundMs / 1000} s), rounds interleaved`,
  );
  if (!globalThis.gc) console.log('  note      run with --expose-gc to collect garbage between rounds');
  const results = await benchAuthorization(s, (line) => console.log(line));
  console.log(
    '\n(the whole API path, auth.api.authorize on PostgreSQL and Redis: `node --expose-gc run.js authorize-api`)',
  );
  printAuthorizationSummary(results, { seconds: (Date.now() - startedAt) / 1000 });
  if (authorizationFailed(results)) process.exitCode = 1;
}

/** `run.js authorize-api`: `auth.api.authorize` awaited, 100 to 10,000 active tenants, PostgreSQL and + Redis. */
async function mainAuthorizeApi() {
  const s = API_AUTHORIZE_SETTINGS;
  console.log('Portcullis auth.api.authorize, awaited, one call at a time, realistic spacing');
  console.log(
    `  load      each active pair asked once per ${s.cycleMs} ms cycle (> the 500 ms cache window); ${s.warmupCycles} warm-up + ${s.cycles} counted cycles per case`,
  );
  const postgres = await openPostgres(POSTGRES_URL);
  if (postgres.skipped) {
    console.log(`  skipped: ${postgres.skipped} (set BENCH_POSTGRES_URL)`);
    return;
  }
  const redis = await openRedis(REDIS_URL);
  console.log(`  database  ${postgres.version}`);
  console.log(
    redis.skipped ? `  note      skipping Redis: ${redis.skipped}` : `  redis     ${redis.version}`,
  );
  try {
    await benchAuthorizeApi(s, {
      database: postgres,
      redis,
      secret: SECRET,
      log: (line) => console.log(line),
    });
  } finally {
    if (!redis.skipped) await redis.close();
    await postgres.close();
  }
}

/** `run.js sign-in`: only the password sign-in comparison, on every database. */
async function mainSignIn() {
  const concurrency = Number(process.env.BENCH_CONCURRENCY || SIGN_IN_SETTINGS.concurrency);
  const settings = { ...SIGN_IN_SETTINGS, concurrency };
  console.log(`Portcullis sign-in benchmark, ${concurrency} in flight`);
  const databases = [await openSqlite()];
  const postgres = await openPostgres(POSTGRES_URL);
  if (!postgres.skipped) databases.push(postgres);
  const options = { userCount: USER_COUNT, password: PASSWORD, secret: SECRET, baseURL: BASE_URL };
  const results = [];
  for (const database of databases) {
    const portcullis = await setUpPortcullis(database, options);
    const betterAuth = await setUpBetterAuth(database, options);
    try {
      console.log(`${database.label}: password sign-in`);
      const r = await benchPasswordSignIn(database, portcullis, betterAuth, PASSWORD, settings, onResult);
      results.push([database, r]);
    } finally {
      await portcullis.close();
      await database.close();
    }
  }
  console.log('\nRatios (throughput)');
  for (const [database, r] of results)
    for (const line of signInRatioLines(database.label, r)) console.log(line);
  console.log('\nTargets');
  for (const [database, r] of results)
    for (const line of signInTargetLines(database.label, r)) console.log(line);
}

async function runDatabases(databases, redis, options, results) {
  for (const database of databases) {
    console.log(`\n${database.label}: seeding ${USER_COUNT} users and sessions per library…`);
    const seedStart = Date.now();
    const portcullis = await setUpPortcullis(database, options);
    const betterAuth = await setUpBetterAuth(database, options);
    const withRedis = database.name === 'postgres' && !redis.skipped;
    const cached = withRedis ? await createCachedPortcullis(database, redis, options) : null;
    const betterAuthRedis = withRedis
      ? await setUpBetterAuthRedis(database, redis, betterAuth.users, options)
      : null;
    console.log(`${database.label}: seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);
    try {
      console.log(
        `${database.label}: session validation (cookie → user)${withRedis ? ', with and without Redis' : ''}`,
      );
      results.session[database.label] = await benchSessionValidation(
        database,
        portcullis,
        betterAuth,
        SESSION_SETTINGS,
        onResult,
        withRedis ? { portcullis: cached, betterAuth: betterAuthRedis } : undefined,
      );
      const touched = await countTouchedSessions(database, portcullis.sessionsTable);
      console.log(
        `${database.label}: Portcullis sessions whose lastSeenAt was written during the run: ${touched}`,
      );
      if (withRedis) {
        console.log(`${database.label}: cost of one cached validation, one call in flight`);
        results.cost = await benchCachedValidationCost(
          { portcullis, cached, betterAuthRedis },
          COST_SETTINGS,
        );
        for (const r of Object.values(results.cost)) console.log(formatCostLine(r));
        await cached.close();
        console.log(
          `${database.label}: revocation through instance A, seen by instance B (polled every ${REVOCATION_SETTINGS.pollMs} ms)`,
        );
        results.revocation = await benchRevocation(database, redis, portcullis, options, REVOCATION_SETTINGS);
        console.log(formatRevocationLine('pub/sub delivered', results.revocation.viaPubSub));
        console.log(formatRevocationLine('pub/sub ignored by B', results.revocation.lostMessages));
      }
      console.log(`${database.label}: password sign-in`);
      results.signIn[database.label] = await benchPasswordSignIn(
        database,
        portcullis,
        betterAuth,
        PASSWORD,
        SIGN_IN_SETTINGS,
        onResult,
      );
    } finally {
      await cached?.close();
      await portcullis.close();
      await database.close();
    }
  }
}

/** `run.js tokens`: access-token verification, Portcullis's verifier against raw jose. */
async function mainTokens() {
  const cpus = os.cpus();
  console.log('Portcullis benchmarks: token verification');
  console.log(
    `  machine   ${os.availableParallelism()} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`,
  );
  console.log(
    `  libraries Portcullis ${PORTCULLIS_VERSION} · jose ${packageVersion('jose')}; ${TOKEN_SETTINGS.concurrency} calls in flight; ` +
      `per case ${describe(TOKEN_SETTINGS)}, rounds interleaved; repeated token ${describe(TOKEN_SETTINGS)}, one call at a time${QUICK ? ' (BENCH_QUICK: do not quote these figures)' : ''}`,
  );
  for (const line of tokenVerificationLines(await benchTokenVerification(TOKEN_SETTINGS))) console.log(line);
}

/** `run.js api-keys`: API-key verification, Portcullis (cached, uncached) against better-auth and a raw PK select. */
async function mainApiKeys() {
  const cpus = os.cpus();
  const log = (line) => console.log(line);
  console.log('Portcullis benchmarks: API-key verification');
  console.log(
    `  machine   ${os.availableParallelism()} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
  );
  console.log(
    `  libraries Portcullis ${PORTCULLIS_VERSION} · better-auth ${packageVersion('better-auth')} · @better-auth/api-key ${packageVersion('@better-auth/api-key')} · kysely ${packageVersion('kysely')}`,
  );
  console.log(
    `  load      ${(API_KEY_SEED.owners * API_KEY_SEED.keysPerOwner).toLocaleString('en-US')} keys per library (${API_KEY_SEED.owners} owners × ${API_KEY_SEED.keysPerOwner}), a random one per call; ` +
      `${API_KEY_SETTINGS.concurrency} calls in flight; per case ${describe(API_KEY_SETTINGS)}, rounds interleaved${QUICK ? ' (BENCH_QUICK: do not quote these figures)' : ''}`,
  );
  const databases = [await openSqlite()];
  const postgres = await openPostgres(POSTGRES_URL, {
    database: 'portcullis_bench_api_keys',
    countStatements: true,
  });
  if (postgres.skipped)
    console.log(`  note      skipping PostgreSQL: ${postgres.skipped} (set BENCH_POSTGRES_URL)`);
  else databases.push(postgres);
  for (const d of databases) console.log(`  database  ${d.version}`);
  const options = {
    ...API_KEY_SEED,
    password: PASSWORD,
    secret: SECRET,
    baseURL: BASE_URL,
  };
  const all = [];
  for (const database of databases) {
    try {
      console.log(`\n${database.label}: API-key verification`);
      // better-auth on PostgreSQL, the database the goal names
      all.push(
        await benchApiKeyVerification(
          database,
          { ...options, betterAuth: database.name === 'postgres' },
          API_KEY_SETTINGS,
          log,
        ),
      );
    } finally {
      await database.close();
    }
  }
  for (const line of apiKeyLines(all)) console.log(line);
  if (loggedProblems.warnings + loggedProblems.errors > 0)
    console.log(
      `\nPortcullis logged ${loggedProblems.warnings} warning(s) and ${loggedProblems.errors} error(s) (printed above).`,
    );
}

/** Portcullis writes `last_seen_at` at most once a minute per session; show whether the run did. */
async function countTouchedSessions(database, table) {
  const row = await database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .whereRef('last_seen_at', '<>', 'created_at')
    .executeTakeFirst();
  return Number(row.n);
}

main().then(
  // better-auth and pg may keep timers or sockets alive; everything has been closed or printed
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
