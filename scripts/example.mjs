#!/usr/bin/env node
// `pnpm example` and `pnpm example:nextjs`: build the workspace packages the example imports (only
// those whose dist/ is older than their sources), then start it; the URL is the last line printed.
//
//   node scripts/example.mjs express|nextjs
//
// Environment: HOST (default localhost), PORT, and whatever the example reads (see its README).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestMtime, oldestMtime, packagesToBuild, workspaceDependencies } from './example-build.mjs';

const repoDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const which = process.argv[2];
if (which !== 'express' && which !== 'nextjs') {
  console.error('usage: node scripts/example.mjs express|nextjs');
  process.exit(2);
}
const exampleDir = join(repoDir, 'examples', which);
const log = (text) => console.log(`[example] ${text}`);

const started = Date.now();
for (const pkg of packagesToBuild(repoDir, exampleDir)) {
  log(`building ${pkg.name} (${pkg.reason})`);
  run('pnpm', ['--filter', pkg.name, 'build'], repoDir);
}

if (which === 'express') {
  log(`packages ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // src/server.js prints the URL last
  startChild(process.execPath, [join(exampleDir, 'src', 'server.js')], process.env);
} else {
  const nextBin = join(exampleDir, 'node_modules', 'next', 'dist', 'bin', 'next');
  const built = oldestMtime(join(exampleDir, '.next', 'BUILD_ID'));
  const inputs = [
    'app',
    'lib',
    'proxy.ts',
    'instrumentation.ts',
    'next.config.ts',
    'package.json',
    'tsconfig.json',
  ];
  const deps = workspaceDependencies(repoDir, exampleDir).map((p) => join(p.dir, 'dist'));
  if (built <= Math.max(...[...inputs.map((p) => join(exampleDir, p)), ...deps].map(newestMtime))) {
    log('next build (the sources or packages changed since the last one)');
    run(process.execPath, [nextBin, 'build'], exampleDir, {
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
    });
  }
  const port = process.env.PORT || '3001';
  const host = process.env.HOST || 'localhost';
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: process.env.NEXT_TELEMETRY_DISABLED ?? '1',
  };
  // `next start` is production to Next.js; run from here it is a developer's machine, so it gets
  // the same development-only secret as `next dev` (lib/auth.ts) unless AUTH_SECRET is set
  if (!env.AUTH_SECRET) {
    if (process.env.NODE_ENV === 'production') {
      console.error(
        '[example] AUTH_SECRET is required when NODE_ENV=production (e.g. `openssl rand -base64 32`)',
      );
      process.exit(1);
    }
    env.AUTH_SECRET = developmentSecret(join(exampleDir, 'data'), 'dev-secret');
    log(
      `AUTH_SECRET is not set: using the development-only secret in ${join(exampleDir, 'data', 'dev-secret')}`,
    );
  }
  // token mode (/token-demo) signs access tokens with keys wrapped under a key-encryption key,
  // which must not be the secret: a development-only one too, unless AUTH_KEK is set
  if (!env.AUTH_KEK && process.env.NODE_ENV !== 'production') {
    env.AUTH_KEK = developmentSecret(join(exampleDir, 'data'), 'dev-kek');
  }
  // a developer's run keeps the mails (verification, reset, sign-in links) for /dev/mailbox
  if (process.env.NODE_ENV !== 'production') env.DEV_MAILBOX ??= '1';
  const child = startChild(process.execPath, [nextBin, 'start', '-p', port, '-H', host], env);
  const url = env.BASE_URL || `http://localhost:${port}`;
  // Next.js prints its own banner; the URL comes last, once the app answers
  for (const deadline = Date.now() + 60_000; Date.now() < deadline && child.exitCode === null; ) {
    const up = await fetch(
      `http://${host.includes(':') ? `[${host}]` : host}:${port}/api/auth/openapi.json`,
    ).then(
      (r) => r.ok,
      () => false,
    );
    if (up) {
      log(
        `listening on ${host}:${port}${host === 'localhost' ? ' (this machine only; HOST=0.0.0.0 for every interface)' : ''}`,
      );
      console.log(`Portcullis Next.js example: ${url}`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function run(command, args, cwd, env = {}) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`[example] ${command} ${args.join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
}

function startChild(command, args, env) {
  const child = spawn(command, args, { cwd: exampleDir, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return child;
}

/** Generated once into `data/<name>`, like the Express example's secret. */
function developmentSecret(dataDir, name) {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}
