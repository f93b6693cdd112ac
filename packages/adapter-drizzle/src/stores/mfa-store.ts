import type { MfaStore, RecoveryCode, TotpCredential } from '@portcullis/core/ports';
import { and, count, eq, isNotNull, isNull, lt, or } from 'drizzle-orm';
import { affectedRows } from './dialect-queries.js';
import type { StoreContext } from './store-context.js';

export class DrizzleMfaStore implements MfaStore {
  constructor(private readonly ctx: StoreContext) {}

  async findTotp(userId: string): Promise<TotpCredential | null> {
    const { db, tables } = this.ctx;
    const [row] = await db
      .select()
      .from(tables.totpCredentials)
      .where(eq(tables.totpCredentials.userId, userId));
    return row ? { ...row, lastUsedStep: row.lastUsedStep === null ? null : Number(row.lastUsedStep) } : null;
  }

  async createTotp(credential: TotpCredential): Promise<void> {
    const { db, tables } = this.ctx;
    await db.insert(tables.totpCredentials).values({ ...credential });
  }

  async deletePendingTotp(userId: string): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { totpCredentials: t } = tables;
    const result = await db.delete(t).where(and(eq(t.userId, userId), isNull(t.confirmedAt)));
    return affectedRows(dialect, result) > 0;
  }

  async confirmTotp(userId: string, step: number, confirmedAt: Date): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { totpCredentials: t } = tables;
    const result = await db
      .update(t)
      .set({ confirmedAt, lastUsedStep: step, updatedAt: confirmedAt })
      .where(and(eq(t.userId, userId), isNull(t.confirmedAt)));
    return affectedRows(dialect, result) > 0;
  }

  async claimTotpStep(userId: string, step: number, at: Date): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { totpCredentials: t } = tables;
    // one conditional UPDATE: whoever's write hits the row owns the step, however many race
    const result = await db
      .update(t)
      .set({ lastUsedStep: step, updatedAt: at })
      .where(
        and(
          eq(t.userId, userId),
          isNotNull(t.confirmedAt),
          or(isNull(t.lastUsedStep), lt(t.lastUsedStep, step)),
        ),
      );
    return affectedRows(dialect, result) > 0;
  }

  async deleteTotp(userId: string): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const result = await db.delete(tables.totpCredentials).where(eq(tables.totpCredentials.userId, userId));
    return affectedRows(dialect, result) > 0;
  }

  async replaceRecoveryCodes(userId: string, codes: RecoveryCode[]): Promise<void> {
    const { db, tables } = this.ctx;
    await db.delete(tables.recoveryCodes).where(eq(tables.recoveryCodes.userId, userId));
    if (codes.length === 0) return;
    await db.insert(tables.recoveryCodes).values(codes.map((code) => ({ ...code, userId })));
  }

  async useRecoveryCode(userId: string, codeHash: string, usedAt: Date): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { recoveryCodes: r } = tables;
    const result = await db
      .update(r)
      .set({ usedAt })
      .where(and(eq(r.userId, userId), eq(r.codeHash, codeHash), isNull(r.usedAt)));
    return affectedRows(dialect, result) > 0;
  }

  async countUnusedRecoveryCodes(userId: string): Promise<number> {
    const { db, tables } = this.ctx;
    const { recoveryCodes: r } = tables;
    const [row] = await db
      .select({ count: count() })
      .from(r)
      .where(and(eq(r.userId, userId), isNull(r.usedAt)));
    return Number(row?.count ?? 0);
  }

  async deleteRecoveryCodes(userId: string): Promise<number> {
    const { db, tables, dialect } = this.ctx;
    const result = await db.delete(tables.recoveryCodes).where(eq(tables.recoveryCodes.userId, userId));
    return affectedRows(dialect, result);
  }
}
