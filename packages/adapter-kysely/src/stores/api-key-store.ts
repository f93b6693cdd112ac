import type {
  ApiKey,
  ApiKeyLimitsChange,
  ApiKeyRevocationReason,
  ApiKeyStore,
  Page,
  PageRequest,
} from '@portcullis/core/ports';
import { CompiledQuery, type ExpressionBuilder, sql } from 'kysely';
import type { ColumnCodec } from '../column-codec.js';
import type { AnyKysely, Row } from '../kysely-types.js';
import { tenantPage } from './page.js';
import type { StoreContext, TableNames } from './store-context.js';
import { updateReturning } from './update-returning.js';

export class KyselyApiKeyStore implements ApiKeyStore {
  /**
   * findByHash's SQL, compiled on first use and then reused (as the sessions' lookup): every
   * verification the cache cannot answer runs it, and one text is what PostgreSQL's named
   * statements (`preparePostgresStatements`) and SQLite's statement cache key on.
   */
  private findByHashSql: string | undefined;

  constructor(private readonly ctx: StoreContext) {}

  async create(key: ApiKey): Promise<void> {
    const { db, tables, codec } = this.ctx;
    await db
      .insertInto(tables.apiKeys)
      .values({
        id: key.id,
        tenant_id: key.tenantId,
        environment: key.environment,
        owner_user_id: key.ownerUserId,
        name: key.name,
        key_hash: key.keyHash,
        pepper_version: key.pepperVersion,
        start: key.start,
        last_four: key.lastFour,
        permissions: codec.toJson(key.permissions),
        constraints: key.constraints === null ? null : codec.toJson(key.constraints),
        expires_at: codec.toNullableDate(key.expiresAt),
        status: key.status,
        revoked_at: codec.toNullableDate(key.revokedAt),
        revoked_reason: key.revokedReason,
        predecessor_id: key.predecessorId,
        successor_id: key.successorId,
        overlap_ends_at: codec.toNullableDate(key.overlapEndsAt),
        created_by: key.createdBy,
        created_at: codec.toDate(key.createdAt),
        updated_at: codec.toDate(key.updatedAt),
        last_used_at: codec.toNullableDate(key.lastUsedAt),
        rate_limit_policies: key.rateLimitPolicies === null ? null : codec.toJson(key.rateLimitPolicies),
        credits_remaining: key.creditsRemaining,
        credit_refill_amount: key.creditRefillAmount,
        credit_refill_interval: key.creditRefillInterval,
        credits_refilled_at: codec.toNullableDate(key.creditsRefilledAt),
        leak_reported_at: codec.toNullableDate(key.leakReportedAt),
      })
      .execute();
  }

  async findByHash(keyHash: string): Promise<{ key: ApiKey; standing: boolean } | null> {
    const { db, tables, codec } = this.ctx;
    this.findByHashSql ??= compileFindByHash(db, tables);
    const { rows } = await db.executeQuery<Row>(CompiledQuery.raw(this.findByHashSql, [keyHash]));
    const row = rows[0];
    if (row === undefined) return null;
    return { key: toApiKey(row, codec), standing: Number(row.standing) === 1 };
  }

  async findById(tenantId: string, id: string): Promise<ApiKey | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(tables.apiKeys)
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toApiKey(row, codec) : null;
  }

  listByTenant(tenantId: string, page: PageRequest): Promise<Page<ApiKey>> {
    const { tables, codec } = this.ctx;
    return tenantPage(this.ctx, tables.apiKeys, { tenantId, status: 'active' }, page, (row) =>
      toApiKey(row, codec),
    );
  }

  async beginRotation(
    tenantId: string,
    id: string,
    change: { successorId: string; overlapEndsAt: Date; at: Date },
  ): Promise<ApiKey | null> {
    const { tables, codec } = this.ctx;
    const row = await updateReturning(
      this.ctx,
      tables.apiKeys,
      ({ db }) =>
        db
          .updateTable(tables.apiKeys)
          .set({
            successor_id: change.successorId,
            overlap_ends_at: codec.toDate(change.overlapEndsAt),
            updated_at: codec.toDate(change.at),
          })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .where('status', '=', 'active')
          // compare-and-set on "no successor yet": of concurrent rotations one wins
          .where('successor_id', 'is', null),
      { id },
    );
    return row ? toApiKey(row, codec) : null;
  }

  async revoke(tenantId: string, id: string, at: Date, reason: ApiKeyRevocationReason): Promise<boolean> {
    const { db, tables, codec } = this.ctx;
    const result = await db
      .updateTable(tables.apiKeys)
      .set({
        status: 'revoked',
        revoked_at: codec.toDate(at),
        revoked_reason: reason,
        updated_at: codec.toDate(at),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async markLeakReported(tenantId: string, id: string, at: Date): Promise<boolean> {
    const { db, tables, codec } = this.ctx;
    const result = await db
      .updateTable(tables.apiKeys)
      .set({ leak_reported_at: codec.toDate(at), updated_at: codec.toDate(at) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      // compare-and-set on "not reported yet": of concurrent reports one is the first
      .where('leak_reported_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async revokeOwnedBy(
    userId: string,
    tenantId: string | null,
    at: Date,
    reason: ApiKeyRevocationReason,
  ): Promise<number> {
    const { db, tables, codec } = this.ctx;
    let query = db
      .updateTable(tables.apiKeys)
      .set({
        status: 'revoked',
        revoked_at: codec.toDate(at),
        revoked_reason: reason,
        updated_at: codec.toDate(at),
      })
      .where('owner_user_id', '=', userId)
      .where('status', '=', 'active');
    if (tenantId !== null) query = query.where('tenant_id', '=', tenantId);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async updateLimits(tenantId: string, id: string, change: ApiKeyLimitsChange): Promise<ApiKey | null> {
    const { tables, codec } = this.ctx;
    const columns: Record<string, unknown> = { updated_at: codec.toDate(change.at) };
    if (change.rateLimitPolicies !== undefined) {
      columns.rate_limit_policies =
        change.rateLimitPolicies === null ? null : codec.toJson(change.rateLimitPolicies);
    }
    if (change.credits !== undefined) {
      const credits = change.credits;
      columns.credits_remaining = credits?.remaining ?? null;
      columns.credit_refill_amount = credits?.refillAmount ?? null;
      columns.credit_refill_interval = credits?.refillInterval ?? null;
      columns.credits_refilled_at = credits ? codec.toDate(credits.setAt) : null;
    }
    const row = await updateReturning(
      this.ctx,
      tables.apiKeys,
      ({ db }) =>
        db
          .updateTable(tables.apiKeys)
          .set(columns)
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .where('status', '=', 'active'),
      { id },
    );
    return row ? toApiKey(row, codec) : null;
  }

  async consumeCredits(id: string, cost: number, periodStart: Date, at: Date): Promise<number | null> {
    const { tables, codec } = this.ctx;
    const start = codec.toDate(periodStart);
    // biome-ignore lint/suspicious/noExplicitAny: tables are named at run time (see kysely-types.ts)
    type Eb = ExpressionBuilder<any, any>;
    // a refill is due: the key refills and was last set before this period began
    const refillDue = (eb: Eb) =>
      eb.and([
        eb('credit_refill_amount', 'is not', null),
        eb.or([eb('credits_refilled_at', 'is', null), eb('credits_refilled_at', '<', start)]),
      ]);
    // what there is to spend: the refill when one is due, else what is left
    const available = (eb: Eb) =>
      eb
        .case()
        .when(refillDue(eb))
        .then(eb.ref('credit_refill_amount'))
        .else(eb.ref('credits_remaining'))
        .end();
    const row = await updateReturning(
      this.ctx,
      tables.apiKeys,
      ({ db }) =>
        db
          .updateTable(tables.apiKeys)
          // one statement decides, refills and spends: the row lock orders concurrent callers.
          // credits_remaining is assigned first: MySQL evaluates assignments left to right, and
          // it must read credits_refilled_at as it was
          .set((eb: Eb) => ({
            credits_remaining: eb(available(eb), '-', cost),
            credits_refilled_at: eb
              .case()
              .when(refillDue(eb))
              .then(codec.toDate(at))
              .else(eb.ref('credits_refilled_at'))
              .end(),
          }))
          .where('id', '=', id)
          .where('credits_remaining', 'is not', null)
          .where((eb: Eb) => eb(available(eb), '>=', cost)),
      { id },
    );
    return row ? codec.fromInteger(row.credits_remaining) : null;
  }

  async recordUses(uses: ReadonlyArray<{ id: string; at: Date }>): Promise<void> {
    const { db, tables, codec } = this.ctx;
    // one statement per key: a batch is a minute's worth of distinct keys, written off the request
    for (const use of uses) {
      const at = codec.toDate(use.at);
      await db
        .updateTable(tables.apiKeys)
        .set({ last_used_at: at })
        .where('id', '=', use.id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    }
  }
}

/** 'active' written into the SQL text, so that the hash stays its only parameter. */
const ACTIVE = sql.lit('active');

/**
 * The key by hash with its standing (the port's rule) computed in the same SELECT: LEFT JOINs,
 * so a key whose tenant or owner row is gone is still found, standing false. Each join is on a
 * primary key, the membership's on its unique (tenant_id, user_id): at most one row.
 */
function compileFindByHash(db: AnyKysely, tables: TableNames): string {
  return db
    .selectFrom(`${tables.apiKeys} as k`)
    .leftJoin(`${tables.tenants} as t`, 't.id', 'k.tenant_id')
    .leftJoin(`${tables.users} as u`, 'u.id', 'k.owner_user_id')
    .leftJoin(`${tables.memberships} as m`, (join) =>
      join.onRef('m.tenant_id', '=', 'k.tenant_id').onRef('m.user_id', '=', 'k.owner_user_id'),
    )
    .selectAll('k')
    .select((eb) =>
      eb
        .case()
        .when(
          eb.and([
            eb('t.status', '=', ACTIVE),
            eb.or([
              eb('k.owner_user_id', 'is', null),
              eb.and([eb('u.status', '=', ACTIVE), eb('m.id', 'is not', null)]),
            ]),
          ]),
        )
        .then(eb.lit(1))
        .else(eb.lit(0))
        .end()
        .as('standing'),
    )
    .where('k.key_hash', '=', '') // a stand-in: only the SQL is kept, the hash is bound per call
    .compile().sql;
}

function toApiKey(row: Row, codec: ColumnCodec): ApiKey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    environment: row.environment,
    ownerUserId: row.owner_user_id ?? null,
    name: row.name,
    keyHash: row.key_hash,
    pepperVersion: codec.fromInteger(row.pepper_version),
    start: row.start,
    lastFour: row.last_four,
    permissions: codec.fromJson(row.permissions),
    constraints:
      row.constraints === null || row.constraints === undefined ? null : codec.fromJson(row.constraints),
    expiresAt: codec.fromNullableDate(row.expires_at),
    status: row.status,
    revokedAt: codec.fromNullableDate(row.revoked_at),
    revokedReason: row.revoked_reason ?? null,
    predecessorId: row.predecessor_id ?? null,
    successorId: row.successor_id ?? null,
    overlapEndsAt: codec.fromNullableDate(row.overlap_ends_at),
    createdBy: row.created_by ?? null,
    createdAt: codec.fromDate(row.created_at),
    updatedAt: codec.fromDate(row.updated_at),
    lastUsedAt: codec.fromNullableDate(row.last_used_at),
    rateLimitPolicies:
      row.rate_limit_policies === null || row.rate_limit_policies === undefined
        ? null
        : codec.fromJson(row.rate_limit_policies),
    creditsRemaining:
      row.credits_remaining === null || row.credits_remaining === undefined
        ? null
        : codec.fromInteger(row.credits_remaining),
    creditRefillAmount:
      row.credit_refill_amount === null || row.credit_refill_amount === undefined
        ? null
        : codec.fromInteger(row.credit_refill_amount),
    creditRefillInterval: row.credit_refill_interval ?? null,
    creditsRefilledAt: codec.fromNullableDate(row.credits_refilled_at),
    leakReportedAt: codec.fromNullableDate(row.leak_reported_at),
  };
}
