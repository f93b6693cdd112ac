#!/usr/bin/env node
// `pnpm test:kysely-next`: the Kysely adapter's suites on the newest Kysely the peer range admits
// (0.29, which declares Node.js >= 22), while the workspace stays on Kysely 0.28 and Node.js 20.
//
// Installs `kysely@^0.29` and a Node.js 22 (the npm registry's `node` package) into
// node_modules/.kysely-next, then runs vitest under that Node.js with vitest.kysely-next.config.ts,
// which resolves `kysely` to that copy. Only the database servers run (PORTCULLIS_TEST_SERVERS_ONLY):
// better-sqlite3 is built for the workspace's Node.js and does not load in another; SQLite and
// PGlite stay covered on 0.28 by `pnpm test`. Needs PORTCULLIS_TEST_POSTGRES_URL and
// PORTCULLIS_TEST_MYSQL_URL (under CI=true a missing one fails the run, as in `pnpm test`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(repoDir, 'node_modules', '.kysely-next');
const wanted = { kysely: '^0.29.0', node: '^22.12.0' };

mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, 'package.json'),
  `${JSON.stringify({ name: 'kysely-next', private: true, dependencies: wanted }, null, 2)}\n`,
);
run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], dir);

const kyselyDir = join(dir, 'node_modules', 'kysely');
const kyselyVersion = JSON.parse(readFileSync(join(kyselyDir, 'package.json'), 'utf8')).version;
const node = join(dir, 'node_modules', 'node', 'bin', 'node');
const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`[kysely-next] Kysely ${kyselyVersion} on Node.js ${nodeVersion}`);
if (!kyselyVersion.startsWith('0.29.') || !nodeVersion.startsWith('v22.')) {
  console.error('[kysely-next] unexpected versions installed');
  process.exit(1);
}

run(
  node,
  [
    join(repoDir, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    '--config',
    'vitest.kysely-next.config.ts',
    ...process.argv.slice(2),
  ],
  repoDir,
  { KYSELY_NEXT_DIR: kyselyDir, PORTCULLIS_TEST_SERVERS_ONLY: '1' },
);

function run(command, args, cwd, env = {}) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`[kysely-next] ${command} ${args.join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
}
