import {
  normalizeEmail,
  type User,
  type UserStatus,
  type UserStore,
  type UserWithPassword,
  userPoolKey,
} from '@portcullis/core/ports';
import { CompiledQuery, sql } from 'kysely';
import type { ColumnCodec } from '../column-codec.js';
import type { Row } from '../kysely-types.js';
import type { StoreContext } from './store-context.js';

interface SignInLookupValues {
  poolKey: string;
  email: string;
  failureKey: string | undefined;
}

/** SQL text and, for each of its parameters in order, which value binds there. */
interface CompiledSignInLookup {
  sql: string;
  parameters: readonly (keyof SignInLookupValues)[];
}

export class KyselyUserStore implements UserStore {
  /** Sign-in's lookup without and with the failure record, compiled once each. */
  private readonly signInLookups: [CompiledSignInLookup?, CompiledSignInLookup?] = [];

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

  async findByEmailWithPassword(
    tenantId: string | null,
    normalizedEmail: string,
    failureKey?: string,
  ): Promise<UserWithPassword | null> {
    const { db, codec } = this.ctx;
    const lookup = this.signInLookup(failureKey !== undefined);
    const values: SignInLookupValues = { poolKey: userPoolKey(tenantId), email: normalizedEmail, failureKey };
    const { rows } = await db.executeQuery<Row>(
      CompiledQuery.raw(
        lookup.sql,
        lookup.parameters.map((name) => values[name]),
      ),
    );
    const row = rows[0];
    if (row === undefined) return null;
    return {
      user: toUser(row, codec),
      passwordHash: row.password_hash ?? null,
      failures:
        row.failed_count == null
          ? null
          : { count: codec.fromInteger(row.failed_count), lastFailedAt: codec.fromDate(row.last_failed_at) },
      // PostgreSQL answers a boolean, MySQL and SQLite 0 or 1
      hasSecondFactor: row.has_second_factor === true || Number(row.has_second_factor) === 1,
    };
  }

  /**
   * Sign-in's lookup, compiled on first use and then reused (it runs on every sign-in): the user,
   * the password hash, whether a second factor exists and, with `withFailures`, the account's
   * durable failure record, in one statement.
   */
  private signInLookup(withFailures: boolean): CompiledSignInLookup {
    const cached = this.signInLookups[withFailures ? 1 : 0];
    if (cached) return cached;
    const { db, tables } = this.ctx;
    // stand-ins, told apart in the compiled parameters to learn where each value binds
    const standIns: Record<keyof SignInLookupValues, string> = {
      poolKey: '\u0000poolKey',
      email: '\u0000email',
      failureKey: '\u0000failureKey',
    };
    let query = db
      .selectFrom(`${tables.users} as u`)
      .leftJoin(`${tables.passwords} as p`, 'p.user_id', 'u.id')
      .selectAll('u')
      .select('p.hash as password_hash')
      // one statement tells sign-in whether to ask for a second factor
      .select(
        sql<unknown>`(exists (select 1 from ${sql.table(tables.totpCredentials)} t where t.user_id = u.id and t.confirmed_at is not null) or exists (select 1 from ${sql.table(tables.passkeys)} k where k.user_id = u.id))`.as(
          'has_second_factor',
        ),
      )
      .where('u.pool_key', '=', standIns.poolKey)
      .where('u.email_normalized', '=', standIns.email);
    if (withFailures) {
      // joined on the key itself: at most one row, found by its primary key, in the same statement
      query = query
        .leftJoin(`${tables.credentialFailures} as f`, (join) =>
          join.on('f.account_key', '=', standIns.failureKey),
        )
        .select(['f.failed_count as failed_count', 'f.last_failed_at as last_failed_at']);
    }
    const compiled = query.compile();
    const names = Object.keys(standIns) as (keyof SignInLookupValues)[];
    const lookup: CompiledSignInLookup = {
      sql: compiled.sql,
      parameters: compiled.parameters.map((value) => {
        const name = names.find((candidate) => standIns[candidate] === value);
        // a plugin that rewrote the query could bind a value of its own: refuse rather than bind nothing
        if (name === undefined)
          throw new Error('sign-in lookup: the compiled query binds an unknown parameter');
        return name;
      }),
    };
    this.signInLookups[withFailures ? 1 : 0] = lookup;
    return lookup;
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
