import { AuthError } from '../errors.js';
import type { SigningKey, SigningKeyState, SigningKeyStore } from '../tokens/signing-key-store.js';
import type { MemoryTables, RunOperation, TableWriter } from './memory-tables.js';

const STAMP = { active: 'activatedAt', retired: 'retiredAt', revoked: 'revokedAt' } as const;

/** The signing-key store over memory tables: the unique (issuer, algorithm, state) slot of SQL, by scan. */
export function memorySigningKeyStore(
  tables: MemoryTables,
  writer: TableWriter,
  run: RunOperation,
): SigningKeyStore {
  const slotTaken = (key: Pick<SigningKey, 'issuer' | 'algorithm' | 'id'>, state: SigningKeyState) =>
    (state === 'active' || state === 'next') &&
    [...tables.signingKeys.values()].some(
      (k) => k.id !== key.id && k.issuer === key.issuer && k.algorithm === key.algorithm && k.state === state,
    );
  return {
    listByIssuer: (issuer) =>
      run(() =>
        structuredClone(
          [...tables.signingKeys.values()]
            .filter((k) => k.issuer === issuer)
            .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id)),
        ),
      ),
    create: (key) =>
      run(() => {
        if (tables.signingKeys.has(key.id) || slotTaken(key, key.state)) {
          throw new AuthError('conflict', { cause: new Error('signing_keys: id or slot exists') });
        }
        writer.set(tables.signingKeys, key.id, structuredClone(key));
      }),
    transition: (id, from, to, at) =>
      run(() => {
        const found = tables.signingKeys.get(id);
        if (!found || found.state !== from) return false;
        if (slotTaken(found, to))
          throw new AuthError('conflict', { cause: new Error('signing_keys: slot taken') });
        const next: SigningKey = { ...found, state: to };
        if (to !== 'next') next[STAMP[to]] = new Date(at);
        writer.set(tables.signingKeys, id, next);
        return true;
      }),
    rewrap: (id, expected, wrapped, version) =>
      run(() => {
        const found = tables.signingKeys.get(id);
        if (!found || found.wrappedPrivateKey !== expected) return false;
        writer.set(tables.signingKeys, id, {
          ...found,
          wrappedPrivateKey: wrapped,
          keyEncryptionKeyVersion: version,
        });
        return true;
      }),
  };
}
