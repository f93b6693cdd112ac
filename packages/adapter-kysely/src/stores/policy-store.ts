import type { PolicyReplacement, PolicyStore, StoredPolicy } from '@portcullis/core/ports';
import { sql } from 'kysely';
import type { ColumnCodec } from '../column-codec.js';
import type { Row } from '../kysely-types.js';
import type { StoreContext } from './store-context.js';
import { updateReturning } from './update-returning.js';

export class KyselyPolicyStore implements PolicyStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(policy: StoredPolicy): Promise<void> {
    const { db, tables, codec } = this.ctx;
    await db
      .insertInto(tables.policies)
      .values({
        id: policy.id,
        tenant_id: policy.tenantId,
        ...policyColumns(policy, codec),
        version: policy.version,
        created_at: codec.toDate(policy.createdAt),
        updated_at: codec.toDate(policy.updatedAt),
      })
      .execute();
  }

  async findById(tenantId: string, id: string): Promise<StoredPolicy | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(tables.policies)
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toPolicy(row, codec) : null;
  }

  async listByTenant(tenantId: string): Promise<StoredPolicy[]> {
    const { db, tables, codec } = this.ctx;
    const rows = await db
      .selectFrom(tables.policies)
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .execute();
    return rows.map((row) => toPolicy(row, codec));
  }

  async replace(tenantId: string, id: string, replacement: PolicyReplacement): Promise<StoredPolicy | null> {
    const { tables, codec } = this.ctx;
    const row = await updateReturning(
      this.ctx,
      tables.policies,
      ({ db }) =>
        db
          .updateTable(tables.policies)
          .set({
            ...policyColumns(replacement, codec),
            version: sql`version + 1`,
            updated_at: codec.toDate(replacement.updatedAt),
          })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id),
      { id },
    );
    return row ? toPolicy(row, codec) : null;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const { db, tables } = this.ctx;
    const result = await db
      .deleteFrom(tables.policies)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numDeletedRows === 1n;
  }
}

/** The columns a replace rewrites; an absent condition or description becomes NULL. */
function policyColumns(policy: Omit<PolicyReplacement, 'updatedAt'>, codec: ColumnCodec) {
  return {
    effect: policy.effect,
    actions: codec.toJson(policy.actions),
    resource: policy.resource,
    condition_json: policy.condition === undefined ? null : codec.toJson(policy.condition),
    description: policy.description ?? null,
  };
}

function toPolicy(row: Row, codec: ColumnCodec): StoredPolicy {
  const policy: StoredPolicy = {
    id: row.id,
    tenantId: row.tenant_id,
    effect: row.effect,
    actions: codec.fromJson(row.actions),
    resource: row.resource,
    version: codec.fromInteger(row.version),
    createdAt: codec.fromDate(row.created_at),
    updatedAt: codec.fromDate(row.updated_at),
  };
  // absent, not null: a stored policy reads back exactly as the definition it was written from
  if (row.condition_json !== null && row.condition_json !== undefined)
    policy.condition = codec.fromJson(row.condition_json);
  if (row.description !== null && row.description !== undefined) policy.description = row.description;
  return policy;
}
