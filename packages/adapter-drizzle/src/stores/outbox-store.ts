import {
  chunked,
  IDS_PER_STATEMENT,
  type OutboxEvent,
  type OutboxFailure,
  type OutboxStore,
} from '@portcullis/core/ports';
import { and, asc, eq, inArray, lte, or } from 'drizzle-orm';
import type { StoreContext } from './store-context.js';

export class DrizzleOutboxStore implements OutboxStore {
  constructor(private readonly ctx: StoreContext) {}

  async enqueue(event: OutboxEvent): Promise<void> {
    const { db, tables } = this.ctx;
    await db.insert(tables.outboxEvents).values({
      id: event.id,
      tenantId: event.tenantId,
      type: event.type,
      payload: event.payload,
      requestId: event.requestId,
      status: event.status,
      attempts: event.attempts,
      createdAt: event.createdAt,
      availableAt: event.availableAt,
      lockedUntil: event.lockedUntil,
      lastError: event.lastError,
      deliveredAt: event.deliveredAt,
    });
  }

  async claimBatch(now: Date, limit: number, lockedUntil: Date): Promise<OutboxEvent[]> {
    if (limit <= 0) return [];
    const { dialect, tables } = this.ctx;
    const outbox = tables.outboxEvents;
    const claim = { status: 'processing' as const, lockedUntil };

    if (dialect === 'sqlite') {
      // SQLite has one writer at a time, so a single UPDATE cannot hand a row to two claimers
      const { db } = this.ctx;
      const due = db
        .select({ id: outbox.id })
        .from(outbox)
        .where(
          or(
            and(eq(outbox.status, 'pending'), lte(outbox.availableAt, now)),
            and(eq(outbox.status, 'processing'), lte(outbox.lockedUntil, now)),
          ),
        )
        .orderBy(asc(outbox.createdAt), asc(outbox.id))
        .limit(limit);
      const rows = await db.update(outbox).set(claim).where(inArray(outbox.id, due)).returning();
      return rows.sort(oldestFirst);
    }

    // PostgreSQL, MySQL/MariaDB: lock the candidates, skipping rows another claimer holds, then
    // mark them in the same transaction. Two scans along (status, created_at), each stopping
    // after `limit` rows, rather than one with an OR: InnoDB locks every row a locking read
    // visits, so a scan that sorts all due rows would lock them all and starve other claimers.
    // READ COMMITTED: InnoDB then locks only the rows it claims, not the gaps it scanned.
    return this.ctx.transaction(async ({ db, capabilities }) => {
      const lockDue = (
        status: 'pending' | 'processing',
        dueColumn: typeof outbox.availableAt | typeof outbox.lockedUntil,
      ) =>
        db
          .select()
          .from(outbox)
          .where(and(eq(outbox.status, status), lte(dueColumn, now)))
          .orderBy(asc(outbox.createdAt), asc(outbox.id))
          .limit(limit)
          .for('update', capabilities.skipLocked ? { skipLocked: true } : {});
      const expired = await lockDue('processing', outbox.lockedUntil);
      const pending = await lockDue('pending', outbox.availableAt);
      // rows locked here but not taken are released at commit, untouched
      const taken = [...expired, ...pending].sort(oldestFirst).slice(0, limit);
      if (taken.length === 0) return [];
      await db
        .update(outbox)
        .set(claim)
        .where(
          inArray(
            outbox.id,
            taken.map((event) => event.id),
          ),
        );
      return taken.map((event): OutboxEvent => ({ ...event, ...claim }));
    }, 'read committed');
  }

  async markDelivered(ids: readonly string[], deliveredAt: Date): Promise<void> {
    const { db, tables } = this.ctx;
    for (const chunk of chunked(ids, IDS_PER_STATEMENT)) {
      await db
        .update(tables.outboxEvents)
        .set({ status: 'delivered', deliveredAt, lockedUntil: null })
        .where(inArray(tables.outboxEvents.id, chunk));
    }
  }

  async markFailed(id: string, failure: OutboxFailure): Promise<void> {
    const { db, tables } = this.ctx;
    await db
      .update(tables.outboxEvents)
      .set({
        status: failure.dead ? 'dead' : 'pending',
        attempts: failure.attempts,
        lastError: failure.lastError,
        lockedUntil: null,
        // a dead event keeps the time it was last due
        availableAt: failure.dead ? undefined : failure.availableAt,
      })
      .where(eq(tables.outboxEvents.id, id));
  }

  async findById(id: string): Promise<OutboxEvent | null> {
    const { db, tables } = this.ctx;
    const [row] = await db.select().from(tables.outboxEvents).where(eq(tables.outboxEvents.id, id));
    return row ?? null;
  }

  async oldestUndeliveredAt(): Promise<Date | null> {
    const { db, tables } = this.ctx;
    const outbox = tables.outboxEvents;
    // one ordered read per status: each walks the (status, created_at) index from its start
    const oldest = await Promise.all(
      (['pending', 'processing'] as const).map(async (status) => {
        const [row] = await db
          .select({ createdAt: outbox.createdAt })
          .from(outbox)
          .where(eq(outbox.status, status))
          .orderBy(asc(outbox.createdAt))
          .limit(1);
        return row?.createdAt;
      }),
    );
    const times = oldest.filter((at) => at !== undefined).map((at) => at.getTime());
    return times.length === 0 ? null : new Date(Math.min(...times));
  }
}

function oldestFirst(a: OutboxEvent, b: OutboxEvent): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
