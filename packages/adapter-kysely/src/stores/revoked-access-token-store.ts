import type { RevokedAccessToken, RevokedAccessTokenStore } from '@portcullis/core/ports';
import { sql } from 'kysely';
import type { StoreContext } from './store-context.js';

export class KyselyRevokedAccessTokenStore implements RevokedAccessTokenStore {
  constructor(private readonly ctx: StoreContext) {}

  async add(revoked: RevokedAccessToken): Promise<void> {
    const { db, tables, codec, dialect } = this.ctx;
    const insert = db.insertInto(tables.revokedAccessTokens).values({
      token_id: revoked.tokenId,
      expires_at: codec.toDate(revoked.expiresAt),
      revoked_at: codec.toDate(revoked.revokedAt),
    });
    // a second revocation of the same token keeps the first row: one statement, no conflict
    // (not INSERT IGNORE, which would also swallow a truncation or any other error)
    if (dialect === 'mysql') await insert.onDuplicateKeyUpdate({ token_id: sql.ref('token_id') }).execute();
    else await insert.onConflict((oc) => oc.column('token_id').doNothing()).execute();
  }

  async isRevoked(tokenId: string, now: Date): Promise<boolean> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(tables.revokedAccessTokens)
      .select('token_id')
      .where('token_id', '=', tokenId)
      .where('expires_at', '>', codec.toDate(now))
      .executeTakeFirst();
    return row !== undefined;
  }
}
