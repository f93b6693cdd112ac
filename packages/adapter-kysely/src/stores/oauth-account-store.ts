import type { OAuthAccount, OAuthAccountStore, OAuthAccountWithUser } from '@portcullis/core/ports';
import type { ColumnCodec } from '../column-codec.js';
import type { Row } from '../kysely-types.js';
import type { StoreContext } from './store-context.js';
import { toUser, USER_COLUMNS } from './user-store.js';

export class KyselyOAuthAccountStore implements OAuthAccountStore {
  constructor(private readonly ctx: StoreContext) {}

  async findByProviderSubject(provider: string, subject: string): Promise<OAuthAccountWithUser | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(`${tables.oauthAccounts} as a`)
      .innerJoin(`${tables.users} as u`, 'u.id', 'a.user_id')
      .selectAll('a')
      .select(USER_COLUMNS.map((column) => `u.${column} as u_${column}`))
      .where('a.provider', '=', provider)
      .where('a.subject', '=', subject)
      .executeTakeFirst();
    return row ? { account: toOAuthAccount(row, codec), user: toUser(row, codec, 'u_') } : null;
  }

  async create(account: OAuthAccount): Promise<void> {
    const { db, tables, codec } = this.ctx;
    await db
      .insertInto(tables.oauthAccounts)
      .values({
        id: account.id,
        user_id: account.userId,
        provider: account.provider,
        subject: account.subject,
        email: account.email,
        created_at: codec.toDate(account.createdAt),
      })
      .execute();
  }

  async listByUser(userId: string): Promise<OAuthAccount[]> {
    const { db, tables, codec } = this.ctx;
    const rows = await db
      .selectFrom(tables.oauthAccounts)
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((row) => toOAuthAccount(row, codec));
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const { db, tables } = this.ctx;
    const result = await db
      .deleteFrom(tables.oauthAccounts)
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}

function toOAuthAccount(row: Row, codec: ColumnCodec): OAuthAccount {
  return {
    id: row.id,
    userId: row.user_id,
    provider: row.provider,
    subject: row.subject,
    email: row.email ?? null,
    createdAt: codec.fromDate(row.created_at),
  };
}
