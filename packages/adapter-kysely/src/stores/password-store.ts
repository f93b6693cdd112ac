import type { PasswordStore } from '@portcullis/core/ports';
import type { StoreContext } from './store-context.js';

export class KyselyPasswordStore implements PasswordStore {
  constructor(private readonly ctx: StoreContext) {}

  async upsert(userId: string, hash: string, updatedAt: Date): Promise<void> {
    const { db, tables, codec, dialect } = this.ctx;
    const at = codec.toDate(updatedAt);
    const insert = db
      .insertInto(tables.passwords)
      .values({ user_id: userId, hash, created_at: at, updated_at: at });
    if (dialect === 'mysql') {
      await insert.onDuplicateKeyUpdate({ hash, updated_at: at }).execute();
    } else {
      await insert.onConflict((oc) => oc.column('user_id').doUpdateSet({ hash, updated_at: at })).execute();
    }
  }

  async delete(userId: string): Promise<boolean> {
    const { db, tables } = this.ctx;
    const result = await db.deleteFrom(tables.passwords).where('user_id', '=', userId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async findHash(userId: string): Promise<string | null> {
    const { db, tables } = this.ctx;
    const row = await db
      .selectFrom(tables.passwords)
      .select('hash')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.hash ?? null;
  }

  async replaceIfUnchanged(
    userId: string,
    expectedHash: string,
    newHash: string,
    updatedAt: Date,
  ): Promise<boolean> {
    const { db, tables, codec } = this.ctx;
    // compare-and-set in one statement: a concurrent password change makes the WHERE miss
    const result = await db
      .updateTable(tables.passwords)
      .set({ hash: newHash, updated_at: codec.toDate(updatedAt) })
      .where('user_id', '=', userId)
      .where('hash', '=', expectedHash)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
