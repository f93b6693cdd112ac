import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createKyselyFromUrl, kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import { type Auth, createAuth, type KeyValue } from '@portcullis/core';
import { createSessionHelpers } from '@portcullis/nextjs';
import { devMailboxEnabled, devMailer } from './dev-mailbox';
import { authSecret, keyEncryptionKey } from './secret';

/**
 * The one Portcullis instance of this server process.
 *
 * Started on first use, not at import: `next build` evaluates route modules, and must neither
 * open the database nor need its URL. The promise lives on `globalThis` because Next.js may load
 * this module more than once (per bundle layer, and again on every edit under `next dev`); one
 * process must keep one pool and one outbox dispatcher. A failed start (database down) is
 * forgotten, so the next request tries again.
 */
export function getAuth(): Promise<Auth> {
  const store = globalThis as typeof globalThis & { portcullisExample?: Promise<Auth> };
  store.portcullisExample ??= startAuth().catch((error: unknown) => {
    store.portcullisExample = undefined;
    throw error;
  });
  return store.portcullisExample;
}

export const { getSession, getInitialSession, requireSession } = createSessionHelpers(getAuth);

/**
 * Connects to DATABASE_URL (default: SQLite in `data/`), applies pending migrations (under the
 * migration lock, so instances starting together are safe), and creates the instance.
 */
async function startAuth(): Promise<Auth> {
  const env = process.env;
  const dataDir = join(process.cwd(), 'data');
  const databaseUrl = env.DATABASE_URL || `sqlite:${join(ensureDir(dataDir), 'portcullis.sqlite')}`;
  const tablePrefix = env.TABLE_PREFIX || undefined;
  const secret = authSecret();
  const kek = keyEncryptionKey();
  const baseURL = env.BASE_URL || `http://localhost:${env.PORT || 3001}`;

  const { db, close } = await createKyselyFromUrl(databaseUrl);
  try {
    await migrate(db, { direction: 'up', tablePrefix });
    return createAuth({
      storage: kyselyStorage(db, { tablePrefix }),
      keyValue: env.REDIS_URL ? await connectRedis(env.REDIS_URL) : undefined,
      secret,
      baseURL,
      // the folder of app/api/auth/[...portcullis]/route.ts
      basePath: '/api/auth',
      // Next.js passes a client's own X-Forwarded-For through: trust it only behind your proxy
      trustProxy: env.TRUST_PROXY ? Number(env.TRUST_PROXY) : false,
      // the links of invitation mails open the accept page (reset and verification mails use
      // the defaults, /reset-password and /verify-email, and sign-in links /magic-link)
      ...(URL.canParse(baseURL)
        ? { invitations: { acceptUrl: new URL('/invitations/accept', baseURL).href } }
        : {}),
      // `pnpm example:nextjs` keeps mails for /dev/mailbox; a real app passes its mailer here
      ...(devMailboxEnabled() ? { mailer: devMailer } : {}),
      // token mode for the first-party client (/token-demo): sign-ins with `delivery: 'token'`
      // answer an access token (signed with keys wrapped under the KEK) and a refresh token
      tokens: {
        ...(env.ACCESS_TOKEN_TTL_SECONDS
          ? { accessTokenTtlSeconds: Number(env.ACCESS_TOKEN_TTL_SECONDS) }
          : {}),
        ...(kek ? { signingKeys: { keyEncryptionKeys: [{ version: 'k1', secret: kek }] } } : {}),
      },
    });
  } catch (error) {
    await close();
    throw error;
  }
}

/** Loaded only when REDIS_URL is set, so the example runs without Redis installed or running. */
async function connectRedis(url: string): Promise<KeyValue> {
  const [{ Redis }, { redisKeyValue }] = await Promise.all([
    import('ioredis'),
    import('@portcullis/adapter-redis'),
  ]);
  return redisKeyValue(new Redis(url));
}

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
