import type { EventLogger } from '../logging/event-logger.js';

/**
 * Mail requests answered before they are carried out. `POST /password/forgot` and
 * `POST /magic-link` must take the same time whether the address has an account or not; the
 * lookup and the transaction that stores a token with its audit and outbox rows are what would
 * tell them apart, so they run after the answer (docs/credentials.md, "Password reset").
 */
export interface AcceptedMailRequests {
  /**
   * Runs `work` once the current request has been answered (on the next turn of the event
   * loop). A failure is logged, never thrown at the requester, who was told nothing anyway.
   */
  accept(work: () => Promise<void>): void;
  /**
   * Resolves once every request accepted so far has been carried out: the outbox dispatcher
   * waits for it before it claims events, and `auth.close()` before it stops.
   */
  settled(): Promise<void>;
}

export function createAcceptedMailRequests(logger: EventLogger): AcceptedMailRequests {
  const inFlight = new Set<Promise<void>>();
  return {
    accept(work) {
      const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
        .then(work)
        .catch((error: unknown) => {
          logger.error('portcullis.mail.request_failed', {
            error: error instanceof Error ? error.message : String(error),
          });
        })
        .finally(() => inFlight.delete(done));
      inFlight.add(done);
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}
