import type { MfaStore, RecoveryCode, TotpCredential } from '@portcullis/core/ports';
import type { Row } from '../kysely-types.js';
import type { StoreContext } from './store-context.js';

export class KyselyMfaStore implements MfaStore {
  constructor(private readonly ctx: StoreContext) {}

  async findTotp(userId: string): Promise<TotpCredential | null> {
    const { db, tables } = this.ctx;
    const row = await db
      .selectFrom(tables.totpCredentials)
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? this.toTotp(row) : null;
  }

  async createTotp(credential: TotpCredential): Promise<void> {
    const { db, tables, codec } = this.ctx;
    await db
      .insertInto(tables.totpCredentials)
      .values({
        user_id: credential.userId,
        secret_sealed: credential.secretSealed,
        confirmed_at: codec.toNullableDate(credential.confirmedAt),
        last_used_step: credential.lastUsedStep,
        created_at: codec.toDate(credential.createdAt),
        updated_at: codec.toDate(credential.updatedAt),
      })
      .execute();
  }

  async deletePendingTotp(userId: string): Promise<boolean> {
    const { db, tables } = this.ctx;
    const result = await db
      .deleteFrom(tables.totpCredentials)
      .where('user_id', '=', userId)
      .where('confirmed_at', 'is', null)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async confirmTotp(userId: string, step: number, confirmedAt: Date): Promise<boolean> {
    const { db, tables, codec } = this.ctx;
    const at = codec.toDate(confirmedAt);
    const result = await db
      .updateTable(tables.totpCredentials)
      .set({ confirmed_at: at, last_used_step: step, updated_at: at })
      .where('user_id', '=', userId)
      .where('confirmed_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async claimTotpStep(userId: string, step: number, at: Date): Promise<boolean> {
    const { db, tables, codec } = this.ctx;
    // one conditional UPDATE: whoever's write hits the row owns the step, however many race
    const result = await db
      .updateTable(tables.totpCredentials)
      .set({ last_used_step: step, updated_at: codec.toDate(at) })
      .where('user_id', '=', userId)
      .where('confirmed_at', 'is not', null)
      .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteTotp(userId: string): Promise<boolean> {
    const { db, tables } = this.ctx;
    const result = await db
      .deleteFrom(tables.totpCredentials)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async replaceRecoveryCodes(userId: string, codes: RecoveryCode[]): Promise<void> {
    const { db, tables, codec } = this.ctx;
    await db.deleteFrom(tables.recoveryCodes).where('user_id', '=', userId).execute();
    if (codes.length === 0) return;
    await db
      .insertInto(tables.recoveryCodes)
      .values(
        codes.map((code) => ({
          id: code.id,
          user_id: userId,
          code_hash: code.codeHash,
          used_at: codec.toNullableDate(code.usedAt),
          created_at: codec.toDate(code.createdAt),
        })),
      )
      .execute();
  }

  async useRecoveryCode(userId: string, codeHash: string, usedAt: Date): Promise<boolean> {
    const { db, tables, codec } = this.ctx;
    const result = await db
      .updateTable(tables.recoveryCodes)
      .set({ used_at: codec.toDate(usedAt) })
      .where('user_id', '=', userId)
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async countUnusedRecoveryCodes(userId: string): Promise<number> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(tables.recoveryCodes)
      .select((eb) => eb.fn.countAll().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return codec.fromInteger(row?.n ?? 0);
  }

  async deleteRecoveryCodes(userId: string): Promise<number> {
    const { db, tables } = this.ctx;
    const result = await db.deleteFrom(tables.recoveryCodes).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private toTotp(row: Row): TotpCredential {
    const { codec } = this.ctx;
    return {
      userId: row.user_id,
      secretSealed: row.secret_sealed,
      confirmedAt: codec.fromNullableDate(row.confirmed_at),
      lastUsedStep: row.last_used_step === null ? null : codec.fromInteger(row.last_used_step),
      createdAt: codec.fromDate(row.created_at),
      updatedAt: codec.fromDate(row.updated_at),
    };
  }
}
