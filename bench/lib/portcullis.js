import { hash } from '@node-rs/argon2';
import { kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import { redisKeyValue } from '@portcullis/adapter-redis';
import { createAuth, MIN_ARGON2_PARAMS } from '@portcullis/core';
import { generateToken, sha256Hex, uuidv7 } from '@portcullis/core/ports';
import { PORTCULLIS_REDIS_PREFIX } from './redis.js';

export const PORTCULLIS_TABLE_PREFIX = 'bench_pc_';

/** The pub/sub channel of the session cache's invalidations, as `redisKeyValue` prefixes it. */
export const INVALIDATION_CHANNEL = `${PORTCULLIS_REDIS_PREFIX}portcullis:sessions:revoked`;

/** Portcullis's own argon2id parameters (its defaults, which are also its floor). */
export const ARGON2_OPTIONS = { ...MIN_ARGON2_PARAMS, algorithm: 2 /* Argon2id */ };

/** Warnings and errors Portcullis logged during the run (printed as they come, counted for the summary). */
export const loggedProblems = { warnings: 0, errors: 0 };

const quietLogger = {
  debug() {},
  info() {},
  warn(message, data) {
    loggedProblems.warnings++;
    console.warn('[portcullis]', message, data ?? '');
  },
  error(message, data) {
    loggedProblems.errors++;
    console.error('[portcullis]', message, data ?? '');
  },
};

/**
 * Migrates Portcullis's tables (prefix `bench_pc_`) into `database`, seeds `userCount` users,
 * each with the same password and one open session, and returns the instance with the
 * sessions' cookies and the users' emails. `config` adds to the instance's configuration.
 *
 * Users, password hashes and sessions are written through the storage port (not `signUp`), so
 * seeding does not spend a thousand argon2 hashes; each session is shaped exactly as core's
 * session service makes it (SHA-256 of a 256-bit token), and the bench checks that every
 * validation finds its user.
 *
 * @param {import('./databases.js').BenchDatabase} database
 */
export async function setUpPortcullis(database, { userCount, password, secret, baseURL, config = {} }) {
  await migrate(database.db, { direction: 'up', tablePrefix: PORTCULLIS_TABLE_PREFIX });
  const storage = kyselyStorage(database.db, { tablePrefix: PORTCULLIS_TABLE_PREFIX });
  const auth = createAuth({
    storage,
    secret,
    baseURL,
    rateLimit: { enabled: false },
    outbox: { autoStart: false },
    logger: quietLogger,
    ...config,
  });
  const ttl = auth.config.session;

  const passwordHash = await hash(password, ARGON2_OPTIONS);
  const users = [];
  const batchSize = 100;
  for (let first = 0; first < userCount; first += batchSize) {
    const batch = await storage.transaction(async (tx) => {
      const out = [];
      for (let i = first; i < Math.min(first + batchSize, userCount); i++) {
        const now = new Date();
        const user = {
          id: uuidv7(now.getTime()),
          tenantId: null,
          email: `user${i}@bench.example`,
          emailVerifiedAt: now,
          name: `Bench User ${i}`,
          status: 'active',
          createdAt: now,
          updatedAt: now,
        };
        await tx.users.create(user);
        await tx.passwords.upsert(user.id, passwordHash, now);
        const token = generateToken(32);
        const session = {
          id: uuidv7(now.getTime()),
          userId: user.id,
          tenantId: null,
          tokenHash: sha256Hex(token),
          createdAt: now,
          lastSeenAt: now,
          idleExpiresAt: new Date(now.getTime() + ttl.idleTtlSeconds * 1000),
          expiresAt: new Date(now.getTime() + ttl.absoluteTtlSeconds * 1000),
          revokedAt: null,
          revokedReason: null,
          ip: '127.0.0.1',
          userAgent: 'portcullis-bench',
          amr: ['pwd'],
          authTime: { pwd: Math.floor(now.getTime() / 1000) },
        };
        await tx.sessions.create(session);
        out.push({
          userId: user.id,
          email: user.email,
          sessionId: session.id,
          token,
          tokenHash: session.tokenHash,
        });
      }
      return out;
    });
    users.push(...batch);
  }

  return {
    auth,
    passwordHash,
    sessionsTable: `${PORTCULLIS_TABLE_PREFIX}sessions`,
    usersTable: `${PORTCULLIS_TABLE_PREFIX}users`,
    passwordsTable: `${PORTCULLIS_TABLE_PREFIX}passwords`,
    auditEventsTable: `${PORTCULLIS_TABLE_PREFIX}audit_events`,
    auditChainHeadsTable: `${PORTCULLIS_TABLE_PREFIX}audit_chain_heads`,
    outboxTable: `${PORTCULLIS_TABLE_PREFIX}outbox_events`,
    users: users.map((u) => ({
      ...u,
      headers: new Headers({ cookie: `${auth.sessionCookieName}=${u.token}` }),
    })),
    close: () => auth.close(),
  };
}

/**
 * A Portcullis instance on the tables {@link setUpPortcullis} migrated and seeded in `database`
 * (possibly by another process: the HTTP bench's servers), configured as the bench's other
 * instances are (rate limiting off, outbox dispatcher not started, quiet logger). With
 * `redisClient`, `keyValue: redisKeyValue(redisClient, { keyPrefix })` (`keyPrefix` by default
 * `portcullis-bench:pc:`): the session cache is on. `config` adds to (or overrides) that
 * configuration, e.g. the token endpoint's (`token-endpoint.js`).
 * Nothing is counted or wrapped: this is the instance an app would run.
 *
 * @param {import('./databases.js').BenchDatabase} database
 * @param {{ secret: string, baseURL: string, redisClient?: import('ioredis').Redis, keyPrefix?: string, config?: object }} options
 */
export function createPortcullis(
  database,
  { secret, baseURL, redisClient, keyPrefix = PORTCULLIS_REDIS_PREFIX, config = {} },
) {
  const kv = redisClient ? redisKeyValue(redisClient, { keyPrefix }) : undefined;
  const auth = createAuth({
    storage: kyselyStorage(database.db, { tablePrefix: PORTCULLIS_TABLE_PREFIX }),
    ...(kv ? { keyValue: kv } : {}),
    secret,
    baseURL,
    rateLimit: { enabled: false },
    outbox: { autoStart: false },
    logger: quietLogger,
    ...config,
  });
  if (kv && !auth.config.session.cache.enabled)
    throw new Error('the session cache is off with a keyValue store');
  return {
    auth,
    async close() {
      await auth.close();
      await kv?.close();
    },
  };
}

/**
 * Another Portcullis instance on the same tables (so the same users and sessions), with
 * `keyValue: redisKeyValue(redis)` on its own ioredis client: the session cache is on, as it is
 * by default whenever a key-value store is configured. Counts what its session lookups cost:
 * `databaseLookups` (calls of the session store's `findActiveByTokenHash`) and `redisCommands`
 * (calls into the key-value port, pub/sub included).
 *
 * `dropInvalidations: true` makes an instance that never hears pub/sub invalidations (its
 * subscription is a no-op), as if every message were lost: it then sees a revocation only through
 * the revocation versions, when its in-process entry ages out.
 *
 * @param {import('./databases.js').BenchDatabase} database
 * @param {import('./redis.js').BenchRedis} redis
 */
export async function createCachedPortcullis(
  database,
  redis,
  { secret, baseURL, dropInvalidations = false },
) {
  const storage = kyselyStorage(database.db, { tablePrefix: PORTCULLIS_TABLE_PREFIX });
  const counters = { databaseLookups: 0, redisCommands: 0 };
  const findActive = storage.sessions.findActiveByTokenHash.bind(storage.sessions);
  storage.sessions.findActiveByTokenHash = (...args) => {
    counters.databaseLookups++;
    return findActive(...args);
  };
  const client = redis.connect();
  await client.ping(); // connected and ready before the first validation
  const kv = redisKeyValue(client, { keyPrefix: PORTCULLIS_REDIS_PREFIX });
  const counted = {};
  for (const [name, fn] of Object.entries(kv)) {
    counted[name] =
      name === 'close'
        ? fn
        : (...args) => {
            counters.redisCommands++;
            return fn(...args);
          };
  }
  if (dropInvalidations) counted.subscribe = async () => async () => {};
  const auth = createAuth({
    storage,
    keyValue: counted,
    secret,
    baseURL,
    rateLimit: { enabled: false },
    outbox: { autoStart: false },
    logger: quietLogger,
  });
  if (!auth.config.session.cache.enabled) throw new Error('the session cache is off with a keyValue store');
  let closed;
  return {
    auth,
    counters,
    l1TtlMs: auth.config.session.cache.l1TtlMs,
    close() {
      closed ??= auth.close().then(() => kv.close());
      return closed;
    },
  };
}
