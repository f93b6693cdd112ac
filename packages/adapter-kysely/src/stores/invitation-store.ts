import type { Invitation, InvitationStore, Page, PageRequest } from '@portcullis/core/ports';
import { sql } from 'kysely';
import type { ColumnCodec } from '../column-codec.js';
import type { Row } from '../kysely-types.js';
import { tenantPage } from './page.js';
import type { StoreContext } from './store-context.js';
import { updateReturning } from './update-returning.js';

export class KyselyInvitationStore implements InvitationStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(invitation: Invitation): Promise<void> {
    const { db, tables, codec } = this.ctx;
    await db
      .insertInto(tables.invitations)
      .values({
        id: invitation.id,
        tenant_id: invitation.tenantId,
        email: invitation.email,
        roles: codec.toJson(invitation.roles),
        token_hash: invitation.tokenHash,
        status: invitation.status,
        max_uses: invitation.maxUses,
        uses: invitation.uses,
        expires_at: codec.toDate(invitation.expiresAt),
        created_by: invitation.createdBy,
        created_at: codec.toDate(invitation.createdAt),
        updated_at: codec.toDate(invitation.updatedAt),
      })
      .execute();
  }

  async findByTokenHash(tokenHash: string): Promise<Invitation | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(tables.invitations)
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row ? toInvitation(row, codec) : null;
  }

  listByTenant(tenantId: string, page: PageRequest): Promise<Page<Invitation>> {
    const { tables, codec } = this.ctx;
    return tenantPage(this.ctx, tables.invitations, { tenantId }, page, (row) => toInvitation(row, codec));
  }

  async revoke(tenantId: string, id: string, updatedAt: Date): Promise<boolean> {
    const { db, tables, codec } = this.ctx;
    // `status = 'pending'` in the WHERE makes it a compare-and-set: one concurrent caller wins
    const result = await db
      .updateTable(tables.invitations)
      .set({ status: 'revoked', updated_at: codec.toDate(updatedAt) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async consumeUse(id: string, now: Date): Promise<Invitation | null> {
    const { tables, codec } = this.ctx;
    const row = await updateReturning(
      this.ctx,
      tables.invitations,
      ({ db }) =>
        db
          .updateTable(tables.invitations)
          // status first: MySQL evaluates SET left to right, and the CASE must read the old `uses`
          .set({
            status: sql`case when uses + 1 >= max_uses then 'exhausted' else status end`,
            uses: sql`uses + 1`,
            updated_at: codec.toDate(now),
          })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .where('expires_at', '>', codec.toDate(now))
          .where('uses', '<', sql.ref('max_uses')),
      { id },
    );
    return row ? toInvitation(row, codec) : null;
  }
}

function toInvitation(row: Row, codec: ColumnCodec): Invitation {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    email: row.email ?? null,
    roles: codec.fromJson(row.roles),
    tokenHash: row.token_hash,
    maxUses: codec.fromInteger(row.max_uses),
    uses: codec.fromInteger(row.uses),
    status: row.status,
    expiresAt: codec.fromDate(row.expires_at),
    createdBy: row.created_by ?? null,
    createdAt: codec.fromDate(row.created_at),
    updatedAt: codec.fromDate(row.updated_at),
  };
}
