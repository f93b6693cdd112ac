import {
  type SecondFactors,
  type SignInAccount,
  type SignInStore,
  userPoolKey,
} from '@portcullis/core/ports';
import { CompiledQuery, sql } from 'kysely';
import type { Row } from '../kysely-types.js';
import type { StoreContext } from './store-context.js';
import { toUser } from './user-store.js';

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

export class KyselySignInStore implements SignInStore {
  /** Sign-in's lookup without and with the failure record, compiled once each. */
  private readonly signInLookups: [CompiledSignInLookup?, CompiledSignInLookup?] = [];

  constructor(private readonly ctx: StoreContext) {}

  async findAccountByEmail(
    tenantId: string | null,
    normalizedEmail: string,
    failureKey?: string,
  ): Promise<SignInAccount | null> {
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
      hasSecondFactor: isTrue(row.has_second_factor),
    };
  }

  async findSecondFactors(userId: string): Promise<SecondFactors> {
    const { db, tables } = this.ctx;
    const row = await db
      .selectFrom(`${tables.users} as u`)
      .select([
        sql<unknown>`exists (select 1 from ${sql.table(tables.totpCredentials)} t where t.user_id = u.id and t.confirmed_at is not null)`.as(
          'totp',
        ),
        sql<unknown>`exists (select 1 from ${sql.table(tables.recoveryCodes)} r where r.user_id = u.id and r.used_at is null)`.as(
          'recovery_codes',
        ),
        sql<unknown>`exists (select 1 from ${sql.table(tables.passkeys)} k where k.user_id = u.id)`.as(
          'passkeys',
        ),
      ])
      .where('u.id', '=', userId)
      .executeTakeFirst();
    return {
      totp: isTrue(row?.totp),
      recoveryCodes: isTrue(row?.recovery_codes),
      passkeys: isTrue(row?.passkeys),
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
}

/** PostgreSQL answers a boolean, MySQL and SQLite 0 or 1. */
function isTrue(value: unknown): boolean {
  return value === true || Number(value) === 1;
}
