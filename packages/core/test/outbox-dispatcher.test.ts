import { describe, expect, it, vi } from 'vitest';
import { silentEventLogger } from '../src/logging/index.js';
import { memoryStorage } from '../src/memory/index.js';
import { createOutboxDispatcher, type OutboxEvent } from '../src/outbox/index.js';
import { systemClock } from '../src/ports/clock.js';
import type { Storage } from '../src/ports/storage.js';
import { anOutboxEvent } from '../src/testing/storage-fixtures.js';

/** The in-memory storage, with its outbox calls counted (the calls go through unchanged). */
function countedStorage() {
  const storage = memoryStorage();
  const calls = { claimBatch: 0, markDelivered: [] as string[][] };
  const outbox = storage.outbox;
  const counted = Object.create(storage) as Storage;
  Object.defineProperty(counted, 'outbox', {
    value: {
      ...outbox,
      enqueue: (event: OutboxEvent) => outbox.enqueue(event),
      findById: (id: string) => outbox.findById(id),
      markFailed: outbox.markFailed.bind(outbox),
      claimBatch: (...args: Parameters<Storage['outbox']['claimBatch']>) => {
        calls.claimBatch++;
        return outbox.claimBatch(...args);
      },
      markDelivered: (ids: readonly string[], at: Date) => {
        calls.markDelivered.push([...ids]);
        return outbox.markDelivered(ids, at);
      },
    },
  });
  return { storage: counted, calls };
}

function dispatcherOver(storage: Storage, handle: (event: OutboxEvent) => Promise<void> | void) {
  return createOutboxDispatcher(
    { storage, clock: systemClock, logger: silentEventLogger, subscribers: [{ name: 'test', handle }] },
    { pollIntervalMs: 60_000, maxAttempts: 5 }, // a poll longer than any test: only nudges deliver in time
  );
}

const dueEvent = () => anOutboxEvent(new Date(Date.now() - 1_000));

async function statusOf(storage: Storage, event: OutboxEvent) {
  return (await storage.outbox.findById(event.id))?.status;
}

describe('outbox dispatcher', () => {
  it("marks a pass's delivered events together, in one store call", async () => {
    const { storage, calls } = countedStorage();
    const events = [dueEvent(), dueEvent(), dueEvent()];
    for (const event of events) await storage.outbox.enqueue(event);
    const seen: string[] = [];
    const dispatcher = dispatcherOver(storage, (event) => void seen.push(event.id));

    expect(await dispatcher.dispatchOnce()).toBe(3);

    expect(seen).toEqual(events.map((e) => e.id));
    expect(calls.markDelivered).toEqual([events.map((e) => e.id)]);
    for (const event of events) expect(await statusOf(storage, event)).toBe('delivered');
  });

  it('marks the delivered events of a pass and puts a failed one back for a retry', async () => {
    const { storage, calls } = countedStorage();
    const [ok, failing, alsoOk] = [dueEvent(), dueEvent(), dueEvent()] as [
      OutboxEvent,
      OutboxEvent,
      OutboxEvent,
    ];
    for (const event of [ok, failing, alsoOk]) await storage.outbox.enqueue(event);
    const dispatcher = dispatcherOver(storage, (event) => {
      if (event.id === failing.id) throw new Error('subscriber down');
    });

    await dispatcher.dispatchOnce();

    expect(calls.markDelivered).toEqual([[ok.id, alsoOk.id]]);
    expect(await storage.outbox.findById(failing.id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'test: subscriber down',
    });
  });

  it('claims nothing more and marks nothing when no event is due', async () => {
    const { storage, calls } = countedStorage();
    const dispatcher = dispatcherOver(storage, () => {});
    expect(await dispatcher.dispatchOnce()).toBe(0);
    expect(calls).toEqual({ claimBatch: 1, markDelivered: [] });
  });

  describe('nudges', () => {
    const started = async (
      { storage, calls }: ReturnType<typeof countedStorage>,
      handle: (event: OutboxEvent) => Promise<void> | void,
    ) => {
      const dispatcher = dispatcherOver(storage, handle);
      dispatcher.start();
      // the first poll runs at once; let it finish so the claims that follow are the nudges'
      await vi.waitFor(() => expect(calls.claimBatch).toBeGreaterThan(0));
      await dispatcher.dispatchOnce();
      return dispatcher;
    };

    it('share one pass when they come in a burst (commits close together)', async () => {
      const counted = countedStorage();
      const { storage, calls } = counted;
      const delivered: string[] = [];
      const d = await started(counted, (event) => void delivered.push(event.id));
      const claimsBefore = calls.claimBatch;
      const events = Array.from({ length: 5 }, dueEvent);
      try {
        for (const event of events) {
          await storage.outbox.enqueue(event);
          d.nudge();
        }
        await vi.waitFor(() => expect(delivered).toHaveLength(5), { timeout: 2_000 });
        expect(calls.claimBatch - claimsBefore).toBe(1);
        expect(calls.markDelivered.at(-1)).toEqual(events.map((e) => e.id));
      } finally {
        await d.stop();
      }
    });

    it('during a pass run one more pass after it: an event committed meanwhile is not left for the poll', async () => {
      const counted = countedStorage();
      const { storage } = counted;
      const first = dueEvent();
      const second = dueEvent();
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const delivered: string[] = [];
      const d = await started(counted, async (event) => {
        if (event.id === first.id) await gate;
        delivered.push(event.id);
      });
      try {
        await storage.outbox.enqueue(first);
        d.nudge();
        await vi.waitFor(() => expect(statusOf(storage, first)).resolves.toBe('processing'), {
          timeout: 2_000,
        });

        await storage.outbox.enqueue(second); // claimed after the pass's claim: this pass cannot see it
        d.nudge();
        release();

        // the poll is a minute away: only the follow-up pass delivers it this soon
        await vi.waitFor(() => expect(delivered).toEqual([first.id, second.id]), { timeout: 2_000 });
        expect(await statusOf(storage, second)).toBe('delivered');
      } finally {
        await d.stop();
      }
    });

    it('do nothing once the dispatcher is stopped', async () => {
      const counted = countedStorage();
      const { storage, calls } = counted;
      const d = await started(counted, () => {});
      await d.stop();
      const claimsBefore = calls.claimBatch;
      await storage.outbox.enqueue(dueEvent());
      d.nudge();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(calls.claimBatch).toBe(claimsBefore);
    });
  });
});

describe('outbox dispatcher on failing storage (issue 14: an error logged every second)', () => {
  it('backs off exponentially while storage keeps failing, and polls at its interval again once it answers', async () => {
    const storage = memoryStorage();
    let broken = true;
    let claims = 0;
    const errors: string[] = [];
    const failing = Object.create(storage) as Storage;
    Object.defineProperty(failing, 'outbox', {
      value: {
        ...storage.outbox,
        claimBatch: (...args: Parameters<Storage['outbox']['claimBatch']>) => {
          claims++;
          if (broken) return Promise.reject(new Error('relation "auth_outbox" does not exist'));
          return storage.outbox.claimBatch(...args);
        },
      },
    });
    const dispatcher = createOutboxDispatcher(
      {
        storage: failing,
        clock: systemClock,
        logger: { ...silentEventLogger, error: (event) => void errors.push(event) },
        subscribers: [],
      },
      { pollIntervalMs: 20, maxAttempts: 5 },
    );
    dispatcher.start();
    await new Promise((r) => setTimeout(r, 1_000));
    // at a steady 20 ms that would be ~50 polls; doubling from 20 ms, about 6
    expect(claims).toBeGreaterThanOrEqual(3);
    expect(claims).toBeLessThanOrEqual(8);
    expect(errors.length).toBe(claims);
    broken = false;
    const before = claims;
    await expect.poll(() => claims, { timeout: 5_000, interval: 20 }).toBeGreaterThan(before + 5);
    await dispatcher.stop();
  });
});
