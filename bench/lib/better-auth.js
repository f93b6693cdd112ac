import { createHmac } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { BETTER_AUTH_REDIS_PREFIX } from './redis.js';

/**
 * better-auth on the same database, in its default tables (`user`, `session`, `account`,
 * `verification`), which clash with nothing of Portcullis's (`bench_pc_*`). Email and password on,
 * rate limiting off, cookie cache off (every getSession reads the database), telemetry off.
 * Its password hashing is its default: scrypt (N=16384, r=16, p=1) on libuv's thread pool.
 *
 * Users, accounts and sessions are seeded through better-auth's own internal adapter, with one
 * scrypt hash made by better-auth and shared by every user: seeding does not spend a thousand
 * scrypt hashes. The session cookie is signed as better-auth signs it (HMAC-SHA-256 of the
 * token with the secret, `token.signature`, URI-encoded); the bench checks every validation
 * finds its user.
 *
 * @param {import('./databases.js').BenchDatabase} database
 */
export async function setUpBetterAuth(database, { userCount, password, secret, baseURL, config }) {
  const auth = createBetterAuth(database, { secret, baseURL, config });
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();

  const ctx = await auth.$context;
  const passwordHash = await ctx.password.hash(password);
  const cookieName = ctx.authCookies.sessionToken.name;
  const users = new Array(userCount);
  const seedOne = async (i) => {
    const user = await ctx.internalAdapter.createUser({
      email: `user${i}@bench.example`,
      name: `Bench User ${i}`,
      emailVerified: true,
    });
    await ctx.internalAdapter.linkAccount({
      userId: user.id,
      providerId: 'credential',
      accountId: user.id,
      password: passwordHash,
    });
    const session = await ctx.internalAdapter.createSession(user.id);
    users[i] = {
      userId: user.id,
      email: user.email,
      sessionId: session.id,
      headers: new Headers({ cookie: `${cookieName}=${signCookieValue(session.token, secret)}` }),
    };
  };
  // a few at a time: better-auth's internal adapter runs each write on its own
  for (let first = 0; first < userCount; first += 8) {
    await Promise.all(Array.from({ length: Math.min(8, userCount - first) }, (_, k) => seedOne(first + k)));
  }

  return { auth, users, sessionsTable: 'session' };
}

/**
 * A second better-auth instance on the same database and the same users, with Redis as its
 * `secondaryStorage` (get / set with TTL / delete on its own ioredis client, keys under
 * `portcullis-bench:ba:`), as its docs set it up. `session.storeSessionInDatabase: false` (its
 * default in this version, spelled out) keeps sessions in Redis only, so `getSession` reads the
 * session and its user from Redis and never from the database; cookie cache off, as above.
 *
 * One new session per seeded user, created through its internal adapter (written to Redis). The
 * bench checks that none of these tokens is in the `session` table, so a validation that finds
 * its user can only have come from Redis. `counters.redisCommands` counts secondary-storage calls.
 *
 * @param {import('./databases.js').BenchDatabase} database
 * @param {import('./redis.js').BenchRedis} redis
 */
export async function setUpBetterAuthRedis(
  database,
  redis,
  seededUsers,
  { secret, baseURL, keyPrefix = BETTER_AUTH_REDIS_PREFIX },
) {
  const client = redis.connect();
  await client.ping();
  const counters = { redisCommands: 0 };
  const auth = createBetterAuth(database, {
    secret,
    baseURL,
    secondaryStorage: redisSecondaryStorage(client, { counters, keyPrefix }),
  });
  const ctx = await auth.$context;
  const cookieName = ctx.authCookies.sessionToken.name;
  const users = new Array(seededUsers.length);
  const seedOne = async (i) => {
    const session = await ctx.internalAdapter.createSession(seededUsers[i].userId);
    users[i] = {
      userId: seededUsers[i].userId,
      token: session.token,
      headers: new Headers({ cookie: `${cookieName}=${signCookieValue(session.token, secret)}` }),
    };
  };
  for (let first = 0; first < users.length; first += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, users.length - first) }, (_, k) => seedOne(first + k)),
    );
  }
  const inDatabase = await database.db
    .selectFrom('session')
    .select((eb) => eb.fn.countAll().as('n'))
    .where(
      'token',
      'in',
      users.map((u) => u.token),
    )
    .executeTakeFirst();
  if (Number(inDatabase.n) !== 0)
    throw new Error(`better-auth wrote ${inDatabase.n} of its Redis sessions to the database`);
  return { auth, users, counters };
}

/**
 * The better-auth instance the setups above make, on `database`: email and password on, rate
 * limiting, cookie cache and telemetry off. With `secondaryStorage` (see
 * {@link redisSecondaryStorage}) sessions live in it only (`storeSessionInDatabase: false`).
 * Another process given the same database, secret and storage validates the same cookies (the
 * HTTP bench's servers do). `config` adds to these options (plugins, e.g. the token endpoint's in
 * `token-endpoint.js`).
 *
 * @param {import('./databases.js').BenchDatabase} database
 */
export function createBetterAuth(database, { secret, baseURL, secondaryStorage, config = {} }) {
  return betterAuth({
    database: database.driver,
    ...(secondaryStorage ? { secondaryStorage } : {}),
    secret,
    baseURL,
    emailAndPassword: { enabled: true },
    rateLimit: { enabled: false },
    session: secondaryStorage
      ? { cookieCache: { enabled: false }, storeSessionInDatabase: false }
      : { cookieCache: { enabled: false } },
    telemetry: { enabled: false },
    logger: { level: 'error' },
    ...config,
  });
}

/**
 * better-auth's `secondaryStorage` on an ioredis client (get / set with TTL / delete, keys under
 * `keyPrefix`, by default `portcullis-bench:ba:`), as its docs set it up; each call counts in
 * `counters.redisCommands` when `counters` is given.
 */
export function redisSecondaryStorage(
  client,
  { counters = { redisCommands: 0 }, keyPrefix = BETTER_AUTH_REDIS_PREFIX } = {},
) {
  const key = (k) => keyPrefix + k;
  return {
    async get(k) {
      counters.redisCommands++;
      return client.get(key(k));
    },
    async set(k, value, ttl) {
      counters.redisCommands++;
      if (ttl) await client.set(key(k), value, 'EX', ttl);
      else await client.set(key(k), value);
    },
    async delete(k) {
      counters.redisCommands++;
      await client.del(key(k));
    },
  };
}

/** better-call's signed cookie value: `value.base64(HMAC-SHA-256(secret, value))`, URI-encoded. */
function signCookieValue(value, secret) {
  const signature = createHmac('sha256', secret).update(value).digest('base64');
  return encodeURIComponent(`${value}.${signature}`);
}
