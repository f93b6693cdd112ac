import { lazyStores, type StorageStores, storeMethodNames } from '@portcullis/core/ports';
import { CompiledQuery, type ControlledTransaction } from 'kysely';
import type { AnyKysely } from '../kysely-types.js';
import type { DeferredWrite, WriteBehind } from './deferred-write.js';
import { insertStatement } from './insert-row.js';
import type { StoreContext } from './store-context.js';

/**
 * Store methods whose writes a transaction may hold back: they return nothing, and only a
 * broken invariant (a duplicate random id) makes them fail, so failing at the end of the
 * transaction instead of at the call changes nothing a caller can see.
 */
const DEFERRABLE: Partial<Record<keyof StorageStores, readonly string[]>> = {
  sessions: ['create'],
  outbox: ['enqueue'],
  audit: ['append'],
};

/**
 * Runs `writes` as one statement (each a data-modifying CTE, which PostgreSQL runs to completion
 * whether the main query reads it or not): atomic by itself, in a transaction or not.
 */
export async function executeWrites(db: AnyKysely, writes: readonly DeferredWrite[]): Promise<void> {
  const ctes: string[] = [];
  const parameters: unknown[] = [];
  writes.forEach((write, i) => {
    ctes.push(write.ctes(`w${i}`, parameters.length + 1));
    parameters.push(...write.parameters);
  });
  await db.executeQuery(CompiledQuery.raw(`with ${ctes.join(', ')} select 1`, parameters));
}

/** A deferred insert of one row: the row's keys are the column names. */
export function deferredInsert(table: string, row: Record<string, unknown>): DeferredWrite {
  const columns = Object.keys(row);
  return {
    parameters: Object.values(row),
    ctes: (name, first) => `"${name}" as (${insertStatement('postgres', table, columns, first)})`,
  };
}

/**
 * A PostgreSQL transaction that holds back its blind writes (a new session, an outbox event, an
 * audit entry) and sends them as one statement: just before the transaction's next other
 * statement, or at its end. A transaction of such writes only — a sign-in, a sign-out — is then
 * one statement, atomic by itself, with no BEGIN and no COMMIT: one round trip instead of six.
 * Any other store call begins a real transaction first and flushes what was held back, so reads
 * see the transaction's own writes.
 *
 * Why: on a loopback connection each round trip costs both processes a system call and a
 * wake-up, and with argon2 saturating the CPU that is what sign-in loses (docs/benchmarks.md).
 */
export async function runWriteBehindTransaction<T>(
  context: StoreContext,
  createStores: (context: StoreContext) => StorageStores,
  fn: (tx: StorageStores) => Promise<T>,
): Promise<T> {
  let pending: DeferredWrite[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: see AnyKysely
  let trx: ControlledTransaction<any> | undefined;
  let beginning: Promise<StorageStores> | undefined;
  let closed = false;

  async function flush(db: AnyKysely) {
    if (pending.length === 0) return;
    const writes = pending;
    pending = [];
    await executeWrites(db, writes);
  }

  /** Begins the real transaction once; every call flushes what is held back. */
  async function begin(): Promise<StorageStores> {
    // a call still running when the transaction ended must not open a new one nobody commits
    if (closed) throw new Error('store call after the end of its transaction: await every store call');
    beginning ??= context.db
      .startTransaction()
      .execute()
      .then((started) => {
        trx = started;
        return createStores({ ...context, db: started, writeBehind });
      });
    const stores = await beginning;
    await flush(trx!);
    return stores;
  }

  const writeBehind: WriteBehind = {
    async defer(write) {
      // a loop, not an if: a concurrent call may have pushed the same key while this one waited
      while (write.exclusiveKey && pending.some((p) => p.exclusiveKey === write.exclusiveKey)) {
        await begin();
      }
      if (closed) throw new Error('write after the end of its transaction: await every store call');
      pending.push(write);
    },
  };

  try {
    const result = await fn(routeStores(createStores({ ...context, writeBehind }), begin));
    if (beginning) {
      await begin(); // waits for the start and flushes
      closed = true;
      await trx!.commit().execute();
    } else {
      closed = true;
      await flush(context.db);
    }
    return result;
  } catch (error) {
    closed = true;
    // the statement or commit that failed already ended the transaction, or this ends it
    if (beginning) await beginning.then(() => trx!.rollback().execute()).catch(() => undefined);
    throw error;
  }
}

/**
 * Deferrable methods go to `deferring` (which holds the write back); all others begin first.
 * Each store is routed on first use: a transaction touches two or three of them.
 */
function routeStores(deferring: StorageStores, begin: () => Promise<StorageStores>): StorageStores {
  return lazyStores((name) => routeStore(name, deferring[name], begin));
}

type AnyStore = Record<string, (...args: unknown[]) => unknown>;

const ROUTE = Symbol('route');

interface RoutedStore {
  [ROUTE]: { store: AnyStore; begin: () => Promise<StorageStores> };
}

/** The routed methods by store name and class, built once: routing a store is one small object. */
const routedPrototypes = new Map<keyof StorageStores, Map<object, object>>();

function routeStore(name: keyof StorageStores, store: object, begin: () => Promise<StorageStores>): object {
  const storeClass = Object.getPrototypeOf(store) as object;
  let byClass = routedPrototypes.get(name);
  if (byClass === undefined) routedPrototypes.set(name, (byClass = new Map()));
  let prototype = byClass.get(storeClass);
  if (prototype === undefined) {
    prototype = routedPrototype(name, storeMethodNames(store));
    byClass.set(storeClass, prototype);
  }
  const routed = Object.create(prototype) as RoutedStore;
  routed[ROUTE] = { store: store as AnyStore, begin };
  return routed;
}

function routedPrototype(name: keyof StorageStores, methods: readonly string[]): object {
  const deferrable = DEFERRABLE[name] ?? [];
  const prototype: Record<string, unknown> = {};
  for (const method of methods) {
    prototype[method] = deferrable.includes(method)
      ? function (this: RoutedStore, ...args: unknown[]) {
          const { store } = this[ROUTE];
          return store[method]!(...args);
        }
      : async function (this: RoutedStore, ...args: unknown[]) {
          const target = (await this[ROUTE].begin())[name] as unknown as AnyStore;
          return target[method]!(...args);
        };
  }
  return prototype;
}
