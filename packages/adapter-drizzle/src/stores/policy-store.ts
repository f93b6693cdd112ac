import type { PolicyReplacement, PolicyStore, StoredPolicy } from '@portcullis/core/ports';
import { and, asc, eq, sql } from 'drizzle-orm';
import { affectedRows } from './dialect-queries.js';
import type { StoreContext, Tables } from './store-context.js';
import { updateReturning } from './update-returning.js';

type PolicyRow = Tables['policies']['$inferSelect'];

export class DrizzlePolicyStore implements PolicyStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(policy: StoredPolicy): Promise<void> {
    const { db, tables } = this.ctx;
    await db.insert(tables.policies).values({
      id: policy.id,
      tenantId: policy.tenantId,
      ...policyColumns(policy),
      version: policy.version,
      createdAt: policy.createdAt,
      updatedAt: policy.updatedAt,
    });
  }

  async findById(tenantId: string, id: string): Promise<StoredPolicy | null> {
    const { db, tables } = this.ctx;
    const { policies } = tables;
    const [row] = await db
      .select()
      .from(policies)
      .where(and(eq(policies.tenantId, tenantId), eq(policies.id, id)));
    return row ? toPolicy(row) : null;
  }

  async listByTenant(tenantId: string): Promise<StoredPolicy[]> {
    const { db, tables } = this.ctx;
    const { policies } = tables;
    const rows = await db
      .select()
      .from(policies)
      .where(eq(policies.tenantId, tenantId))
      .orderBy(asc(policies.id));
    return rows.map(toPolicy);
  }

  async replace(tenantId: string, id: string, replacement: PolicyReplacement): Promise<StoredPolicy | null> {
    const { policies } = this.ctx.tables;
    const row = await updateReturning(
      this.ctx,
      policies,
      {
        ...policyColumns(replacement),
        version: sql`${policies.version} + 1`,
        updatedAt: replacement.updatedAt,
      },
      and(eq(policies.tenantId, tenantId), eq(policies.id, id)),
      eq(policies.id, id),
    );
    return row ? toPolicy(row) : null;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { policies } = tables;
    const result = await db.delete(policies).where(and(eq(policies.tenantId, tenantId), eq(policies.id, id)));
    return affectedRows(dialect, result) === 1;
  }
}

/** The columns a replace rewrites; an absent condition or description becomes NULL. */
function policyColumns(policy: Omit<PolicyReplacement, 'updatedAt'>) {
  return {
    effect: policy.effect,
    actions: policy.actions,
    resource: policy.resource,
    conditionJson: policy.condition ?? null,
    description: policy.description ?? null,
  };
}

function toPolicy(row: PolicyRow): StoredPolicy {
  const { conditionJson, description, ...rest } = row;
  const policy: StoredPolicy = { ...rest };
  // absent, not null: a stored policy reads back exactly as the definition it was written from
  if (conditionJson !== null) policy.condition = conditionJson;
  if (description !== null) policy.description = description;
  return policy;
}
