import {
  normalizeEmail,
  type User,
  type UserStatus,
  type UserStore,
  userPoolKey,
} from '@portcullis/core/ports';
import type { ColumnCodec } from '../column-codec.js';
import type { Row } from '../kysely-types.js';
import type { StoreContext } from './store-context.js';

export class KyselyUserStore implements UserStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(user: User): Promise<void> {
    const { db, tables, codec } = this.ctx;
    await db
      .insertInto(tables.users)
      .values({
        id: user.id,
        tenant_id: user.tenantId,
        pool_key: userPoolKey(user.tenantId),
        email: user.email,
        email_normalized: normalizeEmail(user.email),
        email_verified_at: codec.toNullableDate(user.emailVerifiedAt),
        name: user.name,
        status: user.status,
        created_at: codec.toDate(user.createdAt),
        updated_at: codec.toDate(user.updatedAt),
      })
      .execute();
  }

  async findById(id: string): Promise<User | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db.selectFrom(tables.users).selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row, codec) : null;
  }

  async lock(id: string): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const select = db.selectFrom(tables.users).select('id').where('id', '=', id);
    // SQLite has no FOR UPDATE, and needs none: its transactions hold the database's write lock
    const row = await (dialect === 'sqlite' ? select : select.forUpdate()).executeTakeFirst();
    return row !== undefined;
  }

  async findByEmail(tenantId: string | null, normalizedEmail: string): Promise<User | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(tables.users)
      .selectAll()
      .where('pool_key', '=', userPoolKey(tenantId))
      .where('email_normalized', '=', normalizedEmail)
      .executeTakeFirst();
    return row ? toUser(row, codec) : null;
  }

  async updateStatus(id: string, status: UserStatus, updatedAt: Date): Promise<User | null> {
    const { db, tables, codec, dialect } = this.ctx;
    const update = db
      .updateTable(tables.users)
      .set({ status, updated_at: codec.toDate(updatedAt) })
      .where('id', '=', id);
    if (dialect === 'mysql') {
      await update.execute();
      return this.findById(id);
    }
    const row = await update.returningAll().executeTakeFirst();
    return row ? toUser(row, codec) : null;
  }

  async markEmailVerified(id: string, email: string, verifiedAt: Date): Promise<boolean> {
    const { db, tables, codec } = this.ctx;
    const at = codec.toDate(verifiedAt);
    // the conditions make it a compare-and-set: only an unverified row with that email changes
    const result = await db
      .updateTable(tables.users)
      .set({ email_verified_at: at, updated_at: at })
      .where('id', '=', id)
      .where('email', '=', email)
      .where('email_verified_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }
}

/** The columns {@link toUser} reads: what a join selects as `u_<column>`. */
export const USER_COLUMNS = [
  'id',
  'tenant_id',
  'email',
  'email_verified_at',
  'name',
  'status',
  'created_at',
  'updated_at',
];

/** Maps a users row; `prefix` reads the columns of a join that aliased them (`u_id`...). */
export function toUser(row: Row, codec: ColumnCodec, prefix = ''): User {
  return {
    id: row[`${prefix}id`],
    tenantId: row[`${prefix}tenant_id`] ?? null,
    email: row[`${prefix}email`],
    emailVerifiedAt: codec.fromNullableDate(row[`${prefix}email_verified_at`]),
    name: row[`${prefix}name`] ?? null,
    status: row[`${prefix}status`],
    createdAt: codec.fromDate(row[`${prefix}created_at`]),
    updatedAt: codec.fromDate(row[`${prefix}updated_at`]),
  };
}
