import type { Client, ClientSecretSlot, ClientStore, Page, PageRequest } from '@portcullis/core/ports';
import type { ColumnCodec } from '../column-codec.js';
import type { Row } from '../kysely-types.js';
import { tenantPage } from './page.js';
import type { StoreContext } from './store-context.js';
import { updateReturning } from './update-returning.js';

export class KyselyClientStore implements ClientStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(client: Client): Promise<void> {
    const { db, tables, codec } = this.ctx;
    const date = (value: Date | null) => (value === null ? null : codec.toDate(value));
    await db
      .insertInto(tables.clients)
      .values({
        id: client.id,
        tenant_id: client.tenantId,
        environment: client.environment,
        name: client.name,
        auth_method: client.authMethod,
        secret_hash: client.secretHash,
        secret_created_at: date(client.secretCreatedAt),
        secret_last_used_at: date(client.secretLastUsedAt),
        previous_secret_hash: client.previousSecretHash,
        previous_secret_expires_at: date(client.previousSecretExpiresAt),
        previous_secret_last_used_at: date(client.previousSecretLastUsedAt),
        jwks: client.jwks === null ? null : codec.toJson(client.jwks),
        allowed_scopes: codec.toJson(client.allowedScopes),
        status: client.status,
        created_by: client.createdBy,
        created_at: codec.toDate(client.createdAt),
        updated_at: codec.toDate(client.updatedAt),
        last_used_at: date(client.lastUsedAt),
      })
      .execute();
  }

  async findById(id: string): Promise<Client | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db.selectFrom(tables.clients).selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toClient(row, codec) : null;
  }

  listByTenant(tenantId: string, page: PageRequest): Promise<Page<Client>> {
    const { tables, codec } = this.ctx;
    return tenantPage(this.ctx, tables.clients, { tenantId, status: 'active' }, page, (row) =>
      toClient(row, codec),
    );
  }

  async rotateSecret(
    tenantId: string,
    id: string,
    change: { expectedSecretHash: string; secretHash: string; previousSecretExpiresAt: Date; at: Date },
  ): Promise<Client | null> {
    const { tables, codec } = this.ctx;
    const row = await updateReturning(
      this.ctx,
      tables.clients,
      ({ db }) =>
        db
          .updateTable(tables.clients)
          // the previous columns first: MySQL evaluates SET left to right, and they must read the
          // current secret's old values
          .set((eb) => ({
            previous_secret_hash: eb.ref('secret_hash'),
            previous_secret_last_used_at: eb.ref('secret_last_used_at'),
            previous_secret_expires_at: codec.toDate(change.previousSecretExpiresAt),
            secret_hash: change.secretHash,
            secret_created_at: codec.toDate(change.at),
            secret_last_used_at: null,
            updated_at: codec.toDate(change.at),
          }))
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .where('status', '=', 'active')
          // compare-and-set on the secret it replaces: of concurrent rotations one wins
          .where('secret_hash', '=', change.expectedSecretHash),
      { id },
    );
    return row ? toClient(row, codec) : null;
  }

  async delete(tenantId: string, id: string, at: Date): Promise<boolean> {
    const { db, tables, codec } = this.ctx;
    const result = await db
      .updateTable(tables.clients)
      .set({
        status: 'deleted',
        secret_hash: null,
        previous_secret_hash: null,
        previous_secret_expires_at: null,
        updated_at: codec.toDate(at),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async recordUse(id: string, slot: ClientSecretSlot | null, at: Date): Promise<void> {
    const { db, tables, codec } = this.ctx;
    const when = codec.toDate(at);
    await db
      .updateTable(tables.clients)
      .set({
        last_used_at: when,
        ...(slot === 'current' ? { secret_last_used_at: when } : {}),
        ...(slot === 'previous' ? { previous_secret_last_used_at: when } : {}),
      })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .execute();
  }
}

function toClient(row: Row, codec: ColumnCodec): Client {
  const date = (value: unknown) => (value === null || value === undefined ? null : codec.fromDate(value));
  return {
    id: row.id,
    tenantId: row.tenant_id,
    environment: row.environment,
    name: row.name,
    authMethod: row.auth_method,
    secretHash: row.secret_hash ?? null,
    secretCreatedAt: date(row.secret_created_at),
    secretLastUsedAt: date(row.secret_last_used_at),
    previousSecretHash: row.previous_secret_hash ?? null,
    previousSecretExpiresAt: date(row.previous_secret_expires_at),
    previousSecretLastUsedAt: date(row.previous_secret_last_used_at),
    jwks: row.jwks === null || row.jwks === undefined ? null : codec.fromJson(row.jwks),
    allowedScopes: codec.fromJson(row.allowed_scopes),
    status: row.status,
    createdBy: row.created_by ?? null,
    createdAt: codec.fromDate(row.created_at),
    updatedAt: codec.fromDate(row.updated_at),
    lastUsedAt: date(row.last_used_at),
  };
}
