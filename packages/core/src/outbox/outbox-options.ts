import { z } from 'zod';
import { checkedAs } from '../checked-as.js';
import type { OutboxSubscriber } from './outbox-dispatcher.js';

const subscriberSchema = z.object({
  name: z.string().min(1),
  events: z.array(z.string()).optional(),
  handle: z.function(),
});

const outboxShape = {
  /** Receivers of outbox events, delivered at least once. */
  subscribers: z.array(checkedAs<OutboxSubscriber>(subscriberSchema)).default([]),
  /** Poll for due events this often. Default 1000 ms. */
  pollIntervalMs: z.number().int().min(10).default(1000),
  /** Attempts before an event is dead-lettered. Default 10. */
  maxAttempts: z.number().int().min(1).max(100).default(10),
  /**
   * `GET /health/ready` fails (`outbox: lagging`) when the oldest event not yet delivered was
   * written longer ago than this: subscribers are failing or no dispatcher runs. Default 300 s.
   */
  maxReadyLagSeconds: z.number().int().min(1).default(300),
  /** Start the in-process dispatcher with createAuth. Default true. */
  autoStart: z.boolean().default(true),
};

// typed by its shape so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['outbox']`: delivery of the events written with each change. */
export const outboxOptionsSchema: z.ZodObject<typeof outboxShape, z.core.$strict> =
  z.strictObject(outboxShape);

/** The `outbox` options an app writes. */
export type OutboxOptions = z.input<typeof outboxOptionsSchema>;
/** The outbox options after defaults: what the dispatcher receives. */
export type ResolvedOutboxOptions = z.output<typeof outboxOptionsSchema>;
