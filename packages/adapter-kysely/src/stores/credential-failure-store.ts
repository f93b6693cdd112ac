import type { CredentialFailureStore, CredentialFailures } from '@portcullis/core/ports';
import { sql } from 'kysely';
import { inTransaction, type StoreContext } from './store-context.js';

export class KyselyCredentialFailureStore implements CredentialFailureStore {
  constructor(private readonly ctx: StoreContext) {}

  async find(accountKey: string): Promise<CredentialFailures | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(tables.credentialFailures)
      .select(['failed_count', 'last_failed_at'])
      .where('account_key', '=', accountKey)
      .executeTakeFirst();
    return row
      ? { count: codec.fromInteger(row.failed_count), lastFailedAt: codec.fromDate(row.last_failed_at) }
      : null;
  }

  async recordFailure(accountKey: string, failedAt: Date, lapsedBefore: Date): Promise<number> {
    const { tables, codec, dialect } = this.ctx;
    const table = tables.credentialFailures;
    const at = codec.toDate(failedAt);
    const insert = (db: StoreContext['db']) =>
      db.insertInto(table).values({ account_key: accountKey, failed_count: 1, last_failed_at: at });
    // PostgreSQL names the existing row by its table; SQLite and MySQL take the bare column
    const column = (name: string) => (dialect === 'postgres' ? sql.ref(`${table}.${name}`) : sql.ref(name));
    // one statement decides: a lapsed record starts over, any other counts up (count first:
    // MySQL assigns left to right and must compare the old last_failed_at)
    const nextCount = sql`case when ${column('last_failed_at')} < ${codec.toDate(lapsedBefore)} then 1 else ${column('failed_count')} + 1 end`;
    if (dialect !== 'mysql') {
      const row = await insert(this.ctx.db)
        .onConflict((oc) =>
          oc.column('account_key').doUpdateSet({ failed_count: nextCount, last_failed_at: at }),
        )
        .returning('failed_count')
        .executeTakeFirstOrThrow();
      return codec.fromInteger(row.failed_count);
    }
    // MySQL has no RETURNING: the upsert's row lock holds until the re-read in the same transaction
    return inTransaction(this.ctx, async ({ db }) => {
      await insert(db).onDuplicateKeyUpdate({ failed_count: nextCount, last_failed_at: at }).execute();
      const row = await db
        .selectFrom(table)
        .select('failed_count')
        .where('account_key', '=', accountKey)
        .forUpdate()
        .executeTakeFirstOrThrow();
      return codec.fromInteger(row.failed_count);
    });
  }

  async clear(accountKey: string): Promise<boolean> {
    const { db, tables } = this.ctx;
    const result = await db
      .deleteFrom(tables.credentialFailures)
      .where('account_key', '=', accountKey)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async deleteLapsed(before: Date): Promise<number> {
    const { db, tables, codec } = this.ctx;
    const result = await db
      .deleteFrom(tables.credentialFailures)
      .where('last_failed_at', '<', codec.toDate(before))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
