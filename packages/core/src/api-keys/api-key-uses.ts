import type { EventLogger } from '../logging/event-logger.js';
import type { Storage } from '../ports/storage.js';

/**
 * Last uses of API keys, coalesced in memory: a verification only notes the time (no write), and
 * every `flushIntervalMs` the latest use of each key used since is written in one batch
 * (`apiKeys.recordUses`). So a key's `lastUsedAt` lags by at most about that interval (a minute
 * by default), plus the uses of an instance that stopped without `close()`.
 */
export interface ApiKeyUses {
  /** Notes a use; never waits, never writes. */
  record(id: string, at: Date): void;
  /** The latest use noted here and not yet written, if any (to show alongside the stored one). */
  pending(id: string): Date | undefined;
  /** Writes what is pending now. A failed write keeps it for the next flush. */
  flush(): Promise<void>;
  start(): void;
  /** Stops the timer and writes what is pending. */
  stop(): Promise<void>;
}

/** Keys written per call to the store. */
const BATCH_SIZE = 500;
/** Most keys held between flushes: beyond that, a flush starts early. */
const MAX_PENDING = 50_000;

export function createApiKeyUses(
  deps: { storage: Storage; logger: EventLogger },
  options: { flushIntervalMs: number },
): ApiKeyUses {
  let waiting = new Map<string, Date>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;

  async function write(batch: Map<string, Date>): Promise<void> {
    const uses = [...batch].map(([id, at]) => ({ id, at }));
    for (let i = 0; i < uses.length; i += BATCH_SIZE) {
      const chunk = uses.slice(i, i + BATCH_SIZE);
      try {
        await deps.storage.apiKeys.recordUses(chunk);
      } catch (error) {
        deps.logger.warn('portcullis.api_key.last_uses_not_written', {
          error: String(error),
        });
        for (const { id, at } of uses.slice(i)) note(id, at);
        return;
      }
    }
  }

  function note(id: string, at: Date): void {
    const known = waiting.get(id);
    if (!known || known.getTime() < at.getTime()) waiting.set(id, at);
  }

  const uses: ApiKeyUses = {
    record(id, at) {
      note(id, at);
      if (waiting.size >= MAX_PENDING && !flushing) void uses.flush();
    },
    pending: (id) => waiting.get(id),
    flush() {
      if (flushing) return flushing;
      if (waiting.size === 0) return Promise.resolve();
      const batch = waiting;
      waiting = new Map();
      flushing = write(batch).finally(() => {
        flushing = undefined;
      });
      return flushing;
    },
    start() {
      if (timer) return;
      timer = setInterval(() => void uses.flush(), options.flushIntervalMs);
      timer.unref?.();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await flushing;
      await uses.flush();
    },
  };
  return uses;
}
