import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * This package's version, read from its package.json (one folder up from both `src/` and `dist/`),
 * so `portcullis --version` never disagrees with what npm installed.
 */
export function cliVersion(): string {
  const manifest = fileURLToPath(new URL('../package.json', import.meta.url));
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
