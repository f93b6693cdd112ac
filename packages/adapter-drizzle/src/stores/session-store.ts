import { type Session, type SessionStore, type User, withAuthentication } from '@portcullis/core/ports';
import { and, desc, eq, gt, isNull, ne } from 'drizzle-orm';
import { affectedRows } from './dialect-queries.js';
import type { StoreContext } from './store-context.js';
import { userColumns } from './user-store.js';

export class DrizzleSessionStore implements SessionStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(session: Session): Promise<void> {
    const { db, tables } = this.ctx;
    await db.insert(tables.sessions).values({
      id: session.id,
      userId: session.userId,
      tenantId: session.tenantId,
      tokenHash: session.tokenHash,
      createdAt: session.createdAt,
      lastSeenAt: session.lastSeenAt,
      idleExpiresAt: session.idleExpiresAt,
      expiresAt: session.expiresAt,
      revokedAt: session.revokedAt,
      revokedReason: session.revokedReason,
      ip: session.ip,
      userAgent: session.userAgent,
      amr: session.amr,
      authTime: session.authTime,
    });
  }

  async findActiveByTokenHash(
    tokenHash: string,
    now: Date,
  ): Promise<{ session: Session; user: User } | null> {
    const { db, tables } = this.ctx;
    const { sessions, users } = tables;
    const [row] = await db
      .select({ session: sessions, user: userColumns(users) })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.tokenHash, tokenHash));
    // token_hash is unique, so "active" is tested here on the one row rather than in the WHERE
    // (as the Kysely adapter does: the bare unique lookup measured faster on PostgreSQL)
    if (row === undefined || !isActiveAt(row.session, now)) return null;
    return row;
  }

  async lock(id: string): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { sessions } = tables;
    const select = db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, id));
    // SQLite has no FOR UPDATE, and needs none: the adapter's transactions are BEGIN IMMEDIATE
    const [row] = await (dialect === 'sqlite' ? select : select.for('update'));
    return row !== undefined;
  }

  async touch(sessionId: string, lastSeenAt: Date, idleExpiresAt: Date): Promise<void> {
    const { db, tables } = this.ctx;
    await db
      .update(tables.sessions)
      .set({ lastSeenAt, idleExpiresAt })
      .where(eq(tables.sessions.id, sessionId));
  }

  async recordAuthentication(sessionId: string, method: string, at: Date): Promise<Session | null> {
    // amr and auth_time are JSON text: read, change and write back under the row's write lock,
    // so two concurrent step-ups (say pwd and otp) cannot each write back what the other missed.
    // SQLite transactions here begin IMMEDIATE, which already holds the database's write lock.
    return this.ctx.transaction(async ({ db, dialect, tables }) => {
      const { sessions } = tables;
      const active = and(eq(sessions.id, sessionId), isNull(sessions.revokedAt));
      const select = db.select().from(sessions).where(active);
      const [session] = dialect === 'sqlite' ? await select : await select.for('update');
      if (session === undefined) return null;
      const next = { ...session, ...withAuthentication(session, method, at) };
      await db
        .update(sessions)
        .set({ amr: next.amr, authTime: next.authTime })
        .where(eq(sessions.id, sessionId));
      return next;
    });
  }

  async listActiveByUser(userId: string, now: Date): Promise<Session[]> {
    const { db, tables } = this.ctx;
    const { sessions } = tables;
    return db
      .select()
      .from(sessions)
      .where(
        and(
          eq(sessions.userId, userId),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, now),
          gt(sessions.idleExpiresAt, now),
        ),
      )
      .orderBy(desc(sessions.createdAt), desc(sessions.id));
  }

  async revoke(userId: string, sessionId: string, revokedAt: Date, reason: string): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { sessions } = tables;
    // `revoked_at is null` in the WHERE makes this a compare-and-set: of concurrent callers only
    // one matches the row (the others re-check it after the winner's commit and miss)
    const result = await db
      .update(sessions)
      .set({ revokedAt, revokedReason: reason })
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)));
    return affectedRows(dialect, result) === 1;
  }

  async revokeAllForUser(
    userId: string,
    revokedAt: Date,
    reason: string,
    exceptSessionId?: string,
  ): Promise<number> {
    const { db, tables, dialect } = this.ctx;
    const { sessions } = tables;
    const result = await db
      .update(sessions)
      .set({ revokedAt, revokedReason: reason })
      .where(
        and(
          eq(sessions.userId, userId),
          isNull(sessions.revokedAt),
          exceptSessionId === undefined ? undefined : ne(sessions.id, exceptSessionId),
        ),
      );
    return affectedRows(dialect, result);
  }

  async revokeAllForTenant(tenantId: string, revokedAt: Date, reason: string): Promise<number> {
    const { db, tables, dialect } = this.ctx;
    const { sessions } = tables;
    const result = await db
      .update(sessions)
      .set({ revokedAt, revokedReason: reason })
      .where(and(eq(sessions.tenantId, tenantId), isNull(sessions.revokedAt)));
    return affectedRows(dialect, result);
  }

  async revokeAllForTenantMember(
    tenantId: string,
    userId: string,
    revokedAt: Date,
    reason: string,
  ): Promise<number> {
    const { db, tables, dialect } = this.ctx;
    const { sessions } = tables;
    const result = await db
      .update(sessions)
      .set({ revokedAt, revokedReason: reason })
      .where(and(eq(sessions.tenantId, tenantId), eq(sessions.userId, userId), isNull(sessions.revokedAt)));
    return affectedRows(dialect, result);
  }
}

/** The port's "active": not revoked, and neither expiry at or before `now`. */
function isActiveAt(session: Session, now: Date): boolean {
  const nowMs = now.getTime();
  return (
    session.revokedAt === null &&
    session.expiresAt.getTime() > nowMs &&
    session.idleExpiresAt.getTime() > nowMs
  );
}
