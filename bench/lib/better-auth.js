import { createHmac } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';

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
export async function setUpBetterAuth(database, { userCount, password, secret, baseURL }) {
  const auth = betterAuth({
    database: database.driver,
    secret,
    baseURL,
    emailAndPassword: { enabled: true },
    rateLimit: { enabled: false },
    session: { cookieCache: { enabled: false } },
    telemetry: { enabled: false },
    logger: { level: 'error' },
  });
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

/** better-call's signed cookie value: `value.base64(HMAC-SHA-256(secret, value))`, URI-encoded. */
function signCookieValue(value, secret) {
  const signature = createHmac('sha256', secret).update(value).digest('base64');
  return encodeURIComponent(`${value}.${signature}`);
}
