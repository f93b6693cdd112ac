import type { RateLimitOverrideStore, StoredRateLimitOverride } from '@portcullis/core/ports';
import { and, asc, eq } from 'drizzle-orm';
import { affectedRows, onDuplicateKeyUpdate } from './dialect-queries.js';
import type { StoreContext } from './store-context.js';

type OverrideRow = StoreContext['tables']['rateLimitOverrides']['$inferSelect'];

/** A tenant-wide override's `api_key_id`: not NULL, so the unique constraint holds (see migration 0015). */
const TENANT_WIDE = '';

function toOverride(row: OverrideRow): StoredRateLimitOverride {
  return {
    ...row,
    apiKeyId: row.apiKeyId === TENANT_WIDE ? null : row.apiKeyId,
    limit: Number(row.limit),
    periodSeconds: Number(row.periodSeconds),
    burst: row.burst === null ? null : Number(row.burst),
  };
}

export class DrizzleRateLimitOverrideStore implements RateLimitOverrideStore {
  constructor(private readonly ctx: StoreContext) {}

  async listByTenant(tenantId: string): Promise<StoredRateLimitOverride[]> {
    const { rateLimitOverrides: o } = this.ctx.tables;
    const rows = await this.ctx.db.select().from(o).where(eq(o.tenantId, tenantId)).orderBy(asc(o.id));
    return rows.map(toOverride);
  }

  async put(override: StoredRateLimitOverride): Promise<StoredRateLimitOverride> {
    const { rateLimitOverrides: o } = this.ctx.tables;
    const apiKeyId = override.apiKeyId ?? TENANT_WIDE;
    const values = { ...override, apiKeyId };
    const set = {
      limit: override.limit,
      periodSeconds: override.periodSeconds,
      burst: override.burst,
      updatedAt: override.updatedAt,
    };
    if (this.ctx.dialect !== 'mysql') {
      // one statement: of concurrent puts each inserts or updates, none fails on the constraint
      const [row] = await this.ctx.db
        .insert(o)
        .values(values)
        .onConflictDoUpdate({ target: [o.tenantId, o.apiKeyId, o.policy], set })
        .returning();
      return toOverride(row!);
    }
    // MySQL has no RETURNING: the upsert's row lock holds until the re-read in the same transaction
    return this.ctx.transaction(async ({ db }) => {
      await onDuplicateKeyUpdate(db.insert(o).values(values), set);
      const [row] = await db
        .select()
        .from(o)
        .where(
          and(eq(o.tenantId, override.tenantId), eq(o.apiKeyId, apiKeyId), eq(o.policy, override.policy)),
        );
      return toOverride(row!);
    });
  }

  async delete(tenantId: string, apiKeyId: string | null, policy: string): Promise<boolean> {
    const { db, dialect } = this.ctx;
    const { rateLimitOverrides: o } = this.ctx.tables;
    const result = await db
      .delete(o)
      .where(and(eq(o.tenantId, tenantId), eq(o.apiKeyId, apiKeyId ?? TENANT_WIDE), eq(o.policy, policy)));
    return affectedRows(dialect, result) > 0;
  }
}
