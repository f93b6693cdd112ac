import type { RateLimitOverrideStore, StoredRateLimitOverride } from '@portcullis/core/ports';
import type { ColumnCodec } from '../column-codec.js';
import type { Row } from '../kysely-types.js';
import { inTransaction, type StoreContext } from './store-context.js';

/** A tenant-wide override's `api_key_id`: not NULL, so the unique constraint holds (see migration 0015). */
const TENANT_WIDE = '';

export class KyselyRateLimitOverrideStore implements RateLimitOverrideStore {
  constructor(private readonly ctx: StoreContext) {}

  async listByTenant(tenantId: string): Promise<StoredRateLimitOverride[]> {
    const { db, tables, codec } = this.ctx;
    const rows = await db
      .selectFrom(tables.rateLimitOverrides)
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .execute();
    return rows.map((row) => toOverride(row, codec));
  }

  async put(override: StoredRateLimitOverride): Promise<StoredRateLimitOverride> {
    const { db, tables, codec, dialect } = this.ctx;
    const apiKeyId = override.apiKeyId ?? TENANT_WIDE;
    const numbers = {
      limit: override.limit,
      period_seconds: override.periodSeconds,
      burst: override.burst,
      updated_at: codec.toDate(override.updatedAt),
    };
    const row = {
      id: override.id,
      tenant_id: override.tenantId,
      api_key_id: apiKeyId,
      policy: override.policy,
      ...numbers,
      created_at: codec.toDate(override.createdAt),
    };
    if (dialect !== 'mysql') {
      // one statement: of concurrent puts each inserts or updates, none fails on the constraint
      const stored = await db
        .insertInto(tables.rateLimitOverrides)
        .values(row)
        .onConflict((oc) => oc.columns(['tenant_id', 'api_key_id', 'policy']).doUpdateSet(numbers))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toOverride(stored, codec);
    }
    // MySQL has no RETURNING: the upsert's row lock holds until the re-read in the same transaction
    return inTransaction(this.ctx, async (ctx) => {
      await ctx.db.insertInto(tables.rateLimitOverrides).values(row).onDuplicateKeyUpdate(numbers).execute();
      const stored = await ctx.db
        .selectFrom(tables.rateLimitOverrides)
        .selectAll()
        .where('tenant_id', '=', override.tenantId)
        .where('api_key_id', '=', apiKeyId)
        .where('policy', '=', override.policy)
        .executeTakeFirstOrThrow();
      return toOverride(stored, codec);
    });
  }

  async delete(tenantId: string, apiKeyId: string | null, policy: string): Promise<boolean> {
    const { db, tables } = this.ctx;
    const result = await db
      .deleteFrom(tables.rateLimitOverrides)
      .where('tenant_id', '=', tenantId)
      .where('api_key_id', '=', apiKeyId ?? TENANT_WIDE)
      .where('policy', '=', policy)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

function toOverride(row: Row, codec: ColumnCodec): StoredRateLimitOverride {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    apiKeyId: row.api_key_id === TENANT_WIDE ? null : row.api_key_id,
    policy: row.policy,
    limit: codec.fromInteger(row.limit),
    periodSeconds: codec.fromInteger(row.period_seconds),
    burst: row.burst === null ? null : codec.fromInteger(row.burst),
    createdAt: codec.fromDate(row.created_at),
    updatedAt: codec.fromDate(row.updated_at),
  };
}
