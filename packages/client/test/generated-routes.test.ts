// @vitest-environment node
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// src/generated/routes.ts is committed: it must be what the generator writes from core's route
// declarations now. The generator reads core's build output (CI builds before it tests).

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const script = join(packageDir, 'scripts/generate-client.mjs');
const committed = join(packageDir, 'src/generated/routes.ts');
const scratch = mkdtempSync(join(tmpdir(), 'portcullis-client-routes-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function check(file?: string) {
  const args = [script, '--check', ...(file ? ['--out', file] : [])];
  return run(process.execPath, args, { cwd: packageDir }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );
}

describe('generated routes', () => {
  it('needs the build of @portcullis/core', () => {
    expect(existsSync(join(packageDir, '../core/dist/index.js')), 'run `pnpm build` first').toBe(true);
  });

  it('are what the generator writes from the route declarations now', async () => {
    expect(await check()).toEqual({ code: 0, stderr: '' });
  });

  it('are reported stale when they differ', async () => {
    const stale = join(scratch, 'routes.ts');
    copyFileSync(committed, stale);
    writeFileSync(stale, '// edited by hand\n', { flag: 'a' });
    const result = await check(stale);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is stale');
  });
});
