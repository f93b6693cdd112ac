import type { RefreshToken, RefreshTokenStore, RefreshTokenWithSession } from '@portcullis/core/ports';
import { sql } from 'kysely';
import type { ColumnCodec } from '../column-codec.js';
import type { Row } from '../kysely-types.js';
import { SESSION_COLUMNS, toSession } from './session-store.js';
import { inTransaction, type StoreContext } from './store-context.js';

export class KyselyRefreshTokenStore implements RefreshTokenStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(token: RefreshToken): Promise<void> {
    const { db, tables, codec } = this.ctx;
    await db
      .insertInto(tables.refreshTokens)
      .values({
        id: token.id,
        family_id: token.familyId,
        parent_id: token.parentId,
        generation: token.generation,
        session_id: token.sessionId,
        user_id: token.userId,
        tenant_id: token.tenantId,
        client_id: token.clientId,
        scope: token.scope,
        token_hash: token.tokenHash,
        created_at: codec.toDate(token.createdAt),
        expires_at: codec.toDate(token.expiresAt),
        rotated_at: codec.toNullableDate(token.rotatedAt),
        replaced_by_id: token.replacedById,
        grace_replays: token.graceReplays,
        revoked_at: codec.toNullableDate(token.revokedAt),
        revoked_reason: token.revokedReason,
      })
      .execute();
  }

  async findByTokenHash(tokenHash: string): Promise<RefreshTokenWithSession | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(`${tables.refreshTokens} as r`)
      .innerJoin(`${tables.sessions} as s`, 's.id', 'r.session_id')
      .selectAll('r')
      .select(SESSION_COLUMNS.map((column) => `s.${column} as s_${column}`))
      .where('r.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (row === undefined) return null;
    const sessionRow = Object.fromEntries(SESSION_COLUMNS.map((column) => [column, row[`s_${column}`]]));
    return { token: toRefreshToken(row, codec), session: toSession(sessionRow, codec) };
  }

  claimRotation(tokenId: string, childId: string, now: Date): Promise<boolean> {
    return inTransaction(this.ctx, async (ctx) => {
      if (!(await lockActiveSessionOf(ctx, tokenId, now))) return false;
      const { db, tables, codec } = ctx;
      // the compare-and-set: of concurrent callers only one finds `rotated_at IS NULL` (the others
      // re-check the row after the winner's commit and miss)
      const result = await db
        .updateTable(tables.refreshTokens)
        .set({ rotated_at: codec.toDate(now), replaced_by_id: childId })
        .where('id', '=', tokenId)
        .where('rotated_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', codec.toDate(now))
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    });
  }

  claimGraceReplay(tokenId: string, rotatedSince: Date, maxReplays: number, now: Date): Promise<boolean> {
    return inTransaction(this.ctx, async (ctx) => {
      if (!(await lockActiveSessionOf(ctx, tokenId, now))) return false;
      const { db, tables, codec } = ctx;
      const result = await db
        .updateTable(tables.refreshTokens)
        .set({ grace_replays: sql`grace_replays + 1` })
        .where('id', '=', tokenId)
        .where('rotated_at', '>=', codec.toDate(rotatedSince))
        .where('grace_replays', '<', maxReplays)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    });
  }

  async revokeFamily(familyId: string, revokedAt: Date, reason: string): Promise<number> {
    const { db, tables, codec } = this.ctx;
    const result = await db
      .updateTable(tables.refreshTokens)
      .set({ revoked_at: codec.toDate(revokedAt), revoked_reason: reason })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

/**
 * Takes the write lock of the token's session row when the session is active at `now`, and says
 * whether it is. A revocation of the session (an UPDATE of that row) thus commits before this
 * transaction looks, or waits for it to end: a rotation never mints a token after a logout.
 */
async function lockActiveSessionOf(ctx: StoreContext, tokenId: string, now: Date): Promise<boolean> {
  const { db, dialect, tables, codec } = ctx;
  const token = await db
    .selectFrom(tables.refreshTokens)
    .select('session_id')
    .where('id', '=', tokenId)
    .executeTakeFirst();
  if (token === undefined) return false;
  let select = db
    .selectFrom(tables.sessions)
    .select('id')
    .where('id', '=', token.session_id)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', codec.toDate(now))
    .where('idle_expires_at', '>', codec.toDate(now));
  if (dialect === 'sqlite') {
    // SQLite has no row locks: a first write takes the database's write lock (see the session store)
    await db
      .updateTable(tables.sessions)
      .set({ revoked_at: sql`revoked_at` })
      .where('id', '=', token.session_id)
      .execute();
  } else {
    select = select.forUpdate();
  }
  return (await select.executeTakeFirst()) !== undefined;
}

function toRefreshToken(row: Row, codec: ColumnCodec): RefreshToken {
  return {
    id: row.id,
    familyId: row.family_id,
    parentId: row.parent_id ?? null,
    generation: codec.fromInteger(row.generation),
    sessionId: row.session_id,
    userId: row.user_id,
    tenantId: row.tenant_id ?? null,
    clientId: row.client_id,
    scope: row.scope ?? null,
    tokenHash: row.token_hash,
    createdAt: codec.fromDate(row.created_at),
    expiresAt: codec.fromDate(row.expires_at),
    rotatedAt: codec.fromNullableDate(row.rotated_at),
    replacedById: row.replaced_by_id ?? null,
    graceReplays: codec.fromInteger(row.grace_replays),
    revokedAt: codec.fromNullableDate(row.revoked_at),
    revokedReason: row.revoked_reason ?? null,
  };
}
