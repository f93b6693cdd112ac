import type { SigningKey, SigningKeyState, SigningKeyStore } from '@portcullis/core/ports';
import { and, asc, eq } from 'drizzle-orm';
import { affectedRows } from './dialect-queries.js';
import type { StoreContext, Tables } from './store-context.js';

type SigningKeyRow = Tables['signingKeys']['$inferSelect'];

/** The unique slot of an active or next key; null once it holds neither state. */
function slotOf(algorithm: string, state: SigningKeyState): string | null {
  return state === 'active' || state === 'next' ? `${algorithm}:${state}` : null;
}

const STAMP = { active: 'activatedAt', retired: 'retiredAt', revoked: 'revokedAt' } as const;

function toSigningKey(row: SigningKeyRow): SigningKey {
  const { slot: _slot, kekVersion, publicJwk, ...rest } = row;
  return {
    ...rest,
    algorithm: row.algorithm as SigningKey['algorithm'],
    state: row.state as SigningKeyState,
    publicJwk: JSON.parse(publicJwk),
    keyEncryptionKeyVersion: kekVersion,
  };
}

export class DrizzleSigningKeyStore implements SigningKeyStore {
  constructor(private readonly ctx: StoreContext) {}

  async listByIssuer(issuer: string): Promise<SigningKey[]> {
    const { db, tables } = this.ctx;
    const { signingKeys: k } = tables;
    const rows = await db.select().from(k).where(eq(k.issuer, issuer)).orderBy(asc(k.createdAt), asc(k.id));
    return rows.map(toSigningKey);
  }

  async create(key: SigningKey): Promise<void> {
    const { db, tables } = this.ctx;
    const { keyEncryptionKeyVersion, publicJwk, ...rest } = key;
    await db.insert(tables.signingKeys).values({
      ...rest,
      slot: slotOf(key.algorithm, key.state),
      publicJwk: JSON.stringify(publicJwk),
      kekVersion: keyEncryptionKeyVersion,
    });
  }

  async transition(id: string, from: SigningKeyState, to: SigningKeyState, at: Date): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { signingKeys: k } = tables;
    const [row] = await db.select({ algorithm: k.algorithm }).from(k).where(eq(k.id, id));
    if (!row) return false;
    const values: Partial<SigningKeyRow> = { state: to, slot: slotOf(row.algorithm, to) };
    if (to !== 'next') values[STAMP[to]] = at;
    // `state = from` in the WHERE makes it a compare-and-set: one concurrent caller wins
    const result = await db
      .update(k)
      .set(values)
      .where(and(eq(k.id, id), eq(k.state, from)));
    return affectedRows(dialect, result) === 1;
  }

  async rewrap(
    id: string,
    expectedWrappedPrivateKey: string,
    wrappedPrivateKey: string,
    keyEncryptionKeyVersion: string,
  ): Promise<boolean> {
    const { db, tables, dialect } = this.ctx;
    const { signingKeys: k } = tables;
    const result = await db
      .update(k)
      .set({ wrappedPrivateKey, kekVersion: keyEncryptionKeyVersion })
      .where(and(eq(k.id, id), eq(k.wrappedPrivateKey, expectedWrappedPrivateKey)));
    return affectedRows(dialect, result) === 1;
  }
}
