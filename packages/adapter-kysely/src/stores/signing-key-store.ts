import type { SigningKey, SigningKeyState, SigningKeyStore } from '@portcullis/core/ports';
import type { Row } from '../kysely-types.js';
import type { StoreContext } from './store-context.js';

/** The unique slot of an active or next key; null once it holds neither state. */
function slotOf(algorithm: string, state: SigningKeyState): string | null {
  return state === 'active' || state === 'next' ? `${algorithm}:${state}` : null;
}

const STAMP_COLUMN = { active: 'activated_at', retired: 'retired_at', revoked: 'revoked_at' } as const;

export class KyselySigningKeyStore implements SigningKeyStore {
  constructor(private readonly ctx: StoreContext) {}

  async listByIssuer(issuer: string): Promise<SigningKey[]> {
    const { db, tables } = this.ctx;
    const rows = await db
      .selectFrom(tables.signingKeys)
      .selectAll()
      .where('issuer', '=', issuer)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((row) => this.toSigningKey(row));
  }

  async create(key: SigningKey): Promise<void> {
    const { db, tables, codec } = this.ctx;
    await db
      .insertInto(tables.signingKeys)
      .values({
        id: key.id,
        issuer: key.issuer,
        tenant_id: key.tenantId,
        algorithm: key.algorithm,
        state: key.state,
        slot: slotOf(key.algorithm, key.state),
        public_jwk: JSON.stringify(key.publicJwk),
        wrapped_private_key: key.wrappedPrivateKey,
        kek_version: key.keyEncryptionKeyVersion,
        created_at: codec.toDate(key.createdAt),
        activated_at: codec.toNullableDate(key.activatedAt),
        retired_at: codec.toNullableDate(key.retiredAt),
        revoked_at: codec.toNullableDate(key.revokedAt),
      })
      .execute();
  }

  async transition(id: string, from: SigningKeyState, to: SigningKeyState, at: Date): Promise<boolean> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(tables.signingKeys)
      .select('algorithm')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return false;
    const values: Record<string, unknown> = { state: to, slot: slotOf(row.algorithm, to) };
    if (to !== 'next') values[STAMP_COLUMN[to]] = codec.toDate(at);
    // `state = from` in the WHERE makes it a compare-and-set: one concurrent caller wins
    const result = await db
      .updateTable(tables.signingKeys)
      .set(values)
      .where('id', '=', id)
      .where('state', '=', from)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async rewrap(
    id: string,
    expectedWrappedPrivateKey: string,
    wrappedPrivateKey: string,
    keyEncryptionKeyVersion: string,
  ): Promise<boolean> {
    const { db, tables } = this.ctx;
    const result = await db
      .updateTable(tables.signingKeys)
      .set({ wrapped_private_key: wrappedPrivateKey, kek_version: keyEncryptionKeyVersion })
      .where('id', '=', id)
      .where('wrapped_private_key', '=', expectedWrappedPrivateKey)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  private toSigningKey(row: Row): SigningKey {
    const { codec } = this.ctx;
    return {
      id: row.id,
      issuer: row.issuer,
      tenantId: row.tenant_id ?? null,
      algorithm: row.algorithm,
      state: row.state,
      publicJwk: JSON.parse(row.public_jwk),
      wrappedPrivateKey: row.wrapped_private_key,
      keyEncryptionKeyVersion: row.kek_version,
      createdAt: codec.fromDate(row.created_at),
      activatedAt: codec.fromNullableDate(row.activated_at),
      retiredAt: codec.fromNullableDate(row.retired_at),
      revokedAt: codec.fromNullableDate(row.revoked_at),
    };
  }
}
