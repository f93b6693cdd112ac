import type { RefreshToken, RefreshTokenStore, RefreshTokenWithSession } from '@portcullis/core/ports';
import { and, eq, gt, gte, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { affectedRows } from './dialect-queries.js';
import type { StoreContext } from './store-context.js';

export class DrizzleRefreshTokenStore implements RefreshTokenStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(token: RefreshToken): Promise<void> {
    const { db, tables } = this.ctx;
    await db.insert(tables.refreshTokens).values({ ...token });
  }

  async findByTokenHash(tokenHash: string): Promise<RefreshTokenWithSession | null> {
    const { db, tables } = this.ctx;
    const { refreshTokens, sessions } = tables;
    const [row] = await db
      .select({ token: refreshTokens, session: sessions })
      .from(refreshTokens)
      .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
      .where(eq(refreshTokens.tokenHash, tokenHash));
    return row ?? null;
  }

  claimRotation(tokenId: string, childId: string, now: Date): Promise<boolean> {
    return this.ctx.transaction(async (ctx) => {
      if (!(await lockActiveSessionOf(ctx, tokenId, now))) return false;
      const { db, dialect, tables } = ctx;
      const { refreshTokens: t } = tables;
      // the compare-and-set: of concurrent callers only one finds `rotated_at IS NULL`
      const result = await db
        .update(t)
        .set({ rotatedAt: now, replacedById: childId })
        .where(and(eq(t.id, tokenId), isNull(t.rotatedAt), isNull(t.revokedAt), gt(t.expiresAt, now)));
      return affectedRows(dialect, result) === 1;
    });
  }

  claimGraceReplay(tokenId: string, rotatedSince: Date, maxReplays: number, now: Date): Promise<boolean> {
    return this.ctx.transaction(async (ctx) => {
      if (!(await lockActiveSessionOf(ctx, tokenId, now))) return false;
      const { db, dialect, tables } = ctx;
      const { refreshTokens: t } = tables;
      const result = await db
        .update(t)
        .set({ graceReplays: sql`${t.graceReplays} + 1` })
        .where(
          and(
            eq(t.id, tokenId),
            isNotNull(t.rotatedAt),
            gte(t.rotatedAt, rotatedSince),
            lt(t.graceReplays, maxReplays),
            isNull(t.revokedAt),
          ),
        );
      return affectedRows(dialect, result) === 1;
    });
  }

  async revokeFamily(familyId: string, revokedAt: Date, reason: string): Promise<number> {
    const { db, tables, dialect } = this.ctx;
    const { refreshTokens: t } = tables;
    const result = await db
      .update(t)
      .set({ revokedAt, revokedReason: reason })
      .where(and(eq(t.familyId, familyId), isNull(t.revokedAt)));
    return affectedRows(dialect, result);
  }
}

/**
 * Takes the write lock of the token's session row when the session is active at `now`, and says
 * whether it is: a revocation of the session commits before this transaction looks, or waits for
 * it to end. SQLite transactions here begin IMMEDIATE, which already holds the write lock.
 */
async function lockActiveSessionOf(ctx: StoreContext, tokenId: string, now: Date): Promise<boolean> {
  const { db, dialect, tables } = ctx;
  const { refreshTokens, sessions } = tables;
  const [token] = await db
    .select({ sessionId: refreshTokens.sessionId })
    .from(refreshTokens)
    .where(eq(refreshTokens.id, tokenId));
  if (token === undefined) return false;
  const select = db
    .select({ id: sessions.id })
    .from(sessions)
    .where(
      and(
        eq(sessions.id, token.sessionId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
        gt(sessions.idleExpiresAt, now),
      ),
    );
  const [session] = dialect === 'sqlite' ? await select : await select.for('update');
  return session !== undefined;
}
