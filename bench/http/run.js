// The HTTP suite: a protected request end to end, each server its own process, autocannon as
// the load, CPU per request of every process read from /proc. `pnpm bench:http` at the repo root
// builds the packages first. See docs/benchmarks.md, "HTTP: a protected request".
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { PORTCULLIS_VERSION } from '@portcullis/core';
import pg from 'pg';
import { setUpBetterAuth, setUpBetterAuthRedis } from '../lib/better-auth.js';
import { openPostgres, openSqlite } from '../lib/databases.js';
import { setUpPortcullis } from '../lib/portcullis.js';
import { HTTP_REDIS_PREFIX, openRedis } from '../lib/redis.js';
import { runLoad } from './load.js';
import { CLOCK_TICKS_PER_SECOND } from './process-cpu.js';
import { printHttpReport } from './report.js';
import { HTTP_BETTER_AUTH_PREFIX } from './server-auth.js';
import { SERVERS } from './servers.js';

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const QUICK = process.env.BENCH_QUICK === '1';
/** Its own database, so that it never races the in-process suites' `portcullis_bench`. */
const POSTGRES_DATABASE = 'portcullis_bench_http';
const FRAMEWORKS = (process.env.BENCH_HTTP_FRAMEWORKS || 'express,next').split(',');
/** Only these servers (keys from servers.js, comma-separated), e.g. to profile one beside its baseline. */
const ONLY_SERVERS = process.env.BENCH_HTTP_SERVERS?.split(',');
/** When set, every server process writes a V8 CPU profile there on exit (`--cpu-prof`): figures are then not quotable. */
const PROFILE_DIR = process.env.BENCH_HTTP_PROFILE_DIR;
const SETTINGS = {
  userCount: 1000,
  connections: 50,
  warmupSeconds: QUICK ? 1 : 5,
  rounds: 6,
  roundSeconds: Number(process.env.BENCH_HTTP_ROUND_SECONDS) || (QUICK ? 1 : 8),
  checkedUsers: QUICK ? 50 : 200, // per server, before the load: each cookie answers its own user
};
const SECRET = randomBytes(32).toString('base64');
const BASE_URL = 'http://localhost:3000';
const PASSWORD = 'bench-password-Kq7!vR2#xT9';
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const NEXT_APP = here('./next-app/');
const NEXT_BIN = here('../node_modules/next/dist/bin/next');

const packageVersion = (name) =>
  JSON.parse(readFileSync(here(`../node_modules/${name}/package.json`), 'utf8')).version;

async function main() {
  const startedAt = Date.now();
  console.log('Portcullis HTTP benchmark: a protected request');
  console.log(
    `  machine   ${os.availableParallelism()} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, CLK_TCK ${CLOCK_TICKS_PER_SECOND}`,
  );
  console.log(
    `  libraries Portcullis ${PORTCULLIS_VERSION} · better-auth ${packageVersion('better-auth')} · express ${packageVersion('express')} · next ${packageVersion('next')} · autocannon ${packageVersion('autocannon')}`,
  );
  console.log(
    `  load      autocannon in the runner's process, ${SETTINGS.connections} connections (each a different user's session cookie), ` +
      `${SETTINGS.warmupSeconds} s warm-up per server, then ${SETTINGS.rounds} interleaved rounds × ${SETTINGS.roundSeconds} s${QUICK ? ' (BENCH_QUICK: do not quote these figures)' : ''}`,
  );

  const postgres = await openPostgres(POSTGRES_URL, { database: POSTGRES_DATABASE });
  if (postgres.skipped) throw new Error(`${postgres.skipped} (set BENCH_POSTGRES_URL)`);
  const redis = await openRedis(REDIS_URL, { prefix: HTTP_REDIS_PREFIX });
  if (redis.skipped) throw new Error(`${redis.skipped} (set BENCH_REDIS_URL)`);
  const sqlite = await openSqlite();
  console.log(`  database  ${postgres.version}\n  database  ${sqlite.version}\n  redis     ${redis.version}`);

  const servers = SERVERS.filter(
    (s) => FRAMEWORKS.includes(s.framework) && (ONLY_SERVERS === undefined || ONLY_SERVERS.includes(s.key)),
  );
  const running = [];
  const cleanups = [];
  try {
    const users = await seed(postgres, sqlite, redis, cleanups);
    const cookies = Object.fromEntries(
      Object.entries(users).map(([k, list]) => [k, list.map((u) => u.headers.get('cookie'))]),
    );
    if (servers.some((s) => s.framework === 'next')) await buildNextApp();

    const redisPid = await redisProcessId(redis);
    const postgresBackends = await postgresBackendLister(POSTGRES_URL, cleanups);
    for (const server of servers) {
      const started = await startServer(server, { postgres, sqlite });
      running.push(started);
      await checkServer(server, started.url, users[server.users]);
      console.log(`  started   ${server.label} (pid ${started.pid}, ${started.url})`);
    }
    const processes = (p) => ({ serverPid: p.pid, postgresBackends, redisPid });
    const cursors = Object.fromEntries(Object.keys(cookies).map((k) => [k, { next: 0 }]));
    const load = (server, p, seconds) =>
      runLoad({
        url: p.url,
        cookies: cookies[server.users],
        cursor: cursors[server.users],
        connections: SETTINGS.connections,
        seconds,
        processes: processes(p),
      });

    console.log('\nWarm-up');
    for (let i = 0; i < servers.length; i++) {
      const r = await load(servers[i], running[i], SETTINGS.warmupSeconds);
      assertClean(servers[i], r);
      console.log(`  ${servers[i].label}: ${Math.round(r.requestsPerSecond).toLocaleString('en-US')} req/s`);
    }
    const rounds = servers.map(() => []);
    for (let round = 0; round < SETTINGS.rounds; round++) {
      console.log(`\nRound ${round + 1} of ${SETTINGS.rounds}`);
      for (let k = 0; k < servers.length; k++) {
        const i = (round + k) % servers.length;
        const r = await load(servers[i], running[i], SETTINGS.roundSeconds);
        assertClean(servers[i], r);
        rounds[i].push(r);
        console.log(
          `  ${servers[i].label}: ${Math.round(r.requestsPerSecond).toLocaleString('en-US')} req/s, p99 ${r.p99Ms} ms, ` +
            `server ${microsPerRequest(r.cpuSeconds.server, r)} µs/req`,
        );
      }
    }
    printHttpReport(
      servers.map((s, i) => ({ server: s, rounds: rounds[i] })),
      { seconds: (Date.now() - startedAt) / 1000, settings: SETTINGS, quick: QUICK },
    );
  } finally {
    for (const p of running) await p.stop();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await redis.close();
    await sqlite.close();
    await postgres.close();
  }
}

const microsPerRequest = (seconds, r) => ((seconds * 1e6) / Math.max(1, r.requests)).toFixed(0);

/** Every response of a run was a 2xx and no connection failed: otherwise the figures mean nothing. */
function assertClean(server, r) {
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(
      `${server.label}: ${r.non2xx} non-2xx responses and ${r.errors} errors in a run of ${r.requests} requests`,
    );
}

/** Users with one session each: Portcullis on PostgreSQL and on SQLite, better-auth on PostgreSQL and in Redis. */
async function seed(postgres, sqlite, redis, cleanups) {
  const options = { userCount: SETTINGS.userCount, password: PASSWORD, secret: SECRET, baseURL: BASE_URL };
  const t0 = Date.now();
  const portcullisPostgres = await setUpPortcullis(postgres, options);
  const portcullisSqlite = await setUpPortcullis(sqlite, options);
  const betterAuth = await setUpBetterAuth(postgres, options);
  const betterAuthRedis = await setUpBetterAuthRedis(postgres, redis, betterAuth.users, {
    ...options,
    keyPrefix: HTTP_BETTER_AUTH_PREFIX,
  });
  // the runner's own instances only seeded: the servers run their own
  cleanups.push(
    () => portcullisPostgres.close(),
    () => portcullisSqlite.close(),
  );
  console.log(
    `  seeded    ${SETTINGS.userCount} users with one session each, per library and database (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return {
    portcullisPostgres: portcullisPostgres.users,
    portcullisSqlite: portcullisSqlite.users,
    betterAuthPostgres: betterAuth.users,
    betterAuthRedis: betterAuthRedis.users,
  };
}

async function buildNextApp() {
  const t0 = Date.now();
  console.log('  next      building bench/http/next-app (next build)…');
  const result = await spawnAndWait(process.execPath, [NEXT_BIN, 'build'], NEXT_APP);
  if (result !== 0) throw new Error(`next build exited with ${result}`);
  console.log(`  next      built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function spawnAndWait(command, args, cwd) {
  const child = spawn(command, args, {
    cwd,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/** The configuration a server process reads from BENCH_HTTP_SERVER (see server-auth.js). */
function serverConfig(server, { postgres, sqlite }) {
  return {
    library: server.library,
    ...(server.database ? { database: server.database } : {}),
    redis: Boolean(server.redis),
    postgresUrl: postgres.url,
    sqliteFile: sqlite.file,
    redisUrl: REDIS_URL,
    secret: SECRET,
    baseURL: BASE_URL,
  };
}

/** Starts a server process and waits until it answers; `stop()` ends it (by its pid only). */
async function startServer(server, databases) {
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    BENCH_HTTP_SERVER: JSON.stringify(serverConfig(server, databases)),
  };
  const nodeFlags = PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${server.key}.cpuprofile`]
    : [];
  let child;
  let port;
  if (server.framework === 'express') {
    child = spawn(process.execPath, [...nodeFlags, here('./express-server.js')], {
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    port = await new Promise((resolve, reject) => {
      child.once('message', (m) => resolve(m.port));
      child.once('exit', (code) => reject(new Error(`${server.label} exited with ${code} before listening`)));
    });
  } else {
    port = await freePort();
    child = spawn(
      process.execPath,
      [...nodeFlags, NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'],
      {
        cwd: NEXT_APP,
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  }
  const url = `http://127.0.0.1:${port}${server.framework === 'next' ? '/api/me' : '/me'}`;
  await waitUntilAnswering(url, child, server);
  let exited = child.exitCode !== null;
  child.once('exit', () => {
    exited = true;
  });
  return {
    pid: child.pid,
    url,
    async stop() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(url, child, server) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${server.label} exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${server.label} did not answer within 30 s`);
}

/**
 * Before any load: a request without a cookie is refused (hello world excepted), and each of
 * `checkedUsers` users spread over the seeded ones gets its own id back.
 */
async function checkServer(server, url, users) {
  const anonymous = await fetch(url);
  await anonymous.arrayBuffer();
  if (server.library === 'hello') {
    if (anonymous.status !== 200)
      throw new Error(`${server.label}: hello world answered ${anonymous.status}`);
    return;
  }
  if (anonymous.status !== 401)
    throw new Error(`${server.label}: a request without a cookie got ${anonymous.status}, not 401`);
  const step = Math.max(1, Math.floor(users.length / SETTINGS.checkedUsers));
  for (let i = 0; i < users.length; i += step) {
    const response = await fetch(url, { headers: { cookie: users[i].headers.get('cookie') } });
    const body = await response.json().catch(() => null);
    if (response.status !== 200 || body?.id !== users[i].userId)
      throw new Error(
        `${server.label}: user ${i} got ${response.status} ${JSON.stringify(body)}, expected id ${users[i].userId}`,
      );
  }
}

/** Redis's pid (INFO server), when it runs on this machine; null otherwise. */
async function redisProcessId(redis) {
  const client = redis.connect();
  const info = await client.info('server');
  client.disconnect();
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  if (!pid || !existsSync(`/proc/${pid}/stat`)) {
    console.log('  note      Redis does not run on this machine: its CPU is not counted');
    return null;
  }
  return pid;
}

/**
 * Lists the PostgreSQL backends connected to the bench database (pg_stat_activity), through a
 * connection to the database of `url` (so not one of them). Null when the server is not local.
 */
async function postgresBackendLister(url, cleanups) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanups.push(() => client.end());
  const { rows } = await client.query('select pg_backend_pid() as pid');
  if (!existsSync(`/proc/${rows[0].pid}/stat`)) {
    console.log('  note      PostgreSQL does not run on this machine: its CPU is not counted');
    return undefined;
  }
  return async () =>
    (await client.query('select pid from pg_stat_activity where datname = $1', [POSTGRES_DATABASE])).rows.map(
      (r) => r.pid,
    );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
