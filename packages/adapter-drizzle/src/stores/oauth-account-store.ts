import type { OAuthAccount, OAuthAccountStore, OAuthAccountWithUser } from '@portcullis/core/ports';
import { and, asc, eq } from 'drizzle-orm';
import { affectedRows } from './dialect-queries.js';
import type { StoreContext } from './store-context.js';
import { userColumns } from './user-store.js';

export class DrizzleOAuthAccountStore implements OAuthAccountStore {
  constructor(private readonly ctx: StoreContext) {}

  async findByProviderSubject(provider: string, subject: string): Promise<OAuthAccountWithUser | null> {
    const { db, tables } = this.ctx;
    const { oauthAccounts, users } = tables;
    const [row] = await db
      .select({ account: oauthAccounts, user: userColumns(users) })
      .from(oauthAccounts)
      .innerJoin(users, eq(users.id, oauthAccounts.userId))
      .where(and(eq(oauthAccounts.provider, provider), eq(oauthAccounts.subject, subject)));
    return row ?? null;
  }

  async create(account: OAuthAccount): Promise<void> {
    const { db, tables } = this.ctx;
    await db.insert(tables.oauthAccounts).values({ ...account });
  }

  async listByUser(userId: string): Promise<OAuthAccount[]> {
    const { db, tables } = this.ctx;
    const { oauthAccounts } = tables;
    return db
      .select()
      .from(oauthAccounts)
      .where(eq(oauthAccounts.userId, userId))
      .orderBy(asc(oauthAccounts.createdAt), asc(oauthAccounts.id));
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { oauthAccounts } = tables;
    const result = await db
      .delete(oauthAccounts)
      .where(and(eq(oauthAccounts.id, id), eq(oauthAccounts.userId, userId)));
    return affectedRows(dialect, result) === 1;
  }
}
