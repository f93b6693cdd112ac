import { isAuthError } from '../errors.js';
import type { EventLogger } from '../logging/event-logger.js';
import type { Clock } from '../ports/clock.js';
import type { Storage } from '../ports/storage.js';
import type { OutboxEvent } from './outbox.js';

/**
 * Receives outbox events. Delivery is at least once: a subscriber that throws makes the event
 * retry (with exponential backoff and jitter) for every subscriber it matches, so handlers
 * must be idempotent (use `event.id` as the idempotency key).
 *
 * @example
 * { name: 'crm-sync', events: ['user.created'], handle: async (e) => crm.upsert(e.payload) }
 */
export interface OutboxSubscriber {
  name: string;
  /** Event types to receive (`user.created`, or a prefix with `*`: `session.*`). Default all. */
  events?: string[];
  handle(event: OutboxEvent): Promise<void> | void;
}

export interface OutboxDispatcher {
  /** Claims due events once and delivers them; returns how many were claimed. */
  dispatchOnce(): Promise<number>;
  /**
   * Polls every `pollIntervalMs` until `stop()`. While storage keeps failing (down, or not
   * migrated), each failure doubles the wait before the next poll, up to a minute.
   */
  start(): void;
  /**
   * Stops polling and waits up to `graceMs` (default 1 s) for the delivery pass under way. A pass
   * cut short leaves its events claimed; another instance reclaims them when the lease ends.
   */
  stop(graceMs?: number): Promise<void>;
  /**
   * Asks for a dispatch soon (after a commit), without waiting for the next poll. Nudges within
   * `NUDGE_DELAY_MS` share one pass, and a nudge during a pass runs one more pass after it, so an
   * event committed while a pass was claiming is not left for the next poll.
   */
  nudge(): void;
}

const BATCH_SIZE = 50;
/** How long a nudge waits for the commits around it, so a burst of them costs one pass. */
const NUDGE_DELAY_MS = 10;
/**
 * A pass marks its delivered events together, at its end, or sooner once this long has passed
 * since the last mark (slow subscribers must not hold delivered events near their lease's end,
 * where another instance would claim and deliver them again).
 */
const MARK_DELIVERED_EVERY_MS = 5_000;
/** A subscriber that takes longer has failed this attempt (and the event is retried). */
const DELIVERY_TIMEOUT_MS = 30_000;
const LEASE_MS = 60_000;
const BASE_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 3_600_000;
/** The longest wait between polls while storage keeps failing (the poll interval doubles up to it). */
const MAX_POLL_BACKOFF_MS = 60_000;

export function matchesEventType(patterns: string[] | undefined, type: string): boolean {
  if (!patterns) return true;
  return patterns.some(
    (p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))),
  );
}

/** Backoff before attempt `attempts + 1`: exponential with full jitter, capped. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.min(attempts, 30));
  return Math.max(BASE_BACKOFF_MS / 2, Math.floor(random() * ceiling));
}

export function createOutboxDispatcher(
  deps: {
    storage: Storage;
    clock: Clock;
    logger: EventLogger;
    subscribers: OutboxSubscriber[];
    /** Work answered before it was done (mail requests): each pass waits for it to be written first. */
    accepted?: { settled(): Promise<void> };
  },
  options: { pollIntervalMs: number; maxAttempts: number },
): OutboxDispatcher {
  let timer: NodeJS.Timeout | undefined;
  let nudgeTimer: NodeJS.Timeout | undefined;
  let nudgedWhileRunning = false;
  let running: Promise<number> | undefined;
  let stopped = true;
  // each start() gets a generation, so a tick of a stopped loop never schedules another
  let generation = 0;

  /** Hands the event to its subscribers; `true` when all took it (the caller marks it delivered). */
  async function deliver(event: OutboxEvent): Promise<boolean> {
    const failures: string[] = [];
    for (const subscriber of deps.subscribers) {
      if (!matchesEventType(subscriber.events, event.type)) continue;
      try {
        await withTimeout(
          Promise.resolve().then(() => subscriber.handle(event)),
          DELIVERY_TIMEOUT_MS,
        );
      } catch (error) {
        failures.push(`${subscriber.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (failures.length === 0) return true;
    const now = deps.clock.now();
    const attempts = event.attempts + 1;
    const dead = attempts >= options.maxAttempts;
    const lastError = failures.join('; ').slice(0, 2000);
    deps.logger[dead ? 'error' : 'warn']('portcullis.outbox.delivery_failed', {
      eventId: event.id,
      type: event.type,
      attempts,
      dead,
      error: lastError,
    });
    await deps.storage.outbox.markFailed(event.id, {
      attempts,
      lastError,
      dead,
      availableAt: new Date(now.getTime() + backoffMs(attempts)),
    });
    return false;
  }

  async function runOnce(): Promise<number> {
    const now = deps.clock.now();
    const events = await deps.storage.outbox.claimBatch(now, BATCH_SIZE, new Date(now.getTime() + LEASE_MS));
    let delivered: string[] = [];
    let markedAt = Date.now();
    const markDelivered = async () => {
      const ids = delivered;
      delivered = [];
      markedAt = Date.now();
      if (ids.length > 0) await deps.storage.outbox.markDelivered(ids, deps.clock.now());
    };
    try {
      for (const event of events) {
        if (await deliver(event)) delivered.push(event.id);
        if (Date.now() - markedAt >= MARK_DELIVERED_EVERY_MS) await markDelivered();
      }
    } catch (error) {
      // what was delivered before the failure is still marked, so it is not delivered again
      await markDelivered().catch(() => {});
      throw error;
    }
    await markDelivered();
    return events.length;
  }

  const dispatcher: OutboxDispatcher = {
    dispatchOnce() {
      // one pass at a time per instance; other instances are kept apart by claimBatch
      running ??= (deps.accepted?.settled() ?? Promise.resolve()).then(runOnce).finally(() => {
        running = undefined;
        if (nudgedWhileRunning) {
          nudgedWhileRunning = false;
          dispatcher.nudge();
        }
      });
      return running;
    },
    start() {
      if (!stopped) return;
      stopped = false;
      const mine = ++generation;
      const live = () => !stopped && generation === mine;
      // storage failures in a row: each doubles the wait before the next poll (capped), so a
      // database that is down or unmigrated costs a log line per back-off step, not one a second
      let failures = 0;
      const tick = async () => {
        try {
          while (live() && (await dispatcher.dispatchOnce()) === BATCH_SIZE) {}
          failures = 0;
        } catch (error) {
          failures += 1;
          deps.logger.error('portcullis.outbox.dispatch_failed', {
            ...(isAuthError(error, 'schema_not_migrated') && { detail: error.detail }),
            error: String(error),
            failures,
          });
        }
        if (live()) {
          const delay =
            failures === 0
              ? options.pollIntervalMs
              : Math.min(
                  Math.max(MAX_POLL_BACKOFF_MS, options.pollIntervalMs),
                  options.pollIntervalMs * 2 ** Math.min(failures, 20),
                );
          timer = setTimeout(tick, delay);
          timer.unref?.();
        }
      };
      timer = setTimeout(tick, 0);
      timer.unref?.();
    },
    async stop(graceMs = 1_000) {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (nudgeTimer) clearTimeout(nudgeTimer);
      nudgeTimer = undefined;
      nudgedWhileRunning = false;
      if (running) await withTimeout(running, graceMs).catch(() => {});
    },
    nudge() {
      if (stopped) return;
      if (running) {
        nudgedWhileRunning = true;
        return;
      }
      if (nudgeTimer) return;
      nudgeTimer = setTimeout(() => {
        nudgeTimer = undefined;
        dispatcher
          .dispatchOnce()
          .catch((error) => deps.logger.error('portcullis.outbox.dispatch_failed', { error: String(error) }));
      }, NUDGE_DELAY_MS);
      nudgeTimer.unref?.();
    },
  };
  return dispatcher;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
