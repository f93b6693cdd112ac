import {
  type SecondFactors,
  type SignInAccount,
  type SignInStore,
  userPoolKey,
} from '@portcullis/core/ports';
import { and, eq, sql } from 'drizzle-orm';
import type { StoreContext } from './store-context.js';
import { userColumns } from './user-store.js';

export class DrizzleSignInStore implements SignInStore {
  constructor(private readonly ctx: StoreContext) {}

  async findAccountByEmail(
    tenantId: string | null,
    normalizedEmail: string,
    failureKey?: string,
  ): Promise<SignInAccount | null> {
    const { db, tables } = this.ctx;
    const { users, passwords, credentialFailures: f, totpCredentials: totp, passkeys } = tables;
    const ofAccount = and(
      eq(users.poolKey, userPoolKey(tenantId)),
      eq(users.emailNormalized, normalizedEmail),
    );
    // one statement tells sign-in whether to ask for a second factor
    const hasSecondFactor = sql<unknown>`(exists (select 1 from ${totp} where ${totp.userId} = ${users.id} and ${totp.confirmedAt} is not null) or exists (select 1 from ${passkeys} where ${passkeys.userId} = ${users.id}))`;
    if (failureKey === undefined) {
      const [row] = await db
        .select({ user: userColumns(users), passwordHash: passwords.hash, hasSecondFactor })
        .from(users)
        .leftJoin(passwords, eq(passwords.userId, users.id))
        .where(ofAccount);
      return row ? { ...row, failures: null, hasSecondFactor: isTrue(row.hasSecondFactor) } : null;
    }
    // joined on the key itself: at most one row, found by its primary key, in the same statement
    const [row] = await db
      .select({
        user: userColumns(users),
        passwordHash: passwords.hash,
        failedCount: f.failedCount,
        lastFailedAt: f.lastFailedAt,
        hasSecondFactor,
      })
      .from(users)
      .leftJoin(passwords, eq(passwords.userId, users.id))
      .leftJoin(f, eq(f.accountKey, failureKey))
      .where(ofAccount);
    if (!row) return null;
    const { user, passwordHash, failedCount, lastFailedAt } = row;
    return {
      user,
      passwordHash,
      failures:
        failedCount === null || lastFailedAt === null ? null : { count: Number(failedCount), lastFailedAt },
      hasSecondFactor: isTrue(row.hasSecondFactor),
    };
  }

  async findSecondFactors(userId: string): Promise<SecondFactors> {
    const { db, tables } = this.ctx;
    const { users, totpCredentials: totp, recoveryCodes: codes, passkeys } = tables;
    // the subqueries name the user by the parameter, not by the outer row: a single-table select
    // leaves its columns unqualified, and `id` would then be read from the inner table
    const [row] = await db
      .select({
        totp: sql<unknown>`exists (select 1 from ${totp} where ${totp.userId} = ${userId} and ${totp.confirmedAt} is not null)`,
        recoveryCodes: sql<unknown>`exists (select 1 from ${codes} where ${codes.userId} = ${userId} and ${codes.usedAt} is null)`,
        passkeys: sql<unknown>`exists (select 1 from ${passkeys} where ${passkeys.userId} = ${userId})`,
      })
      .from(users)
      .where(eq(users.id, userId));
    return {
      totp: isTrue(row?.totp),
      recoveryCodes: isTrue(row?.recoveryCodes),
      passkeys: isTrue(row?.passkeys),
    };
  }
}

/** PostgreSQL answers a boolean, MySQL and SQLite 0 or 1. */
function isTrue(value: unknown): boolean {
  return value === true || Number(value) === 1;
}
