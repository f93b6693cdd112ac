import type { OneTimeToken, OneTimeTokenPurpose, OneTimeTokenStore } from '@portcullis/core/ports';
import type { ColumnCodec } from '../column-codec.js';
import type { Row } from '../kysely-types.js';
import type { StoreContext } from './store-context.js';
import { updateReturning } from './update-returning.js';

export class KyselyOneTimeTokenStore implements OneTimeTokenStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(token: OneTimeToken): Promise<void> {
    const { db, tables, codec } = this.ctx;
    await db
      .insertInto(tables.oneTimeTokens)
      .values({
        id: token.id,
        user_id: token.userId,
        purpose: token.purpose,
        token_hash: token.tokenHash,
        email: token.email,
        redirect_to: token.redirectTo,
        expires_at: codec.toDate(token.expiresAt),
        used_at: codec.toNullableDate(token.usedAt),
        created_at: codec.toDate(token.createdAt),
      })
      .execute();
  }

  async findByTokenHash(tokenHash: string): Promise<OneTimeToken | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(tables.oneTimeTokens)
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row ? toOneTimeToken(row, codec) : null;
  }

  async consume(id: string, now: Date): Promise<OneTimeToken | null> {
    const { tables, codec } = this.ctx;
    // one conditional UPDATE: of concurrent callers only the first sees `used_at IS NULL`
    const row = await updateReturning(
      this.ctx,
      tables.oneTimeTokens,
      ({ db }) =>
        db
          .updateTable(tables.oneTimeTokens)
          .set({ used_at: codec.toDate(now) })
          .where('id', '=', id)
          .where('used_at', 'is', null)
          .where('expires_at', '>', codec.toDate(now)),
      { id },
    );
    return row ? toOneTimeToken(row, codec) : null;
  }

  async expireUnused(userId: string, purpose: OneTimeTokenPurpose, now: Date): Promise<number> {
    const { db, tables, codec } = this.ctx;
    const result = await db
      .updateTable(tables.oneTimeTokens)
      .set({ used_at: codec.toDate(now) })
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

function toOneTimeToken(row: Row, codec: ColumnCodec): OneTimeToken {
  return {
    id: row.id,
    userId: row.user_id,
    purpose: row.purpose,
    tokenHash: row.token_hash,
    email: row.email,
    redirectTo: row.redirect_to ?? null,
    expiresAt: codec.fromDate(row.expires_at),
    usedAt: codec.fromNullableDate(row.used_at),
    createdAt: codec.fromDate(row.created_at),
  };
}
