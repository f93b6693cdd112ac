import type { PasswordStore } from '@portcullis/core/ports';
import { and, eq } from 'drizzle-orm';
import { affectedRows, onDuplicateKeyUpdate } from './dialect-queries.js';
import type { StoreContext } from './store-context.js';

export class DrizzlePasswordStore implements PasswordStore {
  constructor(private readonly ctx: StoreContext) {}

  async upsert(userId: string, hash: string, updatedAt: Date): Promise<void> {
    const { db, tables, dialect } = this.ctx;
    const insert = db
      .insert(tables.passwords)
      .values({ userId, hash, createdAt: updatedAt, updatedAt: updatedAt });
    if (dialect === 'mysql') await onDuplicateKeyUpdate(insert, { hash, updatedAt });
    else await insert.onConflictDoUpdate({ target: tables.passwords.userId, set: { hash, updatedAt } });
  }

  async delete(userId: string): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const result = await db.delete(tables.passwords).where(eq(tables.passwords.userId, userId));
    return affectedRows(dialect, result) > 0;
  }

  async findHash(userId: string): Promise<string | null> {
    const { db, tables } = this.ctx;
    const [row] = await db
      .select({ hash: tables.passwords.hash })
      .from(tables.passwords)
      .where(eq(tables.passwords.userId, userId));
    return row?.hash ?? null;
  }

  async replaceIfUnchanged(
    userId: string,
    expectedHash: string,
    newHash: string,
    updatedAt: Date,
  ): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { passwords } = tables;
    // compare-and-set in one statement: a concurrent password change makes the WHERE miss
    const result = await db
      .update(passwords)
      .set({ hash: newHash, updatedAt })
      .where(and(eq(passwords.userId, userId), eq(passwords.hash, expectedHash)));
    return affectedRows(dialect, result) > 0;
  }
}
