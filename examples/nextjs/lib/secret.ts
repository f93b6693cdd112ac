import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MISSING_IN_PRODUCTION =
  'AUTH_SECRET is required in production (32+ random characters, e.g. `openssl rand -base64 32`); ' +
  'for a local try, `pnpm example:nextjs` at the repository root supplies a development-only one';

/**
 * The secret of the Portcullis instance: AUTH_SECRET, or outside production (`next dev`) a random
 * one generated on first start and kept in `data/`, so sessions survive restarts. Throws in
 * production (`next start`, which always runs with NODE_ENV=production) without AUTH_SECRET.
 */
export function authSecret(): string {
  if (process.env.AUTH_SECRET) return process.env.AUTH_SECRET;
  if (process.env.NODE_ENV === 'production') throw new Error(MISSING_IN_PRODUCTION);
  const dataDir = join(process.cwd(), 'data');
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'dev-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  console.warn(`[portcullis example] AUTH_SECRET is not set: using the development-only secret in ${file}`);
  return readFileSync(file, 'utf8').trim();
}

/**
 * Checks the configuration when the server starts (`instrumentation.ts`), so a server without a
 * secret stops at once with the reason instead of answering 500 to every request.
 */
export function checkConfigurationAtStart(): void {
  try {
    authSecret();
  } catch (error) {
    console.error(`[portcullis example] cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
}
