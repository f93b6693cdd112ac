import type { OutboxEvent } from './outbox.js';

export interface OutboxFailure {
  attempts: number;
  lastError: string;
  /** When to try again; ignored when `dead`. */
  availableAt: Date;
  /** Give up: the event is dead-lettered. */
  dead: boolean;
}

/** The outbox slice of the storage port. */
export interface OutboxStore {
  /** Inserts a pending event. Call on a transaction's stores, with the change it describes. */
  enqueue(event: OutboxEvent): Promise<void>;
  /**
   * Claims up to `limit` events that are `pending` with `availableAt <= now`, or `processing`
   * with `lockedUntil <= now` (a crashed claimer), oldest first: sets them `processing` with
   * `lockedUntil` and returns them. Of concurrent claimers each event goes to exactly one
   * (`FOR UPDATE SKIP LOCKED` where the database has it).
   */
  claimBatch(now: Date, limit: number, lockedUntil: Date): Promise<OutboxEvent[]>;
  /**
   * Marks claimed events delivered, in one statement where the batch allows (the dispatcher
   * marks a pass's events together). An empty list does nothing.
   */
  markDelivered(ids: readonly string[], deliveredAt: Date): Promise<void>;
  /** Records a failed attempt: back to `pending` at `availableAt`, or `dead`. */
  markFailed(id: string, failure: OutboxFailure): Promise<void>;
  findById(id: string): Promise<OutboxEvent | null>;
  /**
   * When the oldest event not yet delivered (`pending` or `processing`; not `dead`) was written,
   * or null when there is none: the outbox lag the readiness probe checks. One indexed read.
   */
  oldestUndeliveredAt(): Promise<Date | null>;
}
