import type { EventLogger } from '../logging/event-logger.js';
import type { Clock } from '../ports/clock.js';
import { type KeptSubscription, keepSubscribed, type SubscriptionState } from '../ports/keep-subscribed.js';
import type { KeyValue } from '../ports/key-value.js';
import type {
  ChangedRateLimitOverrides,
  RateLimitNumbers,
  StoredRateLimitOverride,
} from './rate-limit-overrides.js';

/**
 * Each tenant's rate-limit overrides, read once and kept in process for `ttlMs` (at most 30 s):
 * the limiter asks it on every counted request that names a tenant, and a hit is a map lookup.
 * Concurrent misses for one tenant share one read. A change, once committed, drops the tenant's
 * entry at once on this instance and is published on the key-value store's channel, which every
 * instance subscribes to, so the others read the new numbers within the message's delivery (well
 * under a second on Redis); a lost message ages out with the entry. A read that began before a
 * change cannot put its stale rows back.
 */
export interface RateLimitOverrideCache {
  /**
   * The numbers for `policy` in the tenant: the key's override when `apiKeyId` has one, else the
   * tenant-wide one, else null. Never throws: when the store fails (or does not answer within a
   * second) it logs a warning (at most every 10 s) and answers null, the policy's own numbers.
   */
  numbers(
    policy: string,
    tenantId: string,
    apiKeyId: string | null,
  ): RateLimitNumbers | null | Promise<RateLimitNumbers | null>;
  /** The tenant's overrides as this instance applies them (a miss reads the store; its failure throws). */
  list(tenantId: string): Promise<StoredRateLimitOverride[]>;
  /** After a change commits: drops the tenants' entries here and tells the other instances. */
  changed(scope: ChangedRateLimitOverrides): Promise<void>;
  subscriptionState(): SubscriptionState;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const CHANNEL = 'portcullis:rate-limit-overrides:changed';
/** Most tenants kept; the oldest go first. */
const MAX_TENANTS = 10_000;
/** How long a request waits for a read before it goes on with the policy's numbers. */
const READ_WAIT_MS = 1_000;
/** After a failed read, how long requests use the policy's numbers without asking again. */
const RETRY_AFTER_FAILURE_MS = 1_000;
const WARNING_INTERVAL_MS = 10_000;

interface Entry {
  rows: StoredRateLimitOverride[];
  /** `policy \n apiKeyId` (`''` tenant-wide) → numbers */
  numbers: Map<string, RateLimitNumbers>;
  loadedAtMs: number;
}

interface Load {
  promise: Promise<Entry>;
  /** A change committed while it read: its rows may predate it and are not kept. */
  stale: boolean;
}

export function createRateLimitOverrideCache(
  kv: KeyValue,
  deps: {
    clock: Clock;
    logger: EventLogger;
    /** The tenant's rows from the database (the storage port's `rateLimitOverrides.listByTenant`). */
    listByTenant: (tenantId: string) => Promise<StoredRateLimitOverride[]>;
  },
  options: { ttlMs: number },
): RateLimitOverrideCache {
  const entries = new Map<string, Entry>();
  const loads = new Map<string, Load>();
  let subscription: KeptSubscription | undefined;
  let failedUntilMs = 0;
  let lastWarningMs = 0;
  const now = () => deps.clock.now().getTime();

  function fresh(tenantId: string): Entry | undefined {
    const entry = entries.get(tenantId);
    if (entry && now() - entry.loadedAtMs < options.ttlMs) return entry;
    if (entry) entries.delete(tenantId);
    return undefined;
  }

  function load(tenantId: string): Promise<Entry> {
    const running = loads.get(tenantId);
    if (running) return running.promise;
    const started: Load = { stale: false, promise: undefined as unknown as Promise<Entry> };
    started.promise = deps.listByTenant(tenantId).then(
      (rows) => {
        const entry = toEntry(rows, now());
        if (loads.get(tenantId) === started) loads.delete(tenantId);
        if (!started.stale) keep(tenantId, entry);
        return entry;
      },
      (error: unknown) => {
        if (loads.get(tenantId) === started) loads.delete(tenantId);
        throw error;
      },
    );
    loads.set(tenantId, started);
    return started.promise;
  }

  function keep(tenantId: string, entry: Entry): void {
    entries.delete(tenantId);
    if (entries.size >= MAX_TENANTS) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(tenantId, entry);
  }

  function drop(tenantIds: readonly string[]): void {
    for (const tenantId of tenantIds) {
      entries.delete(tenantId);
      const running = loads.get(tenantId);
      if (running) {
        running.stale = true;
        loads.delete(tenantId);
      }
    }
  }

  function warn(error: unknown): void {
    const nowMs = Date.now();
    failedUntilMs = nowMs + RETRY_AFTER_FAILURE_MS;
    if (nowMs - lastWarningMs < WARNING_INTERVAL_MS) return;
    lastWarningMs = nowMs;
    deps.logger.warn('portcullis.rate_limit_overrides.unavailable', {
      error: String((error as { cause?: unknown }).cause ?? error),
    });
  }

  async function waitForLoad(tenantId: string, policy: string, apiKeyId: string | null) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), READ_WAIT_MS);
      timer.unref?.();
    });
    try {
      const entry = await Promise.race([load(tenantId), timeout]);
      if (entry === 'timeout') {
        warn(new Error(`no answer within ${READ_WAIT_MS} ms`));
        return null;
      }
      return pick(entry, policy, apiKeyId);
    } catch (error) {
      warn(error);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  function onMessage(message: string): void {
    try {
      const scope = JSON.parse(message) as Partial<ChangedRateLimitOverrides>;
      drop(Array.isArray(scope.tenantIds) ? scope.tenantIds.filter((id) => typeof id === 'string') : []);
    } catch {
      deps.logger.warn('portcullis.rate_limit_overrides.invalidation_malformed');
    }
  }

  return {
    numbers(policy, tenantId, apiKeyId) {
      const entry = fresh(tenantId);
      if (entry) return pick(entry, policy, apiKeyId);
      // a store that just failed is left alone for a second: requests go on with the policy's numbers
      if (Date.now() < failedUntilMs && !loads.has(tenantId)) return null;
      return waitForLoad(tenantId, policy, apiKeyId);
    },
    async list(tenantId) {
      const entry = fresh(tenantId) ?? (await load(tenantId));
      return entry.rows.map((row) => ({ ...row }));
    },
    async changed(scope) {
      drop(scope.tenantIds);
      try {
        await kv.publish(CHANNEL, JSON.stringify(scope));
      } catch (error) {
        // the change is committed and applied here; elsewhere the entry ages out within the TTL
        deps.logger.error('portcullis.rate_limit_overrides.change_not_published', { error: String(error) });
      }
    },
    subscriptionState: () => subscription?.state() ?? 'retrying',
    async start() {
      subscription ??= keepSubscribed(kv, CHANNEL, onMessage, {
        logger: deps.logger,
        name: 'rate-limit override cache',
      });
      await subscription.firstAttempt;
    },
    async stop() {
      await subscription?.stop();
      subscription = undefined;
      entries.clear();
    },
  };
}

function toEntry(rows: StoredRateLimitOverride[], loadedAtMs: number): Entry {
  const numbers = new Map<string, RateLimitNumbers>();
  for (const row of rows) {
    numbers.set(`${row.policy}\n${row.apiKeyId ?? ''}`, {
      limit: row.limit,
      periodSeconds: row.periodSeconds,
      burst: row.burst ?? row.limit,
    });
  }
  return { rows, numbers, loadedAtMs };
}

/** The key's override, else the tenant-wide one. */
function pick(entry: Entry, policy: string, apiKeyId: string | null): RateLimitNumbers | null {
  if (entry.numbers.size === 0) return null;
  return (
    (apiKeyId ? entry.numbers.get(`${policy}\n${apiKeyId}`) : undefined) ??
    entry.numbers.get(`${policy}\n`) ??
    null
  );
}
