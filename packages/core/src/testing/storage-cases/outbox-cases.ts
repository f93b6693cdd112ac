import { describe, expect } from 'vitest';
import type { OutboxEvent } from '../../outbox/outbox.js';
import type { StorageStores } from '../../ports/storage.js';
import { IDS_PER_STATEMENT } from '../../storage/chunked.js';
import {
  anOutboxEvent,
  aTenant,
  inRolledBackTransaction,
  later,
  outboxEpoch,
  richJson,
  type StorageCases,
} from '../storage-fixtures.js';

const LEASE_MS = 30_000;

// `claimBatch` claims due events of the whole database. These cases date their events at
// `outboxEpoch()` (decades ago) so they never take another test's events, and run in a
// transaction that is rolled back so no other test's claimer can take theirs. Only the race
// needs committed events and separate connections.

export function outboxCases({ it, storage }: StorageCases): void {
  async function enqueueAll(stores: StorageStores, events: OutboxEvent[]) {
    for (const event of events) await stores.outbox.enqueue(event);
  }

  /** What `stores` claims at `now` among `events` (ignoring anything else that may be due). */
  async function claimIds(stores: StorageStores, events: OutboxEvent[], now: Date, limit: number) {
    const ids = new Set(events.map((event) => event.id));
    const claimed = await stores.outbox.claimBatch(now, limit, later(now, LEASE_MS));
    return claimed.filter((event) => ids.has(event.id)).map((event) => event.id);
  }

  describe('outbox', () => {
    it('enqueues an event with every field and finds it by id', async () => {
      const tenant = aTenant();
      await storage().tenants.create(tenant);
      // due only in 2037 (the end of MySQL TIMESTAMP), so no dispatcher sharing the database takes it
      const event = anOutboxEvent(new Date('2024-10-11T12:13:14.015Z'), {
        tenantId: tenant.id,
        type: 'member.added',
        payload: richJson(),
        requestId: 'lb-7f3a:req.0042',
        availableAt: new Date('2037-12-31T23:59:58.999Z'),
      });
      await storage().outbox.enqueue(event);

      expect(await storage().outbox.findById(event.id)).toEqual(event);
      expect(await storage().outbox.findById(anOutboxEvent(new Date()).id)).toBeNull();
      await storage().outbox.markDelivered([event.id], new Date());
    });

    it('reports when the oldest undelivered event was written: pending or processing, not delivered or dead', async () => {
      // older than any event another case writes, so the answer is this case's own
      const first = new Date('1990-01-02T03:04:05.006Z');
      const pending = anOutboxEvent(first);
      const processing = anOutboxEvent(later(first, 1_000), {
        status: 'processing',
        lockedUntil: later(first, 2_000),
      });
      const dead = anOutboxEvent(new Date('1989-01-01T00:00:00.000Z'));
      await inRolledBackTransaction(storage(), async (tx) => {
        await enqueueAll(tx, [pending, processing, dead]);
        await tx.outbox.markFailed(dead.id, { attempts: 9, lastError: 'x', availableAt: first, dead: true });
        expect(await tx.outbox.oldestUndeliveredAt()).toEqual(first);
        await tx.outbox.markDelivered([pending.id], later(first, 5_000));
        expect(await tx.outbox.oldestUndeliveredAt()).toEqual(later(first, 1_000));
        await tx.outbox.markDelivered([processing.id], later(first, 5_000));
        const rest = await tx.outbox.oldestUndeliveredAt();
        expect(rest === null || rest.getTime() > later(first, 1_000).getTime()).toBe(true);
      });
    });

    it('claims due pending events oldest first, up to the limit, and marks them processing', async () => {
      const t = outboxEpoch();
      const due = [0, 1, 2].map((i) => anOutboxEvent(later(t, i * 1_000)));
      const notYetDue = anOutboxEvent(later(t, 3_000), { availableAt: later(t, 60_000) });
      const now = later(t, 10_000);
      await inRolledBackTransaction(storage(), async (tx) => {
        await enqueueAll(tx, [notYetDue, ...due]);

        const claimed = await tx.outbox.claimBatch(now, 2, later(now, LEASE_MS));
        expect(claimed).toEqual(
          due
            .slice(0, 2)
            .map((event) => ({ ...event, status: 'processing', lockedUntil: later(now, LEASE_MS) })),
        );
        expect(await tx.outbox.findById(due[0]!.id)).toEqual(claimed[0]);
        // claimed events stay claimed until their lease ends; the not-yet-due event waits
        expect(await claimIds(tx, [...due, notYetDue], now, 10)).toEqual([due[2]!.id]);
        expect(await claimIds(tx, [...due, notYetDue], now, 10)).toEqual([]);
        expect(await claimIds(tx, [notYetDue], later(t, 60_000), 10)).toEqual([notYetDue.id]);
      });
    });

    it('claims again an event whose claim lease has expired', async () => {
      const t = outboxEpoch();
      const event = anOutboxEvent(t);
      await inRolledBackTransaction(storage(), async (tx) => {
        await tx.outbox.enqueue(event);
        const lockedUntil = later(t, LEASE_MS);
        await tx.outbox.claimBatch(t, 10, lockedUntil);

        expect(await claimIds(tx, [event], later(lockedUntil, -1), 10)).toEqual([]);
        const reclaimed = await tx.outbox.claimBatch(lockedUntil, 10, later(lockedUntil, LEASE_MS));
        expect(reclaimed.filter((e) => e.id === event.id)).toEqual([
          { ...event, status: 'processing', lockedUntil: later(lockedUntil, LEASE_MS) },
        ]);
      });
    });

    it('marks claimed events delivered together, never claims them again, and leaves the rest', async () => {
      const t = outboxEpoch();
      const [first, second, untouched] = [0, 1, 2].map((i) => anOutboxEvent(later(t, i))) as [
        OutboxEvent,
        OutboxEvent,
        OutboxEvent,
      ];
      const deliveredAt = later(t, 1_234);
      await inRolledBackTransaction(storage(), async (tx) => {
        await enqueueAll(tx, [first, second, untouched]);
        expect(await claimIds(tx, [first, second, untouched], later(t, 10), 10)).toHaveLength(3);
        await tx.outbox.markDelivered([first.id, second.id], deliveredAt);
        await tx.outbox.markDelivered([], deliveredAt);

        for (const event of [first, second])
          expect(await tx.outbox.findById(event.id)).toMatchObject({
            status: 'delivered',
            deliveredAt,
            lockedUntil: null,
            attempts: 0,
          });
        expect(await tx.outbox.findById(untouched.id)).toMatchObject({
          status: 'processing',
          deliveredAt: null,
        });
        expect(await claimIds(tx, [first, second, untouched], later(t, 10 * LEASE_MS), 10)).toEqual([
          untouched.id,
        ]);
      });
    });

    it('marks more events delivered than one statement binds', async () => {
      const t = outboxEpoch();
      const events = Array.from({ length: IDS_PER_STATEMENT + 3 }, (_, i) => anOutboxEvent(later(t, i)));
      await inRolledBackTransaction(storage(), async (tx) => {
        await enqueueAll(tx, events);
        await tx.outbox.markDelivered(
          events.map((event) => event.id),
          later(t, 1_000_000),
        );
        for (const event of [events[0], events[IDS_PER_STATEMENT - 1], events.at(-1)] as OutboxEvent[])
          expect(await tx.outbox.findById(event.id)).toMatchObject({ status: 'delivered' });
      });
    });

    it('puts a failed event back to pending until availableAt, with its attempts and last error', async () => {
      const t = outboxEpoch();
      const event = anOutboxEvent(t);
      const retryAt = later(t, 5 * 60_000);
      await inRolledBackTransaction(storage(), async (tx) => {
        await tx.outbox.enqueue(event);
        await tx.outbox.claimBatch(t, 10, later(t, LEASE_MS));
        await tx.outbox.markFailed(event.id, {
          attempts: 1,
          lastError: 'HTTP 503 – Ünavailable',
          availableAt: retryAt,
          dead: false,
        });

        expect(await tx.outbox.findById(event.id)).toMatchObject({
          status: 'pending',
          attempts: 1,
          lastError: 'HTTP 503 – Ünavailable',
          availableAt: retryAt,
          deliveredAt: null,
        });
        expect(await claimIds(tx, [event], later(retryAt, -1), 10)).toEqual([]);
        const [again] = (await tx.outbox.claimBatch(retryAt, 10, later(retryAt, LEASE_MS))).filter(
          (e) => e.id === event.id,
        );
        expect(again).toMatchObject({
          status: 'processing',
          attempts: 1,
          lockedUntil: later(retryAt, LEASE_MS),
        });
      });
    });

    it('dead-letters an event that failed for good and never claims it again', async () => {
      const t = outboxEpoch();
      const event = anOutboxEvent(t);
      await inRolledBackTransaction(storage(), async (tx) => {
        await tx.outbox.enqueue(event);
        await tx.outbox.claimBatch(t, 10, later(t, LEASE_MS));
        await tx.outbox.markFailed(event.id, {
          attempts: 8,
          lastError: 'gave up',
          availableAt: later(t, 60_000),
          dead: true,
        });

        expect(await tx.outbox.findById(event.id)).toMatchObject({
          status: 'dead',
          attempts: 8,
          lastError: 'gave up',
        });
        expect(await claimIds(tx, [event], later(t, 3_600_000), 10)).toEqual([]);
      });
    });

    it('20 concurrent claimers (limits 1 to 5) over 10 events claim each event exactly once', async () => {
      const t = outboxEpoch();
      const events = Array.from({ length: 10 }, (_, i) => anOutboxEvent(later(t, i * 1_000)));
      const ids = events.map((event) => event.id);
      const now = later(t, 60_000);
      await enqueueAll(storage(), events);
      try {
        const batches = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            storage().outbox.claimBatch(now, (i % 5) + 1, later(now, LEASE_MS)),
          ),
        );

        const claimed = batches.flat().map((event) => event.id);
        expect(claimed).toHaveLength(new Set(claimed).size);
        expect(claimed.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
      } finally {
        await storage().outbox.markDelivered(ids, now);
      }
    });
  });
}
