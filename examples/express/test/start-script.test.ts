import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { packagesToBuild, workspaceDependencies } from '../../../scripts/example-build.mjs';

// Regression (issue 14, newcomer 4): `pnpm example` ran `pnpm build` (all seven packages, about
// 90 s) on every start. scripts/example.mjs builds only the packages the example imports, and only
// those whose sources are newer than their dist/.

const repoDir = fileURLToPath(new URL('../../..', import.meta.url));

describe('which packages `pnpm example` builds', () => {
  const repo = mkdtempSync(join(tmpdir(), 'portcullis-example-build-'));
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  const at = (seconds: number) => new Date(1_700_000_000_000 + seconds * 1000);
  function writePackage(folder: string, manifest: object, builtAt: number | null, changedAt: number) {
    const dir = join(repo, 'packages', folder);
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
    writeFileSync(join(dir, 'src', 'index.ts'), 'export {};');
    for (const file of [join(dir, 'package.json'), join(dir, 'src', 'index.ts'), join(dir, 'src')]) {
      utimesSync(file, at(changedAt), at(changedAt));
    }
    rmSync(join(dir, 'dist'), { recursive: true, force: true });
    if (builtAt !== null) {
      mkdirSync(join(dir, 'dist'), { recursive: true });
      writeFileSync(join(dir, 'dist', 'index.js'), '');
      utimesSync(join(dir, 'dist', 'index.js'), at(builtAt), at(builtAt));
    }
  }
  const example = join(repo, 'examples', 'app');
  mkdirSync(example, { recursive: true });
  writeFileSync(join(example, 'package.json'), JSON.stringify({ dependencies: { '@x/web': 'workspace:*' } }));

  it('lists only what the example imports, dependencies first, and skips what is fresh', () => {
    writePackage('core', { name: '@x/core' }, 10, 5);
    writePackage('web', { name: '@x/web', peerDependencies: { '@x/core': 'workspace:^' } }, 10, 5);
    writePackage('unused', { name: '@x/unused' }, null, 5);
    expect(workspaceDependencies(repo, example).map((p: { name: string }) => p.name)).toEqual([
      '@x/core',
      '@x/web',
    ]);
    expect(packagesToBuild(repo, example)).toEqual([]);
  });

  it('rebuilds a package whose sources changed after its build, and what depends on it', () => {
    writePackage('core', { name: '@x/core' }, 10, 20);
    expect(
      packagesToBuild(repo, example).map((p: { name: string; reason: string }) => [p.name, p.reason]),
    ).toEqual([
      ['@x/core', 'sources newer than dist/'],
      ['@x/web', '@x/core was rebuilt'],
    ]);
  });

  it('builds a package that has no dist/', () => {
    writePackage('core', { name: '@x/core' }, 10, 5);
    writePackage('web', { name: '@x/web' }, null, 5);
    expect(packagesToBuild(repo, example).map((p: { name: string }) => p.name)).toEqual(['@x/web']);
  });
});

const stale = packagesToBuild(repoDir, join(repoDir, 'examples', 'express')) as { name: string }[];

/**
 * The environment a developer's shell would pass: this process's, minus what Vite puts in it for
 * the code under test (`BASE_URL=/`, `MODE`, …), which the example would read as its own settings.
 */
function shellEnvironment(): NodeJS.ProcessEnv {
  const { BASE_URL: _base, MODE: _mode, DEV: _dev, PROD: _prod, SSR: _ssr, ...env } = process.env;
  return env;
}

describe('`pnpm example` once the packages are built', () => {
  // CI builds before it tests: there a stale package is a failure, not a reason to skip
  it.skipIf(stale.length > 0 && process.env.CI !== 'true')(
    `builds nothing when the packages are fresh, answers, and prints the URL last${stale.length > 0 ? ` (skipped: ${stale.map((p) => p.name).join(', ')} not built; run pnpm build)` : ''}`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'portcullis-example-start-'));
      const started = Date.now();
      const child = spawn(process.execPath, [join(repoDir, 'scripts', 'example.mjs'), 'express'], {
        cwd: repoDir,
        env: {
          ...shellEnvironment(),
          NODE_ENV: 'development',
          PORT: '0',
          HOST: '127.0.0.1',
          DATABASE_URL: `sqlite:${join(dir, 'start.sqlite')}`,
          AUTH_SECRET: randomBytes(32).toString('base64url'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      try {
        let url: string | undefined;
        while (!url) {
          // a bound for a hung start, not a timing claim: speed is measured, never asserted in tests
          if (child.exitCode !== null || Date.now() - started > 90_000)
            throw new Error(`no URL printed:\n${stdout}\n${stderr}`);
          url = /^Portcullis example: (\S+)$/m.exec(stdout)?.[1];
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect((await fetch(url)).status).toBe(200);
        console.info(`pnpm example answered ${Date.now() - started} ms after start (fresh packages)`);
        expect(stdout.trimEnd().split('\n').at(-1)).toBe(`Portcullis example: ${url}`);
        expect(stdout).not.toMatch(/building @portcullis/);
      } finally {
        // a child that already exited (a failed start) sends no second 'exit'
        if (child.exitCode === null && child.signalCode === null) {
          const gone = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await gone;
        }
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
