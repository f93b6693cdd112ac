import { AsyncLocalStorage } from 'node:async_hooks';
import type { Storage, StorageStores } from '../ports/storage.js';
import { createMemoryStores, type RunOperation } from './memory-stores.js';
import { createMemoryTables, TableWriter } from './memory-tables.js';

interface OpenTransaction {
  open: boolean;
}

/**
 * Storage held in this process's memory: for tests, examples and trying Portcullis out. It keeps
 * the promises of the port as a database would: unique constraints throw `AuthError('conflict')`,
 * transactions roll back on throw, and stores hand out copies, never the rows they hold.
 *
 * Transactions run one at a time, and a call on the storage itself waits for the open
 * transaction to finish, so every transaction is serializable. Calling the storage (instead of
 * `tx`) inside `transaction()` would wait forever, so it rejects at once instead.
 *
 * @example
 * const auth = createAuth({ storage: memoryStorage(), secret, baseURL })
 */
export function memoryStorage(): Storage {
  const tables = createMemoryTables();
  const mutex = new AsyncMutex();
  const transactions = new AsyncLocalStorage<OpenTransaction>();

  const assertOutsideTransaction = () => {
    if (transactions.getStore()?.open) {
      throw new Error(
        'memoryStorage: inside transaction(), use the `tx` stores (transactions are not re-entrant)',
      );
    }
  };

  const runOutside: RunOperation = async (operation) => {
    assertOutsideTransaction();
    return mutex.run(operation);
  };

  const stores = createMemoryStores(tables, new TableWriter(false), runOutside);

  return {
    ...stores,
    capabilities: { dialect: 'memory', skipLocked: false },
    async transaction<T>(fn: (tx: StorageStores) => Promise<T>): Promise<T> {
      assertOutsideTransaction();
      return mutex.run(async () => {
        const transaction: OpenTransaction = { open: true };
        const writer = new TableWriter(true);
        const runInside: RunOperation = async (operation) => {
          if (!transaction.open) throw new Error('memoryStorage: this transaction has already finished');
          return operation();
        };
        try {
          return await transactions.run(transaction, () => fn(createMemoryStores(tables, writer, runInside)));
        } catch (error) {
          writer.rollback();
          throw error;
        } finally {
          transaction.open = false;
        }
      });
    },
  };
}

/** Runs tasks one after another, in the order they were queued. */
class AsyncMutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
