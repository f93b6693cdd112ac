import type { Member, Membership, MembershipStore, Page, PageRequest } from '@portcullis/core/ports';
import { sql } from 'kysely';
import type { ColumnCodec } from '../column-codec.js';
import type { Row } from '../kysely-types.js';
import { toPage } from './page.js';
import type { StoreContext } from './store-context.js';
import { updateReturning } from './update-returning.js';

export class KyselyMembershipStore implements MembershipStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(membership: Membership): Promise<void> {
    const { db, tables, codec } = this.ctx;
    await db
      .insertInto(tables.memberships)
      .values({
        id: membership.id,
        tenant_id: membership.tenantId,
        user_id: membership.userId,
        roles: codec.toJson(membership.roles),
        attributes: codec.toJson(membership.attributes),
        created_at: codec.toDate(membership.createdAt),
        updated_at: codec.toDate(membership.updatedAt),
      })
      .execute();
  }

  async find(tenantId: string, userId: string): Promise<Membership | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(tables.memberships)
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? toMembership(row, codec) : null;
  }

  async listByTenant(tenantId: string, page: PageRequest): Promise<Page<Member>> {
    const { db, tables, codec } = this.ctx;
    let query = db
      .selectFrom(`${tables.memberships} as m`)
      .innerJoin(`${tables.users} as u`, 'u.id', 'm.user_id')
      .selectAll('m')
      .select(['u.email as user_email', 'u.name as user_name', 'u.status as user_status'])
      .where('m.tenant_id', '=', tenantId);
    if (page.cursor) query = query.where('m.id', '>', page.cursor);
    const rows = await query
      .orderBy('m.id')
      .limit(page.limit + 1)
      .execute();
    const members = rows.map(
      (row): Member => ({
        ...toMembership(row, codec),
        user: {
          id: row.user_id,
          email: row.user_email,
          name: row.user_name ?? null,
          status: row.user_status,
        },
      }),
    );
    return toPage(members, page.limit);
  }

  async listByUser(userId: string): Promise<Membership[]> {
    const { db, tables, codec } = this.ctx;
    const rows = await db
      .selectFrom(tables.memberships)
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('tenant_id')
      .execute();
    return rows.map((row) => toMembership(row, codec));
  }

  async updateRoles(
    tenantId: string,
    userId: string,
    roles: string[],
    updatedAt: Date,
  ): Promise<Membership | null> {
    const { codec } = this.ctx;
    return this.#update(tenantId, userId, {
      roles: codec.toJson(roles),
      updated_at: codec.toDate(updatedAt),
    });
  }

  async updateAttributes(
    tenantId: string,
    userId: string,
    attributes: Record<string, unknown>,
    updatedAt: Date,
  ): Promise<Membership | null> {
    const { codec } = this.ctx;
    return this.#update(tenantId, userId, {
      attributes: codec.toJson(attributes),
      updated_at: codec.toDate(updatedAt),
    });
  }

  async remove(tenantId: string, userId: string): Promise<boolean> {
    const { db, tables } = this.ctx;
    const result = await db
      .deleteFrom(tables.memberships)
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return result.numDeletedRows === 1n;
  }

  async countWithRole(tenantId: string, roleKey: string): Promise<number> {
    const { db, tables, dialect, codec } = this.ctx;
    // roles is a JSON array in a text column: test membership with the database's JSON functions
    const holds =
      dialect === 'postgres'
        ? sql<boolean>`cast(roles as jsonb) ? ${roleKey}`
        : dialect === 'mysql'
          ? sql<boolean>`json_contains(roles, json_quote(${roleKey}))`
          : sql<boolean>`exists (select 1 from json_each(roles) where value = ${roleKey})`;
    const row = await db
      .selectFrom(tables.memberships)
      .select((eb) => eb.fn.countAll().as('count'))
      .where('tenant_id', '=', tenantId)
      .where(holds)
      .executeTakeFirst();
    return codec.fromInteger(row?.count ?? 0);
  }

  async #update(tenantId: string, userId: string, set: Record<string, unknown>): Promise<Membership | null> {
    const { tables, codec } = this.ctx;
    const row = await updateReturning(
      this.ctx,
      tables.memberships,
      ({ db }) =>
        db
          .updateTable(tables.memberships)
          .set(set)
          .where('tenant_id', '=', tenantId)
          .where('user_id', '=', userId),
      { tenant_id: tenantId, user_id: userId },
    );
    return row ? toMembership(row, codec) : null;
  }
}

function toMembership(row: Row, codec: ColumnCodec): Membership {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    roles: codec.fromJson(row.roles),
    attributes: codec.fromJson(row.attributes),
    createdAt: codec.fromDate(row.created_at),
    updatedAt: codec.fromDate(row.updated_at),
  };
}
