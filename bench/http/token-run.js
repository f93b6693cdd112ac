// The token-endpoint suite: `POST …/token` over HTTP, Portcullis against better-auth's OAuth 2.1
// provider (`@better-auth/oauth-provider`), both on the same PostgreSQL database, each server its
// own process (Express 5), autocannon as the load, CPU per request of the server and of the
// PostgreSQL backends read from /proc. Two grants: client credentials (an M2M client asks for a
// JWT access token for one resource) and refresh token (a first-party public client renews a
// user's pair and carries on with the successor). `pnpm --filter @portcullis/bench bench:tokens-http`
// after `pnpm build`. See docs/benchmarks.md, "Tokens (issue 16)".
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { PORTCULLIS_VERSION } from '@portcullis/core';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import pg from 'pg';
import { setUpBetterAuth } from '../lib/better-auth.js';
import { openPostgres } from '../lib/databases.js';
import { setUpPortcullis } from '../lib/portcullis.js';
import {
  betterAuthTokenConfig,
  portcullisTokenConfig,
  seedBetterAuthTokenEndpoint,
  seedPortcullisTokenEndpoint,
  TOKEN_RESOURCE,
} from '../lib/token-endpoint.js';
import { CLOCK_TICKS_PER_SECOND } from './process-cpu.js';
import { runTokenLoad } from './token-load.js';

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const QUICK = process.env.BENCH_QUICK === '1';
/** Its own database, so that it never races the other suites'. */
const POSTGRES_DATABASE = 'portcullis_bench_tokens';
const SETTINGS = {
  connections: Number(process.env.BENCH_HTTP_CONNECTIONS) || 50,
  warmupSeconds: QUICK ? 2 : 3,
  rounds: QUICK ? 2 : 6,
  roundSeconds: Number(process.env.BENCH_HTTP_ROUND_SECONDS) || (QUICK ? 1 : 5),
  clientCount: 50, // M2M clients per library; connection i posts as client i
};
/**
 * Refresh families per library: every refresh run starts each connection on a family no run
 * used before (a run ends with requests in flight whose successor it never read; reusing that
 * family later would be reuse, which both libraries answer by revoking it).
 */
const FAMILY_COUNT = SETTINGS.connections * (1 + SETTINGS.rounds) + 10;
const SECRET = randomBytes(32).toString('base64');
const BASE_URL = 'http://localhost:3000';
const PASSWORD = 'bench-password-Kq7!vR2#xT9';
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const packageVersion = (name) =>
  JSON.parse(readFileSync(here(`../node_modules/${name}/package.json`), 'utf8')).version;

/** The two libraries' servers: `tokenPath` is where each answers RFC 6749's token requests. */
const LIBRARIES = [
  { key: 'portcullis', label: 'Portcullis', tokenPath: '/auth/oauth/token' },
  { key: 'better-auth', label: 'better-auth oauth-provider', tokenPath: '/api/auth/oauth2/token' },
];
/** `BENCH_TOKENS_GRANTS=refresh_token` (comma-separated) runs those grants only, e.g. to debug one. */
const GRANTS = (process.env.BENCH_TOKENS_GRANTS || 'client_credentials,refresh_token').split(',');

async function main() {
  const startedAt = Date.now();
  console.log('Portcullis HTTP benchmark: the token endpoint');
  console.log(
    `  machine   ${os.availableParallelism()} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, CLK_TCK ${CLOCK_TICKS_PER_SECOND}`,
  );
  console.log(
    `  libraries Portcullis ${PORTCULLIS_VERSION} · better-auth ${packageVersion('better-auth')} + @better-auth/oauth-provider ${packageVersion('@better-auth/oauth-provider')} · express ${packageVersion('express')} · autocannon ${packageVersion('autocannon')}`,
  );
  console.log(
    `  load      autocannon in the runner's process, ${SETTINGS.connections} connections; ${SETTINGS.warmupSeconds} s warm-up per case, ` +
      `then ${SETTINGS.rounds} interleaved rounds × ${SETTINGS.roundSeconds} s${QUICK ? ' (BENCH_QUICK: do not quote these figures)' : ''}`,
  );

  const postgres = await openPostgres(POSTGRES_URL, { database: POSTGRES_DATABASE });
  if (postgres.skipped) throw new Error(`${postgres.skipped} (set BENCH_POSTGRES_URL)`);
  console.log(`  database  ${postgres.version}`);
  const running = [];
  const cleanups = [];
  try {
    const seeded = await seed(postgres, cleanups);
    const postgresBackends = await postgresBackendLister(POSTGRES_URL, cleanups);
    for (const library of LIBRARIES) {
      const started = await startServer(library, postgres);
      running.push(started);
      await checkServer(library, started.url, seeded[library.key]);
      console.log(`  started   ${library.label} (pid ${started.pid}, ${started.url})`);
    }

    const cases = [];
    for (const grant of GRANTS)
      for (const [i, library] of LIBRARIES.entries())
        cases.push({ grant, library, server: running[i], forms: formSource(grant, seeded[library.key]) });
    const load = (c, seconds) =>
      runTokenLoad({
        url: c.server.url,
        connections: SETTINGS.connections,
        seconds,
        forms: c.forms,
        processes: { serverPid: c.server.pid, postgresBackends },
      });

    console.log('\nWarm-up');
    for (const c of cases) {
      const r = await load(c, SETTINGS.warmupSeconds);
      assertClean(c, r);
      console.log(`  ${caseLabel(c)}: ${Math.round(r.requestsPerSecond).toLocaleString('en-US')} req/s`);
    }
    const rounds = cases.map(() => []);
    for (let round = 0; round < SETTINGS.rounds; round++) {
      console.log(`\nRound ${round + 1} of ${SETTINGS.rounds}`);
      for (let k = 0; k < cases.length; k++) {
        const i = (round + k) % cases.length;
        const r = await load(cases[i], SETTINGS.roundSeconds);
        assertClean(cases[i], r);
        rounds[i].push(r);
        console.log(
          `  ${caseLabel(cases[i])}: ${Math.round(r.requestsPerSecond).toLocaleString('en-US')} req/s, p99 ${r.p99Ms} ms, ` +
            `server ${microsPerRequest(r.cpuSeconds.server, r)} µs/req, PostgreSQL ${microsPerRequest(r.cpuSeconds.postgres, r)} µs/req`,
        );
      }
    }
    printReport(cases, rounds, (Date.now() - startedAt) / 1000);
  } finally {
    for (const p of running) await p.stop();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await postgres.close();
  }
}

const caseLabel = (c) => `${c.library.label}, ${c.grant}`;
const microsPerRequest = (seconds, r) =>
  seconds === null ? '—' : ((seconds * 1e6) / Math.max(1, r.requests)).toFixed(0);

/**
 * Every answer of a run was a 200, no connection failed, and every refresh rotated (no successor
 * came twice): otherwise the figures mean nothing.
 */
function assertClean(c, r) {
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(
      `${caseLabel(c)}: ${r.non2xx} non-2xx responses and ${r.errors} errors in a run of ${r.requests} requests`,
    );
  if (c.forms.repeats)
    throw new Error(`${caseLabel(c)}: ${c.forms.repeats} refreshes answered a successor seen before`);
  if (r.ok === 0)
    throw new Error(`${caseLabel(c)}: no request completed in the run (raise BENCH_HTTP_ROUND_SECONDS)`);
}

/**
 * The forms of one grant: client credentials, connection i as M2M client i (client_secret_post,
 * `resource` = the bench resource, so that both libraries issue a JWT for it); refresh, each
 * connection on the next unused family, then on each answer's successor.
 */
function formSource(grant, seeded) {
  if (grant === 'client_credentials') {
    const bodies = seeded.clients.map((client) =>
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.id,
        client_secret: client.secret,
        resource: TOKEN_RESOURCE,
      }).toString(),
    );
    return { first: (i) => bodies[i % bodies.length] };
  }
  const refreshForm = (refreshToken) =>
    new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: seeded.firstPartyClientId,
      refresh_token: refreshToken,
    }).toString();
  let nextFamily = 1; // family 0 is spent by checkServer
  // every answer must carry a refresh token never seen before: a replayed successor (a grace
  // answer) would measure a cheaper path than a rotation
  const seen = new Set();
  const source = {
    repeats: 0,
    first() {
      const family = seeded.refreshTokens[nextFamily++];
      if (!family) throw new Error(`out of refresh-token families (${seeded.refreshTokens.length} seeded)`);
      return refreshForm(family.refreshToken);
    },
    next(body) {
      const successor = JSON.parse(body).refresh_token;
      if (seen.has(successor)) source.repeats++;
      seen.add(successor);
      return refreshForm(successor);
    },
  };
  return source;
}

/** Users, sessions, M2M clients and refresh-token families for both libraries on `postgres`. */
async function seed(postgres, cleanups) {
  const options = { userCount: FAMILY_COUNT, password: PASSWORD, secret: SECRET, baseURL: BASE_URL };
  const t0 = Date.now();
  const portcullis = await setUpPortcullis(postgres, { ...options, config: portcullisTokenConfig(SECRET) });
  cleanups.push(() => portcullis.close()); // the runner's instance only seeds: the server runs its own
  const betterAuth = await setUpBetterAuth(postgres, { ...options, config: betterAuthTokenConfig() });
  const seeded = {
    portcullis: await seedPortcullisTokenEndpoint(portcullis, { clientCount: SETTINGS.clientCount }),
    'better-auth': await seedBetterAuthTokenEndpoint(betterAuth, {
      clientCount: SETTINGS.clientCount,
      baseURL: BASE_URL,
    }),
  };
  console.log(
    `  seeded    per library: ${FAMILY_COUNT} users, each with a session and a refresh token, and ${SETTINGS.clientCount} M2M clients (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return seeded;
}

/** Starts a token server process and waits until it listens; `stop()` ends it (by its pid only). */
async function startServer(library, postgres) {
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    BENCH_HTTP_SERVER: JSON.stringify({
      library: library.key,
      database: 'postgres',
      postgresUrl: postgres.url,
      secret: SECRET,
      baseURL: BASE_URL,
      tokenEndpoint: true,
    }),
  };
  const child = spawn(process.execPath, [here('./token-server.js')], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${library.label} exited with ${code} before listening`)));
  });
  let exited = child.exitCode !== null;
  child.once('exit', () => {
    exited = true;
  });
  return {
    pid: child.pid,
    url: `http://127.0.0.1:${port}${library.tokenPath}`,
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

/**
 * Before any load, one request of each grant: a 200 whose access token is a JWT access token
 * (`typ: at+jwt`, EdDSA) with the subject the grant names (for the bench resource, for the
 * client-credentials grant); the refresh
 * answers a new refresh token; a wrong client secret is refused.
 */
async function checkServer(library, url, seeded) {
  const post = async (form) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  };
  const fail = (what, r) => {
    throw new Error(`${library.label}: ${what}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  // `audience`: null for the refresh, where each library keeps its own default (Portcullis's
  // token-mode tokens name the issuer, the first-party app's API; better-auth's the resource the
  // code was issued for)
  const expectAccessToken = (what, r, subject, audience) => {
    if (r.status !== 200 || typeof r.body?.access_token !== 'string') fail(what, r);
    const header = decodeProtectedHeader(r.body.access_token);
    const claims = decodeJwt(r.body.access_token);
    const audiences = [claims.aud].flat();
    if (
      header.typ !== 'at+jwt' ||
      header.alg !== 'EdDSA' ||
      (audience !== null && !audiences.includes(audience)) ||
      claims.sub !== subject
    )
      fail(`${what} answered an unexpected token ${JSON.stringify({ header, claims })}`, r);
  };
  const client = seeded.clients[0];
  const m2m = await post({
    grant_type: 'client_credentials',
    client_id: client.id,
    client_secret: client.secret,
    resource: TOKEN_RESOURCE,
  });
  expectAccessToken('client credentials', m2m, client.id, TOKEN_RESOURCE);
  const wrong = await post({
    grant_type: 'client_credentials',
    client_id: client.id,
    client_secret: `${client.secret}x`,
    resource: TOKEN_RESOURCE,
  });
  if (wrong.status !== 401 && wrong.status !== 400) fail('a wrong client secret was not refused', wrong);
  const family = seeded.refreshTokens[0];
  const refreshed = await post({
    grant_type: 'refresh_token',
    client_id: seeded.firstPartyClientId,
    refresh_token: family.refreshToken,
  });
  expectAccessToken('refresh', refreshed, family.userId, null);
  if (
    typeof refreshed.body.refresh_token !== 'string' ||
    refreshed.body.refresh_token === family.refreshToken
  )
    fail('refresh answered no new refresh token', refreshed);
}

/** Lists the PostgreSQL backends connected to the bench database, or null when the server is not local. */
async function postgresBackendLister(url, cleanups) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanups.push(() => client.end());
  const { rows } = await client.query('select pg_backend_pid() as pid');
  try {
    readFileSync(`/proc/${rows[0].pid}/stat`);
  } catch {
    console.log('  note      PostgreSQL does not run on this machine: its CPU is not counted');
    return undefined;
  }
  return async () =>
    (await client.query('select pid from pg_stat_activity where datname = $1', [POSTGRES_DATABASE])).rows.map(
      (r) => r.pid,
    );
}

const median = (values) => {
  const sorted = values.filter((v) => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const int = (x) => (x === null ? '—' : Math.round(x).toLocaleString('en-US'));
const cpuPerRequest = (round, kind) =>
  round.cpuSeconds[kind] === null ? null : (round.cpuSeconds[kind] * 1e6) / Math.max(1, round.requests);

/** Medians over the rounds per case, and Portcullis ÷ better-auth per grant, per round (median, range). */
function printReport(cases, rounds, seconds) {
  console.log(
    `\nToken endpoint summary (${seconds.toFixed(0)} s; medians of ${SETTINGS.rounds} interleaved rounds × ${SETTINGS.roundSeconds} s, ${SETTINGS.connections} connections${QUICK ? '; BENCH_QUICK: do not quote' : ''})\n`,
  );
  console.log('| grant | library | req/s | p50 | p99 | server CPU µs/req | PostgreSQL CPU µs/req |');
  console.log('|---|---|--:|--:|--:|--:|--:|');
  for (const [i, c] of cases.entries()) {
    const r = rounds[i];
    console.log(
      `| ${c.grant} | ${c.library.label} | ${int(median(r.map((x) => x.requestsPerSecond)))} | ${median(r.map((x) => x.p50Ms))} ms | ${median(r.map((x) => x.p99Ms))} ms | ` +
        `${int(median(r.map((x) => cpuPerRequest(x, 'server'))))} | ${int(median(r.map((x) => cpuPerRequest(x, 'postgres'))))} |`,
    );
  }
  console.log('\nPortcullis ÷ better-auth (req/s, per round: median, min–max)');
  for (const grant of GRANTS) {
    if (!cases.some((c) => c.grant === grant)) continue;
    const a = rounds[cases.findIndex((c) => c.grant === grant && c.library.key === 'portcullis')];
    const b = rounds[cases.findIndex((c) => c.grant === grant && c.library.key === 'better-auth')];
    const perRound = a.map((x, i) => x.requestsPerSecond / b[i].requestsPerSecond);
    const fixed = (x) => (Number.isFinite(x) ? x.toFixed(2) : '—');
    console.log(
      `  ${grant.padEnd(20)} ${fixed(median(perRound) ?? Number.NaN)}× (${fixed(Math.min(...perRound))}–${fixed(Math.max(...perRound))})`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
