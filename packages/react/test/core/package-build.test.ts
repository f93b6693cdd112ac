// @vitest-environment node
// The built package as an app receives it (CI builds before testing: `pnpm build`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('../../', import.meta.url));
const dist = (file: string) => `${packageDir}dist/${file}`;
const manifest = JSON.parse(readFileSync(`${packageDir}package.json`, 'utf8')) as {
  exports: Record<string, string | Record<string, { types: string; default: string }>>;
};

function built(file: string): string {
  if (!existsSync(dist(file))) throw new Error(`dist/${file} is missing: run \`pnpm build\` first`);
  return readFileSync(dist(file), 'utf8');
}

describe('the built package', () => {
  it("starts both formats with the 'use client' directive, so a server component can import the provider", () => {
    for (const file of ['index.js', 'index.cjs']) {
      // a directive counts only before any other statement: nothing but it on the first line
      expect(built(file).split('\n')[0], file).toBe("'use client';");
    }
  });

  it('loads as ESM and as CommonJS, with types for both', async () => {
    const esm = (await import(pathToFileURL(dist('index.js')).href)) as Record<string, unknown>;
    const cjs = createRequire(import.meta.url)(dist('index.cjs')) as Record<string, unknown>;
    for (const name of [
      'PortcullisProvider',
      'useAuth',
      'usePermission',
      'PermissionGate',
      'useOrganizations',
    ]) {
      expect(typeof esm[name], `ESM ${name}`).toBe('function');
      expect(typeof cjs[name], `CJS ${name}`).toBe('function');
    }
    for (const file of ['index.d.ts', 'index.d.cts']) {
      expect(built(file)).toContain('PortcullisProvider');
    }
  });

  it('ships one stylesheet: the base variables first, then every area', () => {
    const css = built('styles.css');
    const sources = `${packageDir}src/styles/`;
    const base = readFileSync(`${sources}base.css`, 'utf8');
    expect(css.startsWith(base)).toBe(true);
    for (const file of readdirSync(sources)) {
      expect(css, file).toContain(readFileSync(`${sources}${file}`, 'utf8'));
    }
  });

  it('maps every export to a file that exists', () => {
    const targets = Object.values(manifest.exports).flatMap((target) =>
      typeof target === 'string' ? [target] : Object.values(target).flatMap((t) => [t.types, t.default]),
    );
    for (const target of targets) expect(existsSync(`${packageDir}${target}`), target).toBe(true);
    expect(manifest.exports['./styles.css']).toBe('./dist/styles.css');
  });
});
