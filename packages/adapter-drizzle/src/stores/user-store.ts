import {
  normalizeEmail,
  type User,
  type UserStatus,
  type UserStore,
  userPoolKey,
} from '@portcullis/core/ports';
import { and, eq, isNull } from 'drizzle-orm';
import { affectedRows } from './dialect-queries.js';
import type { StoreContext, Tables } from './store-context.js';

/** The users columns a `User` holds (not the lookup keys `pool_key` and `email_normalized`). */
export function userColumns(users: Tables['users']) {
  return {
    id: users.id,
    tenantId: users.tenantId,
    email: users.email,
    emailVerifiedAt: users.emailVerifiedAt,
    name: users.name,
    status: users.status,
    createdAt: users.createdAt,
    updatedAt: users.updatedAt,
  };
}

export class DrizzleUserStore implements UserStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(user: User): Promise<void> {
    const { db, tables } = this.ctx;
    await db.insert(tables.users).values({
      id: user.id,
      tenantId: user.tenantId,
      poolKey: userPoolKey(user.tenantId),
      email: user.email,
      emailNormalized: normalizeEmail(user.email),
      emailVerifiedAt: user.emailVerifiedAt,
      name: user.name,
      status: user.status,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    });
  }

  async findById(id: string): Promise<User | null> {
    const { db, tables } = this.ctx;
    const [row] = await db
      .select(userColumns(tables.users))
      .from(tables.users)
      .where(eq(tables.users.id, id));
    return row ?? null;
  }

  async lock(id: string): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const select = db.select({ id: tables.users.id }).from(tables.users).where(eq(tables.users.id, id));
    // SQLite has no FOR UPDATE, and needs none: the adapter's transactions are BEGIN IMMEDIATE
    const [row] = await (dialect === 'sqlite' ? select : select.for('update'));
    return row !== undefined;
  }

  async findByEmail(tenantId: string | null, normalizedEmail: string): Promise<User | null> {
    const { db, tables } = this.ctx;
    const { users } = tables;
    const [row] = await db
      .select(userColumns(users))
      .from(users)
      .where(and(eq(users.poolKey, userPoolKey(tenantId)), eq(users.emailNormalized, normalizedEmail)));
    return row ?? null;
  }

  async updateStatus(id: string, status: UserStatus, updatedAt: Date): Promise<User | null> {
    const { db, tables, dialect } = this.ctx;
    const update = db.update(tables.users).set({ status, updatedAt }).where(eq(tables.users.id, id));
    if (dialect === 'mysql') {
      await update; // no RETURNING on MySQL
      return this.findById(id);
    }
    const [row] = await update.returning(userColumns(tables.users));
    return row ?? null;
  }

  async markEmailVerified(id: string, email: string, verifiedAt: Date): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { users } = tables;
    // the conditions make it a compare-and-set: only an unverified row with that email changes
    const result = await db
      .update(users)
      .set({ emailVerifiedAt: verifiedAt, updatedAt: verifiedAt })
      .where(and(eq(users.id, id), eq(users.email, email), isNull(users.emailVerifiedAt)));
    return affectedRows(dialect, result) === 1;
  }
}
