import { verify } from '@node-rs/argon2';
import { generateToken, sha256Hex, uuidv7 } from '@portcullis/core/ports';
import { compareInterleaved } from '../lib/harness.js';

/**
 * Email + password sign-in on one database, interleaved with its floors:
 * - a raw argon2id verify at Portcullis's parameters, on the hash Portcullis stored (no database);
 * - a hand-written minimal sign-in on Portcullis's tables (informational): the user ⋈ password
 *   lookup, the same argon2id verify and one session insert, with none of the library around
 *   it: what any sign-in costs on this database and this CPU;
 * - Portcullis `auth.api.signIn`: user ⋈ password lookup, argon2id verify, then a new session
 *   with its audit entry and outbox event in one transaction;
 * - better-auth `auth.api.signInEmail`: user and account lookup, scrypt verify, a new session.
 * Random seeded users, right password.
 *
 * @param {import('../lib/databases.js').BenchDatabase} database
 */
export async function benchPasswordSignIn(database, portcullis, betterAuth, password, settings, onResult) {
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  const { db } = database;
  const toDate = database.name === 'sqlite' ? (d) => d.getTime() : (d) => d; // as the adapter stores times
  const minimalSignIn = async () => {
    const email = pick(portcullis.users).email;
    const row = await db
      .selectFrom(`${portcullis.usersTable} as u`)
      .innerJoin(`${portcullis.passwordsTable} as p`, 'p.user_id', 'u.id')
      .select(['u.id', 'u.status', 'p.hash'])
      .where('u.pool_key', '=', '*')
      .where('u.email_normalized', '=', email)
      .executeTakeFirst();
    if (!row || row.status !== 'active' || !(await verify(row.hash, password))) return null;
    const now = new Date();
    const token = generateToken(32);
    await db
      .insertInto(portcullis.sessionsTable)
      .values({
        id: uuidv7(now.getTime()),
        user_id: row.id,
        tenant_id: null,
        token_hash: sha256Hex(token),
        created_at: toDate(now),
        last_seen_at: toDate(now),
        idle_expires_at: toDate(new Date(now.getTime() + 7 * 86_400_000)),
        expires_at: toDate(new Date(now.getTime() + 30 * 86_400_000)),
        revoked_at: null,
        revoked_reason: null,
        ip: null,
        user_agent: null,
        amr: '["pwd"]',
        auth_time: JSON.stringify({ pwd: Math.floor(now.getTime() / 1000) }),
      })
      .execute();
    return token;
  };
  const cases = [
    {
      key: 'argon2',
      name: 'raw @node-rs/argon2 verify (m=19456,t=2,p=1)',
      op: () => verify(portcullis.passwordHash, password),
      check: (ok) => {
        if (ok !== true) throw new Error('argon2 verify rejected the right password');
      },
    },
    {
      key: 'minimal',
      name: 'raw sign-in (lookup, argon2 verify, insert session)',
      op: minimalSignIn,
      check: (token) => {
        if (!token) throw new Error('the minimal sign-in rejected a seeded user');
      },
    },
    {
      key: 'portcullis',
      name: 'Portcullis api.signIn',
      op: () => portcullis.auth.api.signIn({ email: pick(portcullis.users).email, password }),
      check: (r) => {
        if (!r?.token) throw new Error('Portcullis signIn returned no session token');
      },
    },
    {
      key: 'betterAuth',
      name: 'better-auth api.signInEmail',
      op: () => betterAuth.auth.api.signInEmail({ body: { email: pick(betterAuth.users).email, password } }),
      check: (r) => {
        if (!r?.token) throw new Error('better-auth signInEmail returned no session token');
      },
    },
  ];
  const results = await compareInterleaved(cases, settings);
  for (const c of cases) onResult({ db: database.label, name: c.name, result: results[c.key] });
  return results;
}
