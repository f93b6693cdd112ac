import type { CredentialFailureStore, CredentialFailures } from '@portcullis/core/ports';
import { eq, lt, sql } from 'drizzle-orm';
import { affectedRows, onDuplicateKeyUpdate } from './dialect-queries.js';
import type { StoreContext } from './store-context.js';

export class DrizzleCredentialFailureStore implements CredentialFailureStore {
  constructor(private readonly ctx: StoreContext) {}

  async find(accountKey: string): Promise<CredentialFailures | null> {
    const { db, tables } = this.ctx;
    const { credentialFailures: f } = tables;
    const [row] = await db
      .select({ count: f.failedCount, lastFailedAt: f.lastFailedAt })
      .from(f)
      .where(eq(f.accountKey, accountKey));
    return row ? { count: Number(row.count), lastFailedAt: row.lastFailedAt } : null;
  }

  async recordFailure(accountKey: string, failedAt: Date, lapsedBefore: Date): Promise<number> {
    const { credentialFailures: f } = this.ctx.tables;
    const values = { accountKey, failedCount: 1, lastFailedAt: failedAt };
    // one statement decides: a lapsed record starts over, any other counts up (count first:
    // MySQL assigns left to right and must compare the old last_failed_at)
    const set = {
      failedCount: sql`case when ${lt(f.lastFailedAt, lapsedBefore)} then 1 else ${f.failedCount} + 1 end`,
      lastFailedAt: failedAt,
    };
    if (this.ctx.dialect !== 'mysql') {
      const [row] = await this.ctx.db
        .insert(f)
        .values(values)
        .onConflictDoUpdate({ target: f.accountKey, set })
        .returning({ count: f.failedCount });
      return Number(row!.count);
    }
    // MySQL has no RETURNING: the upsert's row lock holds until the re-read in the same transaction
    return this.ctx.transaction(async ({ db }) => {
      await onDuplicateKeyUpdate(db.insert(f).values(values), set);
      const [row] = await db
        .select({ count: f.failedCount })
        .from(f)
        .where(eq(f.accountKey, accountKey))
        .for('update');
      return Number(row!.count);
    });
  }

  async clear(accountKey: string): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { credentialFailures: f } = tables;
    return affectedRows(dialect, await db.delete(f).where(eq(f.accountKey, accountKey))) > 0;
  }

  async deleteLapsed(before: Date): Promise<number> {
    const { db, tables, dialect } = this.ctx;
    const { credentialFailures: f } = tables;
    return affectedRows(dialect, await db.delete(f).where(lt(f.lastFailedAt, before)));
  }
}
