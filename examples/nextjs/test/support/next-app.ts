import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Builds the example with `next build` (only when .next is missing or older than its sources or
// the built workspace packages) and serves it with `next start`. The app imports the BUILT
// packages (dist/), so `pnpm build` must have run at the root.

export const exampleDir = fileURLToPath(new URL('../..', import.meta.url));
export const repoDir = join(exampleDir, '..', '..');
export const nextBin = join(exampleDir, 'node_modules', 'next', 'dist', 'bin', 'next');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const workspacePackages = ['core', 'adapter-kysely', 'adapter-redis', 'nextjs', 'client', 'react'];
export const BUILD_TIMEOUT_MS = 5 * 60_000;

/** Why the browser suite cannot run here, or null. */
export function missingPrerequisite(): string | null {
  if (!existsSync(chromiumPath)) {
    return `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`;
  }
  const unbuilt = workspacePackages.filter((name) => !existsSync(join(repoDir, 'packages', name, 'dist')));
  if (unbuilt.length > 0) return `packages not built (${unbuilt.join(', ')}): run \`pnpm build\` at the root`;
  return null;
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** `next start` on a free port of 127.0.0.1, with a fresh secret and KEK; resolves once it answers. */
export async function startNext(env: Record<string, string>): Promise<RunningServer> {
  const port = await freePort();
  // the browser's origin says localhost: WebAuthn refuses an IP address as the relying party id
  // (the passkey tests), and the server listens on the loopback address that name resolves to
  const url = `http://localhost:${port}`;
  // nothing of the caller's configuration leaks in: the target decides
  const childEnv: Record<string, string | undefined> = { ...process.env };
  for (const name of [
    'DATABASE_URL',
    'REDIS_URL',
    'TABLE_PREFIX',
    'TRUST_PROXY',
    'ACCESS_TOKEN_TTL_SECONDS',
  ]) {
    delete childEnv[name];
  }
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: exampleDir,
    env: {
      ...childEnv,
      PORT: String(port),
      BASE_URL: url,
      AUTH_SECRET: randomBytes(32).toString('base64url'),
      AUTH_KEK: randomBytes(32).toString('base64url'),
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collectOutput(child);
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) =>
      reject(new Error(`next start exited (${code ?? signal}):\n${output()}`)),
    );
  });
  exited.catch(() => {});

  const deadline = Date.now() + 60_000;
  for (;;) {
    const answered = await Promise.race([
      fetch(`${url}/api/auth/openapi.json`).then(
        (response) => response.ok,
        () => false,
      ),
      exited,
    ]);
    if (answered) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`next start did not answer within 60 s:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  return {
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/**
 * Runs `next build` unless `.next` is newer than everything it is built from. A lock directory
 * keeps two test runs in one work tree from building into the same `.next` at once.
 */
export async function buildIfStale(): Promise<void> {
  const lock = join(exampleDir, '.next-build.lock');
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // a lock left by a run that was killed mid-build is not waited for
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > BUILD_TIMEOUT_MS) {
        rmSync(lock, { recursive: true, force: true });
      } else if (Date.now() > deadline) {
        throw new Error(`another test run has been building the example for too long (${lock})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  try {
    const built = statSync(join(exampleDir, '.next', 'BUILD_ID'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
    const inputs = [
      ...[
        'app',
        'lib',
        'proxy.ts',
        'instrumentation.ts',
        'next.config.ts',
        'package.json',
        'tsconfig.json',
      ].map((p) => join(exampleDir, p)),
      ...workspacePackages.map((name) => join(repoDir, 'packages', name, 'dist')),
    ];
    if (built > Math.max(...inputs.map(newestMtime))) return;
    await run(process.execPath, [nextBin, 'build'], BUILD_TIMEOUT_MS);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function newestMtime(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function run(command: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    // not vitest's NODE_ENV=test
    const env = { ...process.env, NODE_ENV: 'production' as const, NEXT_TELEMETRY_DISABLED: '1' };
    const child = spawn(command, args, { cwd: exampleDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = collectOutput(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${args.join(' ')} failed (${code ?? signal}):\n${output()}`));
    });
  });
}

/** The last 200 lines a child printed, for error messages. */
export function collectOutput(child: ChildProcess): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n'));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join('\n');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
