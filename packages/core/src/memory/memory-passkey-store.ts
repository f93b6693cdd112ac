import type { PasskeyStore } from '../credentials/passkeys/passkey-store.js';
import { AuthError } from '../errors.js';
import type { MemoryTables, RunOperation, TableWriter } from './memory-tables.js';

/** The passkey store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryPasskeyStore(
  tables: MemoryTables,
  writer: TableWriter,
  run: RunOperation,
): PasskeyStore {
  const ofUser = (userId: string) =>
    [...tables.passkeys.values()]
      .filter((p) => p.userId === userId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  const owned = (userId: string, id: string) => {
    const found = tables.passkeys.get(id);
    return found && found.userId === userId ? found : undefined;
  };
  return {
    create: (passkey) =>
      run(() => {
        if (tables.passkeys.has(passkey.id))
          throw new AuthError('conflict', { cause: new Error('passkeys: id exists') });
        if (tables.passkeyIdByCredentialHash.has(passkey.credentialIdHash)) {
          throw new AuthError('conflict', { cause: new Error('passkeys: credential id exists') });
        }
        writer.set(tables.passkeys, passkey.id, structuredClone(passkey));
        writer.set(tables.passkeyIdByCredentialHash, passkey.credentialIdHash, passkey.id);
      }),
    listByUser: (userId) => run(() => structuredClone(ofUser(userId))),
    countByUser: (userId) => run(() => ofUser(userId).length),
    findByCredentialIdHash: (hash) =>
      run(() => {
        const id = tables.passkeyIdByCredentialHash.get(hash);
        const passkey = id === undefined ? undefined : tables.passkeys.get(id);
        const user = passkey && tables.users.get(passkey.userId);
        return passkey && user ? { passkey: structuredClone(passkey), user: structuredClone(user) } : null;
      }),
    rename: (userId, id, name, updatedAt) =>
      run(() => {
        const found = owned(userId, id);
        if (!found) return null;
        const next = { ...found, name, updatedAt: new Date(updatedAt) };
        writer.set(tables.passkeys, id, next);
        return structuredClone(next);
      }),
    delete: (userId, id) =>
      run(() => {
        const found = owned(userId, id);
        if (!found) return false;
        writer.delete(tables.passkeys, id);
        writer.delete(tables.passkeyIdByCredentialHash, found.credentialIdHash);
        return true;
      }),
    advanceCounter: (id, counter, usedAt) =>
      run(() => {
        const found = tables.passkeys.get(id);
        if (!found) return false;
        if (!(found.counter < counter || (counter === 0 && found.counter === 0))) return false;
        writer.set(tables.passkeys, id, { ...found, counter, lastUsedAt: new Date(usedAt) });
        return true;
      }),
  };
}
