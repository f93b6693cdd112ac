/**
 * What a bench server process runs on: the library instance its configuration names, connected
 * to the database (and Redis) the runner seeded. Shared by the Express servers and the Next.js
 * app. The configuration comes from the runner in the `BENCH_HTTP_SERVER` environment variable
 * (JSON, see `servers.js`).
 *
 * @typedef {{
 *   library: 'hello' | 'portcullis' | 'better-auth',
 *   database?: 'postgres' | 'sqlite',
 *   redis?: boolean,
 *   postgresUrl?: string,
 *   sqliteFile?: string,
 *   redisUrl?: string,
 *   secret: string,
 *   baseURL: string,
 *   tokenEndpoint?: boolean,
 * }} ServerConfig
 *
 * `tokenEndpoint`: the library is configured to answer its OAuth token endpoint as the token
 * bench seeded it (`../lib/token-endpoint.js`).
 */
import { Redis } from 'ioredis';
import { createBetterAuth, redisSecondaryStorage } from '../lib/better-auth.js';
import { connectPostgres, openSqliteFile } from '../lib/databases.js';
import { createPortcullis } from '../lib/portcullis.js';
import { HTTP_REDIS_PREFIX } from '../lib/redis.js';
import { betterAuthTokenConfig, portcullisTokenConfig } from '../lib/token-endpoint.js';

/** Where the HTTP suite's servers keep their keys: each library under its own prefix. */
export const HTTP_PORTCULLIS_PREFIX = `${HTTP_REDIS_PREFIX}pc:`;
export const HTTP_BETTER_AUTH_PREFIX = `${HTTP_REDIS_PREFIX}ba:`;

/** @returns {ServerConfig} */
export function serverConfigFromEnv() {
  const raw = process.env.BENCH_HTTP_SERVER;
  if (!raw) throw new Error('BENCH_HTTP_SERVER is not set: bench servers are started by bench/http/run.js');
  return JSON.parse(raw);
}

/**
 * The library instance of `config`: `{ portcullis }` (an `Auth`), `{ betterAuth }`, or neither
 * for hello world; `close()` releases its connections.
 *
 * @param {ServerConfig} config
 */
export async function startLibrary(config) {
  if (config.library === 'hello') return { close: async () => {} };
  const database =
    config.database === 'sqlite' ? openSqliteFile(config.sqliteFile) : connectPostgres(config.postgresUrl);
  const redisClient = config.redis ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1 }) : null;
  if (redisClient) await redisClient.ping();
  const closeConnections = async () => {
    redisClient?.disconnect();
    await database.close();
  };
  if (config.library === 'portcullis') {
    const { auth, close } = createPortcullis(database, {
      secret: config.secret,
      baseURL: config.baseURL,
      ...(redisClient ? { redisClient, keyPrefix: HTTP_PORTCULLIS_PREFIX } : {}),
      ...(config.tokenEndpoint ? { config: portcullisTokenConfig(config.secret) } : {}),
    });
    return {
      portcullis: auth,
      async close() {
        await close();
        await closeConnections();
      },
    };
  }
  const betterAuth = createBetterAuth(database, {
    secret: config.secret,
    baseURL: config.baseURL,
    ...(redisClient
      ? { secondaryStorage: redisSecondaryStorage(redisClient, { keyPrefix: HTTP_BETTER_AUTH_PREFIX }) }
      : {}),
    ...(config.tokenEndpoint ? { config: betterAuthTokenConfig() } : {}),
  });
  return { betterAuth, close: closeConnections };
}
