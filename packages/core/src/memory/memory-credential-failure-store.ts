import type { CredentialFailureStore } from '../rate-limit/credential-failure-store.js';
import type { MemoryTables, RunOperation, TableWriter } from './memory-tables.js';

/** The credential-failure records over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryCredentialFailureStore(
  tables: MemoryTables,
  writer: TableWriter,
  run: RunOperation,
): CredentialFailureStore {
  const records = tables.credentialFailures;
  return {
    find: (accountKey) =>
      run(() => {
        const found = records.get(accountKey);
        return found ? structuredClone(found) : null;
      }),
    recordFailure: (accountKey, failedAt, lapsedBefore) =>
      run(() => {
        const found = records.get(accountKey);
        const count = found && found.lastFailedAt >= lapsedBefore ? found.count + 1 : 1;
        writer.set(records, accountKey, { count, lastFailedAt: new Date(failedAt) });
        return count;
      }),
    clear: (accountKey) =>
      run(() => {
        if (!records.has(accountKey)) return false;
        writer.delete(records, accountKey);
        return true;
      }),
    deleteLapsed: (before) =>
      run(() => {
        let deleted = 0;
        for (const [key, record] of records) {
          if (record.lastFailedAt >= before) continue;
          writer.delete(records, key);
          deleted += 1;
        }
        return deleted;
      }),
  };
}
