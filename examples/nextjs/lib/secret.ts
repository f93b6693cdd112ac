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
  return developmentValue('dev-secret', 'AUTH_SECRET');
}

/**
 * The key-encryption key of the access tokens' signing keys (token mode, /token-demo): AUTH_KEK,
 * or outside production one generated into `data/` like the secret. It must not be the secret:
 * a leaked app secret then still does not open the signing keys. Null in production without
 * AUTH_KEK: token mode is off and /token-demo says so.
 */
export function keyEncryptionKey(): string | null {
  if (process.env.AUTH_KEK) return process.env.AUTH_KEK;
  if (process.env.NODE_ENV === 'production') return null;
  return developmentValue('dev-kek', 'AUTH_KEK');
}

function developmentValue(name: string, variable: string): string {
  const dataDir = join(process.cwd(), 'data');
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  console.warn(`[portcullis example] ${variable} is not set: using the development-only value in ${file}`);
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
