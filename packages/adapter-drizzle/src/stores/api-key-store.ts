import type {
  ApiKey,
  ApiKeyLimitsChange,
  ApiKeyRevocationReason,
  ApiKeyStore,
  Page,
  PageRequest,
} from '@portcullis/core/ports';
import { and, asc, eq, gt, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { affectedRows } from './dialect-queries.js';
import { toPage } from './page.js';
import type { StoreContext } from './store-context.js';
import { updateReturning } from './update-returning.js';

type ApiKeyRow = StoreContext['tables']['apiKeys']['$inferSelect'];

/** The row as the domain reads it: the condition column is typed JSON, the credits a number. */
function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    ...row,
    pepperVersion: Number(row.pepperVersion),
    constraints: (row.constraints ?? null) as ApiKey['constraints'],
    creditsRemaining: row.creditsRemaining === null ? null : Number(row.creditsRemaining),
    creditRefillAmount: row.creditRefillAmount === null ? null : Number(row.creditRefillAmount),
  };
}

export class DrizzleApiKeyStore implements ApiKeyStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(key: ApiKey): Promise<void> {
    const { db, tables } = this.ctx;
    await db.insert(tables.apiKeys).values({ ...key });
  }

  async findByHash(keyHash: string): Promise<{ key: ApiKey; standing: boolean } | null> {
    const { apiKeys, tenants, users, memberships } = this.ctx.tables;
    // the port's standing, in the same SELECT: LEFT JOINs, so a key whose tenant or owner row is
    // gone is still found, standing false. Each join is on a primary key, the membership's on
    // its unique (tenant_id, user_id): at most one row
    const stands = and(
      eq(tenants.status, 'active'),
      or(isNull(apiKeys.ownerUserId), and(eq(users.status, 'active'), isNotNull(memberships.id))),
    );
    const [row] = await this.ctx.db
      .select({ key: apiKeys, standing: sql<number>`case when ${stands} then 1 else 0 end`.mapWith(Number) })
      .from(apiKeys)
      .leftJoin(tenants, eq(tenants.id, apiKeys.tenantId))
      .leftJoin(users, eq(users.id, apiKeys.ownerUserId))
      .leftJoin(
        memberships,
        and(eq(memberships.tenantId, apiKeys.tenantId), eq(memberships.userId, apiKeys.ownerUserId)),
      )
      .where(eq(apiKeys.keyHash, keyHash));
    return row ? { key: toApiKey(row.key), standing: row.standing === 1 } : null;
  }

  async findById(tenantId: string, id: string): Promise<ApiKey | null> {
    const { apiKeys } = this.ctx.tables;
    const [row] = await this.ctx.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)));
    return row ? toApiKey(row) : null;
  }

  async listByTenant(tenantId: string, page: PageRequest): Promise<Page<ApiKey>> {
    const { apiKeys } = this.ctx.tables;
    const rows = await this.ctx.db
      .select()
      .from(apiKeys)
      .where(
        and(
          eq(apiKeys.tenantId, tenantId),
          eq(apiKeys.status, 'active'),
          page.cursor ? gt(apiKeys.id, page.cursor) : undefined,
        ),
      )
      .orderBy(asc(apiKeys.id))
      .limit(page.limit + 1);
    return toPage(rows.map(toApiKey), page.limit);
  }

  async beginRotation(
    tenantId: string,
    id: string,
    change: { successorId: string; overlapEndsAt: Date; at: Date },
  ): Promise<ApiKey | null> {
    const { apiKeys } = this.ctx.tables;
    const row = await updateReturning(
      this.ctx,
      apiKeys,
      { successorId: change.successorId, overlapEndsAt: change.overlapEndsAt, updatedAt: change.at },
      and(
        eq(apiKeys.tenantId, tenantId),
        eq(apiKeys.id, id),
        eq(apiKeys.status, 'active'),
        // compare-and-set on "no successor yet": of concurrent rotations one wins
        isNull(apiKeys.successorId),
      ),
      eq(apiKeys.id, id),
    );
    return row ? toApiKey(row) : null;
  }

  async revoke(tenantId: string, id: string, at: Date, reason: ApiKeyRevocationReason): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { apiKeys } = tables;
    const result = await db
      .update(apiKeys)
      .set({ status: 'revoked', revokedAt: at, revokedReason: reason, updatedAt: at })
      .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id), eq(apiKeys.status, 'active')));
    return affectedRows(dialect, result) === 1;
  }

  async markLeakReported(tenantId: string, id: string, at: Date): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { apiKeys } = tables;
    const result = await db
      .update(apiKeys)
      .set({ leakReportedAt: at, updatedAt: at })
      .where(
        and(
          eq(apiKeys.tenantId, tenantId),
          eq(apiKeys.id, id),
          // compare-and-set on "not reported yet": of concurrent reports one is the first
          isNull(apiKeys.leakReportedAt),
        ),
      );
    return affectedRows(dialect, result) === 1;
  }

  async revokeOwnedBy(
    userId: string,
    tenantId: string | null,
    at: Date,
    reason: ApiKeyRevocationReason,
  ): Promise<number> {
    const { db, tables, dialect } = this.ctx;
    const { apiKeys } = tables;
    const result = await db
      .update(apiKeys)
      .set({ status: 'revoked', revokedAt: at, revokedReason: reason, updatedAt: at })
      .where(
        and(
          eq(apiKeys.ownerUserId, userId),
          eq(apiKeys.status, 'active'),
          tenantId === null ? undefined : eq(apiKeys.tenantId, tenantId),
        ),
      );
    return affectedRows(dialect, result);
  }

  async updateLimits(tenantId: string, id: string, change: ApiKeyLimitsChange): Promise<ApiKey | null> {
    const { apiKeys } = this.ctx.tables;
    const set: Record<string, unknown> = { updatedAt: change.at };
    if (change.rateLimitPolicies !== undefined) set.rateLimitPolicies = change.rateLimitPolicies;
    if (change.credits !== undefined) {
      const credits = change.credits;
      set.creditsRemaining = credits?.remaining ?? null;
      set.creditRefillAmount = credits?.refillAmount ?? null;
      set.creditRefillInterval = credits?.refillInterval ?? null;
      set.creditsRefilledAt = credits?.setAt ?? null;
    }
    const row = await updateReturning(
      this.ctx,
      apiKeys,
      set,
      and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id), eq(apiKeys.status, 'active')),
      eq(apiKeys.id, id),
    );
    return row ? toApiKey(row) : null;
  }

  async consumeCredits(id: string, cost: number, periodStart: Date, at: Date): Promise<number | null> {
    const { apiKeys } = this.ctx.tables;
    // a refill is due: the key refills and was last set before this period began
    const refillDue = and(
      isNotNull(apiKeys.creditRefillAmount),
      or(isNull(apiKeys.creditsRefilledAt), lt(apiKeys.creditsRefilledAt, periodStart)),
    );
    // what there is to spend: the refill when one is due, else what is left
    const available = sql`(case when ${refillDue} then ${apiKeys.creditRefillAmount} else ${apiKeys.creditsRemaining} end)`;
    // one statement decides, refills and spends: the row lock orders concurrent callers. Drizzle
    // writes the assignments in the table's column order, credits_remaining first: MySQL
    // evaluates them left to right, and it must read credits_refilled_at as it was
    const row = await updateReturning(
      this.ctx,
      apiKeys,
      {
        creditsRemaining: sql`${available} - ${cost}`,
        creditsRefilledAt: sql`case when ${refillDue} then ${sql.param(at, apiKeys.creditsRefilledAt)} else ${apiKeys.creditsRefilledAt} end`,
      },
      and(eq(apiKeys.id, id), isNotNull(apiKeys.creditsRemaining), sql`${available} >= ${cost}`),
      eq(apiKeys.id, id),
    );
    return row ? Number(row.creditsRemaining) : null;
  }

  async recordUses(uses: ReadonlyArray<{ id: string; at: Date }>): Promise<void> {
    const { db, tables } = this.ctx;
    const { apiKeys } = tables;
    // one statement per key: a batch is a minute's worth of distinct keys, written off the request
    for (const use of uses) {
      await db
        .update(apiKeys)
        .set({ lastUsedAt: use.at })
        .where(and(eq(apiKeys.id, use.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, use.at))));
    }
  }
}
