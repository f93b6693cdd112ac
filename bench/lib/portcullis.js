import { hash } from '@node-rs/argon2';
import { kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import { createAuth, generateToken, MIN_ARGON2_PARAMS, sha256Hex, uuidv7 } from '@portcullis/core';

export const PORTCULLIS_TABLE_PREFIX = 'bench_pc_';

/** Portcullis's own argon2id parameters (its defaults, which are also its floor). */
export const ARGON2_OPTIONS = { ...MIN_ARGON2_PARAMS, algorithm: 2 /* Argon2id */ };

const quietLogger = {
  debug() {},
  info() {},
  warn(message, data) {
    console.warn('[portcullis]', message, data ?? '');
  },
  error(message, data) {
    console.error('[portcullis]', message, data ?? '');
  },
};

/**
 * Migrates Portcullis's tables (prefix `bench_pc_`) into `database`, seeds `userCount` users,
 * each with the same password and one open session, and returns the instance with the
 * sessions' cookies and the users' emails.
 *
 * Users, password hashes and sessions are written through the storage port (not `signUp`), so
 * seeding does not spend a thousand argon2 hashes; each session is shaped exactly as core's
 * session service makes it (SHA-256 of a 256-bit token), and the bench checks that every
 * validation finds its user.
 *
 * @param {import('./databases.js').BenchDatabase} database
 */
export async function setUpPortcullis(database, { userCount, password, secret, baseURL }) {
  await migrate(database.db, { direction: 'up', tablePrefix: PORTCULLIS_TABLE_PREFIX });
  const storage = kyselyStorage(database.db, { tablePrefix: PORTCULLIS_TABLE_PREFIX });
  const auth = createAuth({
    storage,
    secret,
    baseURL,
    rateLimit: { enabled: false },
    outbox: { autoStart: false },
    logger: quietLogger,
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
        out.push({ email: user.email, sessionId: session.id, token, tokenHash: session.tokenHash });
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
    users: users.map((u) => ({
      ...u,
      headers: new Headers({ cookie: `${auth.sessionCookieName}=${u.token}` }),
    })),
    close: () => auth.close(),
  };
}
