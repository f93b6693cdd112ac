import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseOptions, verify } from '@node-rs/argon2';
import { generateToken, sha256Hex, uuidv7 } from '@portcullis/core/ports';
import { sql } from 'kysely';
import { compareInterleaved } from '../lib/harness.js';

/**
 * The sign-in targets (issue 15), restated against what the hardware allows: Portcullis's
 * sign-in, which also writes an audit entry and an outbox event in the session's transaction,
 * at ≥ 95% of the hand-written sign-in on the same database in the same run, and at ≥ 90% of
 * the raw argon2id verify on SQLite.
 */
export const SIGN_IN_TARGETS = { vsHandWritten: 0.95, vsArgon2OnSqlite: 0.9 };

/**
 * Email + password sign-in on one database, interleaved with its floors:
 * - a raw argon2id verify at Portcullis's parameters, on the hash Portcullis stored (no database);
 * - a hand-written sign-in on Portcullis's tables, through the same Kysely instance: one
 *   `SELECT` of the user ⋈ password hash by email, the same argon2id verify, one `INSERT` of a
 *   session keyed by a random token's SHA-256, and nothing else: what any sign-in costs on this
 *   database and this CPU;
 * - Portcullis `auth.api.signIn` (the server-side call, not `POST /login`): rate limit and
 *   lockout reservation, the user ⋈ password lookup, argon2id verify, then a new session with its
 *   audit entry and outbox event in one transaction;
 * - better-auth `auth.api.signInEmail`: user and account lookup, scrypt verify, a new session.
 * Random seeded users, right password.
 *
 * @param {import('../lib/databases.js').BenchDatabase} database
 */
export async function benchPasswordSignIn(database, portcullis, betterAuth, password, settings, onResult) {
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  const { db } = database;
  await assertSameArgon2Parameters(db, portcullis, password);
  const toDate = database.name === 'sqlite' ? (d) => d.getTime() : (d) => d; // as the adapter stores times
  /** One `SELECT` of the user ⋈ password hash by email, then argon2id verify: the row, or null. */
  const lookUpAndVerify = async () => {
    const row = await db
      .selectFrom(`${portcullis.usersTable} as u`)
      .innerJoin(`${portcullis.passwordsTable} as p`, 'p.user_id', 'u.id')
      .select(['u.id', 'u.status', 'p.hash'])
      .where('u.pool_key', '=', '*')
      .where('u.email_normalized', '=', pick(portcullis.users).email)
      .executeTakeFirst();
    return row && row.status === 'active' && (await verify(row.hash, password)) ? row : null;
  };
  const sessionRow = (id, userId, token, now) => ({
    id,
    user_id: userId,
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
  });
  const handWrittenSignIn = async () => {
    const row = await lookUpAndVerify();
    if (!row) return null;
    const now = new Date();
    const token = generateToken(32);
    await db
      .insertInto(portcullis.sessionsTable)
      .values(sessionRow(uuidv7(now.getTime()), row.id, token, now))
      .execute();
    return token;
  };
  // the same lookup and verify, then in one transaction what Portcullis's sign-in must commit:
  // the session, an audit entry on a hash chain (advance the chain's head, insert the entry with
  // its hash, record the head's new hash) and an outbox event. Its own chain key, so the two
  // libraries' chains do not contend with each other any more than each contends with itself.
  const HAND_CHAIN = 'bench-hand-written';
  const handWrittenWithRecords = async () => {
    const row = await lookUpAndVerify();
    if (!row) return null;
    const now = new Date();
    const token = generateToken(32);
    const sessionId = uuidv7(now.getTime());
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto(portcullis.sessionsTable)
        .values(sessionRow(sessionId, row.id, token, now))
        .execute();
      const head = await tx
        .insertInto(portcullis.auditChainHeadsTable)
        .values({ chain_key: HAND_CHAIN, seq: 1, hash: '', prev_hash: '' })
        .onConflict((oc) =>
          oc.column('chain_key').doUpdateSet({
            seq: sql`${sql.ref(`${portcullis.auditChainHeadsTable}.seq`)} + 1`,
            prev_hash: sql`${sql.ref(`${portcullis.auditChainHeadsTable}.hash`)}`,
          }),
        )
        .returning(['seq', 'prev_hash'])
        .executeTakeFirstOrThrow();
      const entry = {
        id: uuidv7(now.getTime()),
        tenant_id: null,
        chain_key: HAND_CHAIN,
        seq: Number(head.seq),
        actor_type: 'user',
        actor_id: row.id,
        impersonator_id: null,
        action: 'session.created',
        target_type: 'session',
        target_id: sessionId,
        ip: null,
        user_agent: null,
        request_id: null,
        data: JSON.stringify({ method: 'pwd' }),
        created_at: toDate(now),
        prev_hash: head.prev_hash,
      };
      const hash = sha256Hex(head.prev_hash + JSON.stringify(entry));
      await tx
        .insertInto(portcullis.auditEventsTable)
        .values({ ...entry, hash })
        .execute();
      await tx
        .updateTable(portcullis.auditChainHeadsTable)
        .set({ hash })
        .where('chain_key', '=', HAND_CHAIN)
        .execute();
      await tx
        .insertInto(portcullis.outboxTable)
        .values({
          id: uuidv7(now.getTime()),
          tenant_id: null,
          type: 'session.created',
          payload: JSON.stringify({ userId: row.id, sessionId }),
          status: 'pending',
          attempts: 0,
          created_at: toDate(now),
          available_at: toDate(now),
          locked_until: null,
          last_error: null,
          delivered_at: null,
        })
        .execute();
    });
    return token;
  };
  const cases = [
    {
      key: 'argon2',
      name: `raw @node-rs/argon2 verify (${argon2Label(portcullis.passwordHash)})`,
      op: () => verify(portcullis.passwordHash, password),
      check: (ok) => {
        if (ok !== true) throw new Error('argon2 verify rejected the right password');
      },
    },
    {
      key: 'minimal',
      name: 'hand-written sign-in (select, verify, insert session)',
      op: handWrittenSignIn,
      check: (token) => {
        if (!token) throw new Error('the hand-written sign-in rejected a seeded user');
      },
    },
    {
      key: 'records',
      name: 'hand-written sign-in + audit entry and outbox event (one transaction)',
      op: handWrittenWithRecords,
      check: (token) => {
        if (!token) throw new Error('the hand-written sign-in with records rejected a seeded user');
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
  const results = await compareInterleaved(cases, settings, await cpuMeter(database));
  for (const c of cases) onResult({ db: database.label, name: c.name, result: results[c.key] });
  return { ...results, database: database.name };
}

/**
 * CPU time in µs, cumulative: `node` for this whole process (the event loop, argon2's threads on
 * libuv's pool, GC threads; SQLite runs in it), `postgres` for the server processes of this
 * database's connections (read from `/proc`; absent on SQLite, or where `/proc` cannot be read).
 * On a machine whose cores the sign-ins saturate, throughput is inversely proportional to it, and
 * other load on a shared machine moves it less than it moves throughput (it still moves it:
 * contention for caches makes the same work cost more CPU). Meaningless in BENCH_QUICK's short
 * rounds (PostgreSQL's CPU is read in 10 ms ticks).
 */
async function cpuMeter(database) {
  const cpuNode = () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  };
  if (database.name !== 'postgres' || !database.local) return { read: async () => ({ node: cpuNode() }) };
  let ticksPerSecond = 100;
  try {
    ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {}
  const backendTicks = (pid) => {
    try {
      // after the parenthesised command name, utime and stime are the 12th and 13th fields
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return undefined;
    }
  };
  // per server process of the pool's connections (both libraries share the pool): the ticks last
  // seen, and the sum of their increases; a connection first seen counts from then on
  const lastTicks = new Map();
  let counted = 0;
  let readable = true;
  return {
    async read() {
      const out = { node: cpuNode() };
      if (!readable) return out;
      const { rows } = await sql`select pid from pg_stat_activity where datname = current_database()`.execute(
        database.db,
      );
      let seen = 0;
      for (const { pid } of rows) {
        const ticks = backendTicks(pid);
        if (ticks === undefined) continue;
        seen++;
        if (lastTicks.has(pid)) counted += ticks - lastTicks.get(pid);
        lastTicks.set(pid, ticks);
      }
      if (rows.length > 0 && seen === 0)
        readable = false; // another user's processes, or no /proc
      else out.postgres = (counted * 1e6) / ticksPerSecond;
      return out;
    },
  };
}

/**
 * The floors verify a hash made with Portcullis's parameters only if Portcullis's hasher uses the
 * bench's: one sign-in must leave the stored hash alone (a hasher with other parameters rehashes
 * on every sign-in, and the comparison would be of different work).
 */
async function assertSameArgon2Parameters(db, portcullis, password) {
  const { email, userId } = portcullis.users[0];
  const signedIn = await portcullis.auth.api.signIn({ email, password });
  if (!signedIn?.token) throw new Error('Portcullis signIn returned no session token');
  const stored = await db
    .selectFrom(portcullis.passwordsTable)
    .select('hash')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (stored?.hash !== portcullis.passwordHash)
    throw new Error(
      `Portcullis rehashed the bench's password (${argon2Label(portcullis.passwordHash)} → ${argon2Label(stored?.hash)}): its argon2id parameters differ from the floors'`,
    );
}

function argon2Label(phc) {
  if (!phc) return 'no hash';
  const o = parseOptions(phc);
  return `argon2id m=${o.memoryCost},t=${o.timeCost},p=${o.parallelism}`;
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * `a / b` of two cases of one run: the ratio of their totals, and the median and range of the
 * ratios of their rounds of the same index (run within one turn of every case, so close in time).
 */
export function pairedRatio(a, b) {
  const pairs = a.roundOpsPerSecond.map((x, i) => x / b.roundOpsPerSecond[i]);
  return {
    total: a.opsPerSecond / b.opsPerSecond,
    median: median(pairs),
    min: Math.min(...pairs),
    max: Math.max(...pairs),
  };
}

const percent = (x) => `${(100 * x).toFixed(1)}%`;
const describeRatio = (r) =>
  `${percent(r.total)} (per round: median ${percent(r.median)}, ${percent(r.min)}–${percent(r.max)})`;

/** CPU per sign-in in ms: this process, plus the PostgreSQL server's when it was read. */
const cpuMsPerOp = (c) =>
  c.meteredPerOp ? ((c.meteredPerOp.node ?? 0) + (c.meteredPerOp.postgres ?? 0)) / 1000 : Number.NaN;

function cpuLines(label, r) {
  if (!r.argon2.meteredPerOp) return [];
  const parts = (c) => {
    const { node, postgres } = c.meteredPerOp;
    const total = cpuMsPerOp(c).toFixed(2);
    return postgres === undefined
      ? `${total} ms`
      : `${total} ms (Node ${(node / 1000).toFixed(2)} + PostgreSQL ${(postgres / 1000).toFixed(2)})`;
  };
  const extra = (c) => {
    const us = Math.round((cpuMsPerOp(c) - cpuMsPerOp(r.argon2)) * 1000);
    return `${us < 0 ? '−' : '+'}${Math.abs(us)} µs`;
  };
  return [
    `  sign-in ${label.padEnd(10)} CPU per call: raw argon2 ${parts(r.argon2)}; hand-written ${parts(r.minimal)}, ${extra(r.minimal)}; hand-written + audit and outbox ${parts(r.records)}, ${extra(r.records)}; Portcullis ${parts(r.portcullis)}, ${extra(r.portcullis)}`,
    `  sign-in ${label.padEnd(10)} CPU-bound ratios (floor CPU ÷ Portcullis CPU): Portcullis / hand-written = ${percent(cpuMsPerOp(r.minimal) / cpuMsPerOp(r.portcullis))}, Portcullis / raw argon2 = ${percent(cpuMsPerOp(r.argon2) / cpuMsPerOp(r.portcullis))}`,
  ];
}

/** The ratio lines of one database's sign-in results. */
export function signInRatioLines(label, r) {
  return [
    ...cpuLines(label, r),
    `  sign-in ${label.padEnd(10)} Portcullis / hand-written = ${describeRatio(pairedRatio(r.portcullis, r.minimal))}`,
    `  sign-in ${label.padEnd(10)} Portcullis / hand-written with the same records (session, audit entry, outbox event) = ${describeRatio(pairedRatio(r.portcullis, r.records))}`,
    `  sign-in ${label.padEnd(10)} hand-written with the records / hand-written = ${describeRatio(pairedRatio(r.records, r.minimal))} (what the required records cost, written by hand)`,
    `  sign-in ${label.padEnd(10)} Portcullis / raw argon2 = ${describeRatio(pairedRatio(r.portcullis, r.argon2))}`,
    `  sign-in ${label.padEnd(10)} hand-written / raw argon2 = ${describeRatio(pairedRatio(r.minimal, r.argon2))}`,
    `  sign-in ${label.padEnd(10)} Portcullis / better-auth = ${(r.portcullis.opsPerSecond / r.betterAuth.opsPerSecond).toFixed(2)}× (argon2id vs scrypt: different hashes)`,
  ];
}

/**
 * The PASS/MISS lines of one database's sign-in results: the verdict is on the ratio of the
 * totals; the per-round median and range show how much one run can be trusted.
 */
export function signInTargetLines(label, r) {
  const verdict = (ok) => (ok ? 'PASS' : 'MISS');
  const vsHand = pairedRatio(r.portcullis, r.minimal);
  const lines = [
    `  [${verdict(vsHand.total >= SIGN_IN_TARGETS.vsHandWritten)}] sign-in on ${label}: Portcullis ≥ ${SIGN_IN_TARGETS.vsHandWritten * 100}% of the hand-written sign-in — ${describeRatio(vsHand)}`,
  ];
  if (r.database === 'sqlite') {
    const vsArgon2 = pairedRatio(r.portcullis, r.argon2);
    lines.push(
      `  [${verdict(vsArgon2.total >= SIGN_IN_TARGETS.vsArgon2OnSqlite)}] sign-in on ${label}: Portcullis ≥ ${SIGN_IN_TARGETS.vsArgon2OnSqlite * 100}% of raw argon2id verify — ${describeRatio(vsArgon2)}`,
    );
  }
  return lines;
}
