import type { Session, SessionStore, User } from '@portcullis/core';
import type { ColumnCodec } from '../column-codec.js';
import type { AnyExpressionBuilder, Row } from '../kysely-types.js';
import type { StoreContext } from './store-context.js';
import { toUser } from './user-store.js';

const USER_COLUMNS = [
  'id',
  'tenant_id',
  'email',
  'email_verified_at',
  'name',
  'status',
  'created_at',
  'updated_at',
];

export class KyselySessionStore implements SessionStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(session: Session): Promise<void> {
    const { db, tables, codec } = this.ctx;
    await db
      .insertInto(tables.sessions)
      .values({
        id: session.id,
        user_id: session.userId,
        tenant_id: session.tenantId,
        token_hash: session.tokenHash,
        created_at: codec.toDate(session.createdAt),
        last_seen_at: codec.toDate(session.lastSeenAt),
        idle_expires_at: codec.toDate(session.idleExpiresAt),
        expires_at: codec.toDate(session.expiresAt),
        revoked_at: codec.toNullableDate(session.revokedAt),
        revoked_reason: session.revokedReason,
        ip: session.ip,
        user_agent: session.userAgent,
        amr: codec.toJson(session.amr),
        auth_time: codec.toJson(session.authTime),
      })
      .execute();
  }

  async findActiveByTokenHash(
    tokenHash: string,
    now: Date,
  ): Promise<{ session: Session; user: User } | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(`${tables.sessions} as s`)
      .innerJoin(`${tables.users} as u`, 'u.id', 's.user_id')
      .selectAll('s')
      .select(USER_COLUMNS.map((column) => `u.${column} as u_${column}`))
      .where('s.token_hash', '=', tokenHash)
      .where((eb) => isActive(eb, codec.toDate(now), 's.'))
      .executeTakeFirst();
    return row ? { session: toSession(row, codec), user: toUser(row, codec, 'u_') } : null;
  }

  async touch(sessionId: string, lastSeenAt: Date, idleExpiresAt: Date): Promise<void> {
    const { db, tables, codec } = this.ctx;
    await db
      .updateTable(tables.sessions)
      .set({ last_seen_at: codec.toDate(lastSeenAt), idle_expires_at: codec.toDate(idleExpiresAt) })
      .where('id', '=', sessionId)
      .execute();
  }

  async listActiveByUser(userId: string, now: Date): Promise<Session[]> {
    const { db, tables, codec } = this.ctx;
    const rows = await db
      .selectFrom(tables.sessions)
      .selectAll()
      .where('user_id', '=', userId)
      .where((eb) => isActive(eb, codec.toDate(now), ''))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map((row) => toSession(row, codec));
  }

  async revoke(userId: string, sessionId: string, revokedAt: Date, reason: string): Promise<boolean> {
    const { db, tables, codec } = this.ctx;
    // `revoked_at is null` in the WHERE makes this a compare-and-set: of concurrent callers only
    // one matches the row (the others re-check it after the winner's commit and miss)
    const result = await db
      .updateTable(tables.sessions)
      .set({ revoked_at: codec.toDate(revokedAt), revoked_reason: reason })
      .where('id', '=', sessionId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async revokeAllForUser(
    userId: string,
    revokedAt: Date,
    reason: string,
    exceptSessionId?: string,
  ): Promise<number> {
    const { db, tables, codec } = this.ctx;
    let update = db
      .updateTable(tables.sessions)
      .set({ revoked_at: codec.toDate(revokedAt), revoked_reason: reason })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (exceptSessionId !== undefined) update = update.where('id', '<>', exceptSessionId);
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async revokeAllForTenant(tenantId: string, revokedAt: Date, reason: string): Promise<number> {
    const { db, tables, codec } = this.ctx;
    const result = await db
      .updateTable(tables.sessions)
      .set({ revoked_at: codec.toDate(revokedAt), revoked_reason: reason })
      .where('tenant_id', '=', tenantId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

function isActive(eb: AnyExpressionBuilder, now: unknown, alias: string) {
  return eb.and([
    eb(`${alias}revoked_at`, 'is', null),
    eb(`${alias}expires_at`, '>', now),
    eb(`${alias}idle_expires_at`, '>', now),
  ]);
}

function toSession(row: Row, codec: ColumnCodec): Session {
  return {
    id: row.id,
    userId: row.user_id,
    tenantId: row.tenant_id ?? null,
    tokenHash: row.token_hash,
    createdAt: codec.fromDate(row.created_at),
    lastSeenAt: codec.fromDate(row.last_seen_at),
    idleExpiresAt: codec.fromDate(row.idle_expires_at),
    expiresAt: codec.fromDate(row.expires_at),
    revokedAt: codec.fromNullableDate(row.revoked_at),
    revokedReason: row.revoked_reason ?? null,
    ip: row.ip ?? null,
    userAgent: row.user_agent ?? null,
    amr: codec.fromJson(row.amr),
    authTime: codec.fromJson(row.auth_time),
  };
}
