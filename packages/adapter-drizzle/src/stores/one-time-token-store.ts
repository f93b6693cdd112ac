import type { OneTimeToken, OneTimeTokenPurpose, OneTimeTokenStore } from '@portcullis/core/ports';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { affectedRows } from './dialect-queries.js';
import type { StoreContext } from './store-context.js';
import { updateReturning } from './update-returning.js';

export class DrizzleOneTimeTokenStore implements OneTimeTokenStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(token: OneTimeToken): Promise<void> {
    const { db, tables } = this.ctx;
    await db.insert(tables.oneTimeTokens).values({ ...token });
  }

  async findByTokenHash(tokenHash: string): Promise<OneTimeToken | null> {
    const { db, tables } = this.ctx;
    const { oneTimeTokens } = tables;
    const [row] = await db.select().from(oneTimeTokens).where(eq(oneTimeTokens.tokenHash, tokenHash));
    return row ?? null;
  }

  async consume(id: string, now: Date): Promise<OneTimeToken | null> {
    const { oneTimeTokens } = this.ctx.tables;
    // one conditional UPDATE: of concurrent callers only the first sees `used_at IS NULL`
    const row = await updateReturning(
      this.ctx,
      oneTimeTokens,
      { usedAt: now },
      and(eq(oneTimeTokens.id, id), isNull(oneTimeTokens.usedAt), gt(oneTimeTokens.expiresAt, now)),
      eq(oneTimeTokens.id, id),
    );
    return row ?? null;
  }

  async expireUnused(userId: string, purpose: OneTimeTokenPurpose, now: Date): Promise<number> {
    const { db, tables, dialect } = this.ctx;
    const { oneTimeTokens } = tables;
    const result = await db
      .update(oneTimeTokens)
      .set({ usedAt: now })
      .where(
        and(
          eq(oneTimeTokens.userId, userId),
          eq(oneTimeTokens.purpose, purpose),
          isNull(oneTimeTokens.usedAt),
        ),
      );
    return affectedRows(dialect, result);
  }
}
