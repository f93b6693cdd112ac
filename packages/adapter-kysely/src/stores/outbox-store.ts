import {
  chunked,
  IDS_PER_STATEMENT,
  type OutboxEvent,
  type OutboxFailure,
  type OutboxStore,
} from '@portcullis/core/ports';
import type { ColumnCodec } from '../column-codec.js';
import type { AnyExpressionBuilder, Row } from '../kysely-types.js';
import { insertRow } from './insert-row.js';
import type { StoreContext } from './store-context.js';
import { deferredInsert } from './write-behind.js';

export class KyselyOutboxStore implements OutboxStore {
  constructor(private readonly ctx: StoreContext) {}

  async enqueue(event: OutboxEvent): Promise<void> {
    const { tables, codec, writeBehind } = this.ctx;
    const row = {
      id: event.id,
      tenant_id: event.tenantId,
      type: event.type,
      payload: codec.toJson(event.payload),
      request_id: event.requestId,
      status: event.status,
      attempts: event.attempts,
      created_at: codec.toDate(event.createdAt),
      available_at: codec.toDate(event.availableAt),
      locked_until: codec.toNullableDate(event.lockedUntil),
      last_error: event.lastError,
      delivered_at: codec.toNullableDate(event.deliveredAt),
    };
    if (writeBehind) {
      return writeBehind.defer(deferredInsert(tables.outboxEvents, row));
    }
    await insertRow(this.ctx, tables.outboxEvents, row);
  }

  async claimBatch(now: Date, limit: number, lockedUntil: Date): Promise<OutboxEvent[]> {
    if (limit <= 0) return [];
    const { dialect, tables, codec } = this.ctx;
    const set = { status: 'processing', locked_until: codec.toDate(lockedUntil) };
    const claimed = (row: OutboxEvent): OutboxEvent => ({ ...row, status: 'processing', lockedUntil });

    if (dialect === 'sqlite') {
      // SQLite has one writer at a time, so a single UPDATE cannot hand a row to two claimers
      const rows = await this.ctx.db
        .updateTable(tables.outboxEvents)
        .set(set)
        .where('id', 'in', claimable(this.ctx.db, tables.outboxEvents, codec.toDate(now), limit).select('id'))
        .returningAll()
        .execute();
      return rows.map((row) => toOutboxEvent(row, codec)).sort(oldestFirst);
    }

    // PostgreSQL, MySQL/MariaDB: lock the candidates, skipping rows another claimer holds, then
    // mark them in the same transaction. Two scans along (status, created_at), each stopping
    // after `limit` rows, rather than one with an OR: InnoDB locks every row a locking read
    // visits, so a scan that sorts all due rows would lock them all and starve other claimers.
    const claim = async (db: StoreContext['db']) => {
      const due = codec.toDate(now);
      const lockDue = (status: 'pending' | 'processing', dueColumn: 'available_at' | 'locked_until') => {
        let select = db
          .selectFrom(tables.outboxEvents)
          .selectAll()
          .where('status', '=', status)
          .where(dueColumn, '<=', due)
          .orderBy('created_at')
          .orderBy('id')
          .limit(limit)
          .forUpdate();
        if (this.ctx.capabilities.skipLocked) select = select.skipLocked();
        return select.execute();
      };
      const expired = await lockDue('processing', 'locked_until');
      const pending = await lockDue('pending', 'available_at');
      // rows locked here but not taken are released at commit, untouched
      const taken = [...expired, ...pending]
        .map((row) => toOutboxEvent(row, codec))
        .sort(oldestFirst)
        .slice(0, limit);
      if (taken.length === 0) return [];
      await db
        .updateTable(tables.outboxEvents)
        .set(set)
        .where(
          'id',
          'in',
          taken.map((event) => event.id),
        )
        .execute();
      return taken.map(claimed);
    };
    if (this.ctx.db.isTransaction) return claim(this.ctx.db);
    // READ COMMITTED: InnoDB then locks only the rows it claims, not the gaps it scanned
    return this.ctx.db.transaction().setIsolationLevel('read committed').execute(claim);
  }

  async markDelivered(ids: readonly string[], deliveredAt: Date): Promise<void> {
    const { db, tables, codec } = this.ctx;
    for (const chunk of chunked(ids, IDS_PER_STATEMENT)) {
      await db
        .updateTable(tables.outboxEvents)
        .set({ status: 'delivered', delivered_at: codec.toDate(deliveredAt), locked_until: null })
        .where('id', 'in', chunk)
        .execute();
    }
  }

  async markFailed(id: string, failure: OutboxFailure): Promise<void> {
    const { db, tables, codec } = this.ctx;
    const set: Record<string, unknown> = {
      status: failure.dead ? 'dead' : 'pending',
      attempts: failure.attempts,
      last_error: failure.lastError,
      locked_until: null,
    };
    if (!failure.dead) set.available_at = codec.toDate(failure.availableAt);
    await db.updateTable(tables.outboxEvents).set(set).where('id', '=', id).execute();
  }

  async findById(id: string): Promise<OutboxEvent | null> {
    const { db, tables, codec } = this.ctx;
    const row = await db.selectFrom(tables.outboxEvents).selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toOutboxEvent(row, codec) : null;
  }

  async oldestUndeliveredAt(): Promise<Date | null> {
    const { db, tables, codec } = this.ctx;
    // one ordered read per status: each walks the (status, created_at) index from its start
    const oldest = await Promise.all(
      (['pending', 'processing'] as const).map((status) =>
        db
          .selectFrom(tables.outboxEvents)
          .select('created_at')
          .where('status', '=', status)
          .orderBy('created_at')
          .limit(1)
          .executeTakeFirst(),
      ),
    );
    const times = oldest.filter((row) => row !== undefined).map((row) => codec.fromDate(row.created_at));
    return times.length === 0 ? null : new Date(Math.min(...times.map((t) => t.getTime())));
  }
}

/** Events due at `now`, oldest first: pending and available, or processing with an expired claim. */
function claimable(db: StoreContext['db'], table: string, now: unknown, limit: number) {
  return db
    .selectFrom(table)
    .where((eb: AnyExpressionBuilder) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('available_at', '<=', now)]),
        eb.and([eb('status', '=', 'processing'), eb('locked_until', '<=', now)]),
      ]),
    )
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit);
}

function oldestFirst(a: OutboxEvent, b: OutboxEvent): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function toOutboxEvent(row: Row, codec: ColumnCodec): OutboxEvent {
  return {
    id: row.id,
    tenantId: row.tenant_id ?? null,
    type: row.type,
    payload: codec.fromJson(row.payload),
    requestId: row.request_id ?? null,
    status: row.status,
    attempts: codec.fromInteger(row.attempts),
    createdAt: codec.fromDate(row.created_at),
    availableAt: codec.fromDate(row.available_at),
    lockedUntil: codec.fromNullableDate(row.locked_until),
    lastError: row.last_error ?? null,
    deliveredAt: codec.fromNullableDate(row.delivered_at),
  };
}
