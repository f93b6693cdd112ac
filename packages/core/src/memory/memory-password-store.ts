import type { PasswordStore } from '../credentials/passwords/password-store.js';
import type { MemoryTables, RunOperation, TableWriter } from './memory-tables.js';

/** The password store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryPasswordStore(
  tables: MemoryTables,
  writer: TableWriter,
  run: RunOperation,
): PasswordStore {
  return {
    upsert: (userId, hash, updatedAt) =>
      run(() => writer.set(tables.passwords, userId, { hash, updatedAt: new Date(updatedAt) })),
    delete: (userId) =>
      run(() => {
        if (!tables.passwords.has(userId)) return false;
        writer.delete(tables.passwords, userId);
        return true;
      }),
    findHash: (userId) => run(() => tables.passwords.get(userId)?.hash ?? null),
    replaceIfUnchanged: (userId, expectedHash, newHash, updatedAt) =>
      run(() => {
        if (tables.passwords.get(userId)?.hash !== expectedHash) return false;
        writer.set(tables.passwords, userId, { hash: newHash, updatedAt: new Date(updatedAt) });
        return true;
      }),
  };
}
