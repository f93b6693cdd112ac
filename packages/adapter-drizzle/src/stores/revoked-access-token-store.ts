import type { RevokedAccessToken, RevokedAccessTokenStore } from '@portcullis/core/ports';
import { and, eq, gt } from 'drizzle-orm';
import { onDuplicateKeyUpdate } from './dialect-queries.js';
import type { StoreContext } from './store-context.js';

export class DrizzleRevokedAccessTokenStore implements RevokedAccessTokenStore {
  constructor(private readonly ctx: StoreContext) {}

  async add(revoked: RevokedAccessToken): Promise<void> {
    const { db, tables, dialect } = this.ctx;
    const { revokedAccessTokens } = tables;
    const insert = db.insert(revokedAccessTokens).values({ ...revoked });
    // a second revocation of the same token keeps the first row: one statement, no conflict
    if (dialect === 'mysql') {
      await onDuplicateKeyUpdate(insert, { tokenId: revokedAccessTokens.tokenId });
    } else {
      await insert.onConflictDoNothing({ target: revokedAccessTokens.tokenId });
    }
  }

  async isRevoked(tokenId: string, now: Date): Promise<boolean> {
    const { db, tables } = this.ctx;
    const { revokedAccessTokens } = tables;
    const [row] = await db
      .select({ tokenId: revokedAccessTokens.tokenId })
      .from(revokedAccessTokens)
      .where(and(eq(revokedAccessTokens.tokenId, tokenId), gt(revokedAccessTokens.expiresAt, now)));
    return row !== undefined;
  }
}
