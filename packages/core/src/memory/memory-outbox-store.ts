import type { OutboxEvent } from '../outbox/outbox.js';
import type { OutboxStore } from '../outbox/outbox-store.js';
import {
  compare,
  conflict,
  copy,
  copyOrNull,
  type MemoryTables,
  type RunOperation,
  type TableWriter,
} from './memory-tables.js';

/** The outbox store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryOutboxStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): OutboxStore {
  const update = (id: string, changes: (event: OutboxEvent) => Partial<OutboxEvent>) => {
    const event = tables.outbox.get(id);
    if (event) writer.set(tables.outbox, id, { ...event, ...changes(event) });
  };
  return {
    enqueue: (event) =>
      run(() => {
        if (tables.outbox.has(event.id)) throw conflict('outbox: id exists');
        writer.set(tables.outbox, event.id, copy(event));
      }),
    claimBatch: (now, limit, lockedUntil) =>
      run(() => {
        const claimable = [...tables.outbox.values()]
          .filter(
            (event) =>
              (event.status === 'pending' && event.availableAt.getTime() <= now.getTime()) ||
              (event.status === 'processing' && (event.lockedUntil?.getTime() ?? Infinity) <= now.getTime()),
          )
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || compare(a.id, b.id))
          .slice(0, Math.max(0, limit));
        return claimable.map((event) => {
          const claimed: OutboxEvent = { ...event, status: 'processing', lockedUntil: new Date(lockedUntil) };
          writer.set(tables.outbox, event.id, claimed);
          return copy(claimed);
        });
      }),
    markDelivered: (ids, deliveredAt) =>
      run(() => {
        for (const id of ids)
          update(id, () => ({ status: 'delivered', deliveredAt: new Date(deliveredAt), lockedUntil: null }));
      }),
    markFailed: (id, failure) =>
      run(() =>
        update(id, (event) => ({
          status: failure.dead ? 'dead' : 'pending',
          attempts: failure.attempts,
          lastError: failure.lastError,
          availableAt: failure.dead ? event.availableAt : new Date(failure.availableAt),
          lockedUntil: null,
        })),
      ),
    findById: (id) => run(() => copyOrNull(tables.outbox.get(id))),
    oldestUndeliveredAt: () =>
      run(() => {
        let oldest: Date | null = null;
        for (const event of tables.outbox.values()) {
          if (event.status !== 'pending' && event.status !== 'processing') continue;
          if (!oldest || event.createdAt < oldest) oldest = event.createdAt;
        }
        return oldest ? new Date(oldest) : null;
      }),
  };
}
