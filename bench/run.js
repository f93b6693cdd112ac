// Side-by-side benchmarks of Portcullis and better-auth on the same databases, in one run.
// `pnpm bench` at the repo root builds the packages first. See docs/benchmarks.md.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { PORTCULLIS_VERSION } from '@portcullis/core';
import { setUpBetterAuth } from './lib/better-auth.js';
import { openPostgres, openSqlite } from './lib/databases.js';
import { setUpPortcullis } from './lib/portcullis.js';
import { formatCaseLine, printSummary } from './lib/report.js';
import { benchPasswordSignIn } from './suites/password-sign-in.js';
import { benchSessionValidation } from './suites/session-validation.js';

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
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
const SIGN_IN_SETTINGS = {
  concurrency: 8,
  warmupMs: QUICK ? 300 : 1000,
  rounds: 5,
  roundMs: QUICK ? 300 : 800,
};
const describe = (s) => `${s.warmupMs / 1000} s warm-up + ${s.rounds} × ${s.roundMs / 1000} s`;

const packageVersion = (name) =>
  JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;

const onResult = (row) => console.log(formatCaseLine(row));

async function main() {
  const startedAt = Date.now();
  const cpus = os.cpus();
  const machine = {
    cpus: `${os.availableParallelism()} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    libraries: `Portcullis ${PORTCULLIS_VERSION} · better-auth ${packageVersion('better-auth')} · @node-rs/argon2 ${packageVersion('@node-rs/argon2')} · kysely ${packageVersion('kysely')}`,
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

  const options = { userCount: USER_COUNT, password: PASSWORD, secret: SECRET, baseURL: BASE_URL };
  const results = { session: {}, signIn: {}, skippedPostgres: postgres.skipped ?? null };
  for (const database of databases) {
    console.log(`\n${database.label}: seeding ${USER_COUNT} users and sessions per library…`);
    const seedStart = Date.now();
    const portcullis = await setUpPortcullis(database, options);
    const betterAuth = await setUpBetterAuth(database, options);
    console.log(`${database.label}: seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);
    try {
      console.log(`${database.label}: session validation (cookie → user)`);
      results.session[database.label] = await benchSessionValidation(
        database,
        portcullis,
        betterAuth,
        SESSION_SETTINGS,
        onResult,
      );
      const touched = await countTouchedSessions(database, portcullis.sessionsTable);
      console.log(
        `${database.label}: Portcullis sessions whose lastSeenAt was written during the run: ${touched}`,
      );
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
      await portcullis.close();
      await database.close();
    }
  }

  printSummary(results, { seconds: (Date.now() - startedAt) / 1000 });
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
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
