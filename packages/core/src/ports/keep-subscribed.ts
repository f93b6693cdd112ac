import type { EventLogger } from '../logging/event-logger.js';
import type { KeyValue } from './key-value.js';

/** Where a kept subscription stands: confirmed by the store, or still being tried. */
export type SubscriptionState = 'subscribed' | 'retrying';

/** A subscription that is tried until the store confirms it. */
export interface KeptSubscription {
  state(): SubscriptionState;
  /** Settles after the first attempt, whether it succeeded or a retry is scheduled. */
  readonly firstAttempt: Promise<void>;
  /** Stops retrying and unsubscribes. */
  stop(): Promise<void>;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;
/** Failures in a row before a warning: the first ones are a client that is still connecting. */
const FAILURES_BEFORE_WARNING = 3;

/**
 * Subscribes `handler` to `channel` and keeps trying, with exponential backoff (250 ms doubling
 * to 30 s, jittered), until the store confirms the subscription. The caches use it for their
 * invalidation channels: without the subscription, changes made on other instances arrive only
 * when cached entries are re-checked, so a failed first attempt must not be the last one.
 *
 * `handler` is passed as is on every attempt: an attempt that timed out and still succeeded
 * later registers the same function, which a store keeps once.
 */
export function keepSubscribed(
  kv: KeyValue,
  channel: string,
  handler: (message: string) => void,
  deps: { logger: EventLogger; name: string },
): KeptSubscription {
  let unsubscribe: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failures = 0;

  async function attempt(): Promise<void> {
    timer = undefined;
    try {
      const done = await kv.subscribe(channel, handler);
      if (stopped) {
        await done().catch(() => {});
        return;
      }
      unsubscribe = done;
      if (failures >= FAILURES_BEFORE_WARNING)
        deps.logger.info('portcullis.invalidations.subscribed', { cache: deps.name, channel });
      failures = 0;
    } catch (error) {
      if (stopped) return;
      failures += 1;
      if (failures === FAILURES_BEFORE_WARNING) {
        deps.logger.warn('portcullis.invalidations.subscribe_failed', {
          cache: deps.name,
          channel,
          error: String(error),
        });
      }
      const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(failures - 1, 10));
      timer = setTimeout(attempt, Math.round(ceiling * (0.5 + Math.random() / 2)));
      timer.unref?.();
    }
  }

  const firstAttempt = attempt();
  return {
    state: () => (unsubscribe ? 'subscribed' : 'retrying'),
    firstAttempt,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const done = unsubscribe;
      unsubscribe = undefined;
      await done?.().catch(() => {});
    },
  };
}
