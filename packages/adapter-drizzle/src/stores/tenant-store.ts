import type {
  Page,
  PageRequest,
  Tenant,
  TenantPatch,
  TenantStore,
  TenantWithRoles,
} from '@portcullis/core/ports';
import { and, asc, eq, getTableColumns, gt } from 'drizzle-orm';
import { toPage } from './page.js';
import type { StoreContext } from './store-context.js';

export class DrizzleTenantStore implements TenantStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(tenant: Tenant): Promise<void> {
    const { db, tables } = this.ctx;
    await db.insert(tables.tenants).values({
      id: tenant.id,
      slug: tenant.slug,
      name: tenant.name,
      status: tenant.status,
      userPool: tenant.userPool,
      metadata: tenant.metadata,
      createdAt: tenant.createdAt,
      updatedAt: tenant.updatedAt,
    });
  }

  async findById(id: string): Promise<Tenant | null> {
    const { db, tables } = this.ctx;
    const [row] = await db.select().from(tables.tenants).where(eq(tables.tenants.id, id));
    return row ?? null;
  }

  async findBySlug(slug: string): Promise<Tenant | null> {
    const { db, tables } = this.ctx;
    const [row] = await db.select().from(tables.tenants).where(eq(tables.tenants.slug, slug));
    return row ?? null;
  }

  async lock(id: string): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const select = db.select({ id: tables.tenants.id }).from(tables.tenants).where(eq(tables.tenants.id, id));
    // SQLite has no FOR UPDATE, and needs none: the adapter's transactions are BEGIN IMMEDIATE
    const [row] = await (dialect === 'sqlite' ? select : select.for('update'));
    return row !== undefined;
  }

  async update(id: string, patch: TenantPatch): Promise<Tenant | null> {
    const { db, tables, dialect } = this.ctx;
    const update = db
      .update(tables.tenants)
      .set({ name: patch.name, status: patch.status, metadata: patch.metadata, updatedAt: patch.updatedAt })
      .where(eq(tables.tenants.id, id));
    if (dialect === 'mysql') {
      await update; // no RETURNING on MySQL
      return this.findById(id);
    }
    const [row] = await update.returning();
    return row ?? null;
  }

  async listForUser(userId: string, page: PageRequest): Promise<Page<TenantWithRoles>> {
    const { db, tables } = this.ctx;
    const { tenants, memberships } = tables;
    const rows = await db
      .select({ ...getTableColumns(tenants), roles: memberships.roles })
      .from(tenants)
      .innerJoin(memberships, eq(memberships.tenantId, tenants.id))
      .where(and(eq(memberships.userId, userId), page.cursor ? gt(tenants.id, page.cursor) : undefined))
      .orderBy(asc(tenants.id))
      .limit(page.limit + 1);
    return toPage(rows, page.limit);
  }
}
