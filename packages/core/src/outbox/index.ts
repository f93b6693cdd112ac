export type { OutboxMail } from './mail-subscriber.js';
export { createMailSubscriber } from './mail-subscriber.js';
export type { OutboxEvent, OutboxStatus } from './outbox.js';
export {
  backoffMs,
  createOutboxDispatcher,
  matchesEventType,
  type OutboxDispatcher,
  type OutboxSubscriber,
} from './outbox-dispatcher.js';
export {
  type OutboxOptions,
  outboxOptionsSchema,
  type ResolvedOutboxOptions,
} from './outbox-options.js';
export type { OutboxFailure, OutboxStore } from './outbox-store.js';
