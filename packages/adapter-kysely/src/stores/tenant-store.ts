import type {
  Page,
  PageRequest,
  Tenant,
  TenantPatch,
  TenantStore,
  TenantWithRoles,
} from '@portcullis/core/ports';
import type { ColumnCodec } from '../column-codec.js';
import type { Row } from '../kysely-types.js';
import { toPage } from './page.js';
import type { StoreContext } from './store-context.js';

export class KyselyTenantStore implements TenantStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(tenant: Tenant): Promise<void> {
    const { db, tables, codec } = this.ctx;
    await db
      .insertInto(tables.tenants)
      .values({
        id: tenant.id,
        slug: tenant.slug,
        name: tenant.name,
        status: tenant.status,
        user_pool: tenant.userPool,
        metadata: codec.toJson(tenant.metadata),
        created_at: codec.toDate(tenant.createdAt),
        updated_at: codec.toDate(tenant.updatedAt),
      })
      .execute();
  }

  async findById(id: string): Promise<Tenant | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db.selectFrom(tables.tenants).selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toTenant(row, codec) : null;
  }

  async findBySlug(slug: string): Promise<Tenant | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db.selectFrom(tables.tenants).selectAll().where('slug', '=', slug).executeTakeFirst();
    return row ? toTenant(row, codec) : null;
  }

  async lock(id: string): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const select = db.selectFrom(tables.tenants).select('id').where('id', '=', id);
    // SQLite has no FOR UPDATE, and needs none: its transactions hold the database's write lock
    const row = await (dialect === 'sqlite' ? select : select.forUpdate()).executeTakeFirst();
    return row !== undefined;
  }

  async update(id: string, patch: TenantPatch): Promise<Tenant | null> {
    const { db, tables, codec, dialect } = this.ctx;
    const set: Record<string, unknown> = { updated_at: codec.toDate(patch.updatedAt) };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.metadata !== undefined) set.metadata = codec.toJson(patch.metadata);
    const update = db.updateTable(tables.tenants).set(set).where('id', '=', id);
    if (dialect === 'mysql') {
      await update.execute();
      return this.findById(id);
    }
    const row = await update.returningAll().executeTakeFirst();
    return row ? toTenant(row, codec) : null;
  }

  async listForUser(userId: string, page: PageRequest): Promise<Page<TenantWithRoles>> {
    const { db, tables, codec } = this.ctx;
    let query = db
      .selectFrom(`${tables.tenants} as t`)
      .innerJoin(`${tables.memberships} as m`, 'm.tenant_id', 't.id')
      .selectAll('t')
      // aliased: the membership's own columns share names with the tenant's
      .select('m.roles as member_roles')
      .where('m.user_id', '=', userId);
    if (page.cursor) query = query.where('t.id', '>', page.cursor);
    const rows = await query
      .orderBy('t.id')
      .limit(page.limit + 1)
      .execute();
    return toPage(
      rows.map((row) => ({ ...toTenant(row, codec), roles: codec.fromJson(row.member_roles) })),
      page.limit,
    );
  }
}

function toTenant(row: Row, codec: ColumnCodec): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    userPool: row.user_pool,
    metadata: codec.fromJson(row.metadata),
    createdAt: codec.fromDate(row.created_at),
    updatedAt: codec.fromDate(row.updated_at),
  };
}
