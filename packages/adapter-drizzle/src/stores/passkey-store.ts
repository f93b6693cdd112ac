import type { Passkey, PasskeyStore, User } from '@portcullis/core/ports';
import { and, asc, count, eq, lt } from 'drizzle-orm';
import { affectedRows } from './dialect-queries.js';
import type { StoreContext, Tables } from './store-context.js';
import { userColumns } from './user-store.js';

type PasskeyRow = Tables['passkeys']['$inferSelect'];

function toPasskey(row: PasskeyRow): Passkey {
  return { ...row, counter: Number(row.counter), backedUp: Number(row.backedUp) === 1 };
}

export class DrizzlePasskeyStore implements PasskeyStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(passkey: Passkey): Promise<void> {
    const { db, tables } = this.ctx;
    await db.insert(tables.passkeys).values({ ...passkey, backedUp: passkey.backedUp ? 1 : 0 });
  }

  async listByUser(userId: string): Promise<Passkey[]> {
    const { db, tables } = this.ctx;
    const { passkeys: k } = tables;
    const rows = await db.select().from(k).where(eq(k.userId, userId)).orderBy(asc(k.createdAt), asc(k.id));
    return rows.map(toPasskey);
  }

  async countByUser(userId: string): Promise<number> {
    const { db, tables } = this.ctx;
    const [row] = await db
      .select({ count: count() })
      .from(tables.passkeys)
      .where(eq(tables.passkeys.userId, userId));
    return Number(row?.count ?? 0);
  }

  async findByCredentialIdHash(credentialIdHash: string): Promise<{ passkey: Passkey; user: User } | null> {
    const { db, tables } = this.ctx;
    const { passkeys: k, users } = tables;
    const [row] = await db
      .select({ passkey: k, user: userColumns(users) })
      .from(k)
      .innerJoin(users, eq(users.id, k.userId))
      .where(eq(k.credentialIdHash, credentialIdHash));
    return row ? { passkey: toPasskey(row.passkey), user: row.user } : null;
  }

  async rename(userId: string, id: string, name: string, updatedAt: Date): Promise<Passkey | null> {
    const { db, tables } = this.ctx;
    const { passkeys: k } = tables;
    const owned = and(eq(k.id, id), eq(k.userId, userId));
    await db.update(k).set({ name, updatedAt }).where(owned);
    // read back rather than trust affected rows: MySQL counts an unchanged row as not updated
    const [row] = await db.select().from(k).where(owned);
    return row ? toPasskey(row) : null;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { passkeys: k } = tables;
    const result = await db.delete(k).where(and(eq(k.id, id), eq(k.userId, userId)));
    return affectedRows(dialect, result) > 0;
  }

  async advanceCounter(id: string, counter: number, usedAt: Date): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { passkeys: k } = tables;
    // one conditional UPDATE: whoever's write hits the row owns this counter value
    const result = await db
      .update(k)
      .set({ counter, lastUsedAt: usedAt })
      .where(and(eq(k.id, id), counter === 0 ? eq(k.counter, 0) : lt(k.counter, counter)));
    return affectedRows(dialect, result) > 0;
  }
}
