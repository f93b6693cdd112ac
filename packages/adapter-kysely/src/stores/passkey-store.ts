import type { Passkey, PasskeyStore, User } from '@portcullis/core/ports';
import type { Row } from '../kysely-types.js';
import type { StoreContext } from './store-context.js';
import { toUser, USER_COLUMNS } from './user-store.js';

export class KyselyPasskeyStore implements PasskeyStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(passkey: Passkey): Promise<void> {
    const { db, tables, codec } = this.ctx;
    await db
      .insertInto(tables.passkeys)
      .values({
        id: passkey.id,
        user_id: passkey.userId,
        credential_id: passkey.credentialId,
        credential_id_hash: passkey.credentialIdHash,
        public_key: passkey.publicKey,
        counter: passkey.counter,
        transports: codec.toJson(passkey.transports),
        device_type: passkey.deviceType,
        backed_up: passkey.backedUp ? 1 : 0,
        aaguid: passkey.aaguid,
        name: passkey.name,
        created_at: codec.toDate(passkey.createdAt),
        last_used_at: codec.toNullableDate(passkey.lastUsedAt),
        updated_at: codec.toDate(passkey.updatedAt),
      })
      .execute();
  }

  async listByUser(userId: string): Promise<Passkey[]> {
    const { db, tables } = this.ctx;
    const rows = await db
      .selectFrom(tables.passkeys)
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((row) => this.toPasskey(row));
  }

  async countByUser(userId: string): Promise<number> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(tables.passkeys)
      .select((eb) => eb.fn.countAll().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return codec.fromInteger(row?.n ?? 0);
  }

  async findByCredentialIdHash(credentialIdHash: string): Promise<{ passkey: Passkey; user: User } | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(`${tables.passkeys} as p`)
      .innerJoin(`${tables.users} as u`, 'u.id', 'p.user_id')
      .selectAll('p')
      .select(USER_COLUMNS.map((column) => `u.${column} as u_${column}`))
      .where('p.credential_id_hash', '=', credentialIdHash)
      .executeTakeFirst();
    return row ? { passkey: this.toPasskey(row), user: toUser(row, codec, 'u_') } : null;
  }

  async rename(userId: string, id: string, name: string, updatedAt: Date): Promise<Passkey | null> {
    const { db, tables, codec } = this.ctx;
    await db
      .updateTable(tables.passkeys)
      .set({ name, updated_at: codec.toDate(updatedAt) })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .execute();
    // read back rather than trust affected rows: MySQL counts an unchanged row as not updated
    const row = await db
      .selectFrom(tables.passkeys)
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? this.toPasskey(row) : null;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const { db, tables } = this.ctx;
    const result = await db
      .deleteFrom(tables.passkeys)
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async advanceCounter(id: string, counter: number, usedAt: Date): Promise<boolean> {
    const { db, tables, codec } = this.ctx;
    // one conditional UPDATE: whoever's write hits the row owns this counter value
    const result = await db
      .updateTable(tables.passkeys)
      .set({ counter, last_used_at: codec.toDate(usedAt) })
      .where('id', '=', id)
      .where((eb) => (counter === 0 ? eb('counter', '=', 0) : eb('counter', '<', counter)))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  private toPasskey(row: Row): Passkey {
    const { codec } = this.ctx;
    return {
      id: row.id,
      userId: row.user_id,
      credentialId: row.credential_id,
      credentialIdHash: row.credential_id_hash,
      publicKey: row.public_key,
      counter: codec.fromInteger(row.counter),
      transports: codec.fromJson<string[]>(row.transports),
      deviceType: row.device_type,
      backedUp: codec.fromInteger(row.backed_up) === 1,
      aaguid: row.aaguid,
      name: row.name,
      createdAt: codec.fromDate(row.created_at),
      lastUsedAt: codec.fromNullableDate(row.last_used_at),
      updatedAt: codec.fromDate(row.updated_at),
    };
  }
}
