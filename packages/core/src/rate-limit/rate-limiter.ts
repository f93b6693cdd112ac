import { createHmac, hkdfSync } from 'node:crypto';
import { addressBucket, canonicalAddress } from '../client-address.js';
import { AuthError } from '../errors.js';
import type { EventLogger } from '../logging/event-logger.js';
import type { Clock } from '../ports/clock.js';
import type { KeyValue, RateLimitStep, RateLimitStepResult } from '../ports/key-value.js';
import type { RateLimitNumbers } from './rate-limit-overrides.js';
import {
  type DefaultPolicyName,
  defaultPolicies,
  type RateLimitOperation,
  type RateLimitPolicy,
  type RateLimitRule,
  type ResolvedRateLimitPolicy,
  resolvePolicy,
} from './rate-limit-policy.js';

/**
 * What the limiter knows of one request, beyond the operation's subject: each policy counts by
 * the parts its key names, and skips a request that lacks one.
 */
export interface RateLimitFacts {
  ip?: string | null;
  user?: string | null;
  tenant?: string | null;
  apiKey?: string | null;
  client?: string | null;
  route?: string | null;
  /**
   * The account identifier typed at sign-in, as the lockout keys it (the normalized email with
   * its pool, and the device when the browser is a known one); only its keyed hash is kept.
   */
  identifier?: string | null;
}

/** One policy's verdict on one request: what the `RateLimit` headers report. */
export interface PolicyOutcome {
  policy: string;
  limit: number;
  periodSeconds: number;
  allowed: boolean;
  /** Requests of cost 1 still allowed right now. */
  remaining: number;
  /** Seconds until the whole burst is available again. */
  resetSeconds: number;
  /** When denied, seconds until the request would be allowed; else 0. */
  retryAfterSeconds: number;
  /** A shadow policy's verdict is reported in the log only. */
  shadow: boolean;
  /** The partition, as a truncated keyed hash (base64): never the raw id or address. */
  partitionKey: string;
}

/** What a limited operation learned, for the HTTP layer's `RateLimit-Policy` and `RateLimit` headers. */
export interface RateLimitState {
  operation: RateLimitOperation;
  policies: PolicyOutcome[];
}

/**
 * The app's own override of a policy's numbers (`rateLimit.override`), asked before the stored
 * overrides: null passes on to them. A `burst` left out is the returned `limit`. Called for each
 * counted request, so it must be fast.
 */
export type RateLimitOverride = (
  policy: ResolvedRateLimitPolicy,
  facts: RateLimitFacts,
) => Promise<Pick<RateLimitPolicy, 'limit' | 'periodSeconds' | 'burst'> | null>;

/**
 * The numbers the operator set for a policy in a tenant (stored overrides, cached): the key's
 * when `apiKeyId` has one, else the tenant's, else null. Asked on each counted request that
 * names a tenant, so it answers from memory when it can; it never throws.
 */
export type StoredOverrideLookup = (
  policy: string,
  tenantId: string,
  apiKeyId: string | null,
) => RateLimitNumbers | null | Promise<RateLimitNumbers | null>;

/** What the limiter receives (see `rateLimitOptionsSchema`). */
export interface RateLimiterOptions {
  enabled: boolean;
  rules: Partial<Record<DefaultPolicyName, RateLimitRule>>;
  policies: readonly RateLimitPolicy[];
  override?: RateLimitOverride | undefined;
}

/** How one `consume` call picks its policies. */
export interface ConsumeOptions {
  /**
   * These named policies instead of every policy of the operation (an API key's own
   * `rateLimitPolicies`): a name that is not configured, or whose policy does not cover the
   * operation, counts nothing. `[]` counts nothing at all.
   */
  policies?: readonly string[] | null;
  /**
   * Narrows the policies to count (the HTTP handler counts `http` in two stages, before and
   * after it knows the caller: see `namesCaller`), so that no policy counts one request twice.
   */
  only?: (policy: ResolvedRateLimitPolicy) => boolean;
}

export interface RateLimiter {
  /**
   * Counts one request of `operation` against every policy that applies to it (or the named
   * ones, see {@link ConsumeOptions}); all must pass.
   * `subject` is what the operation counts by by default (`ip:<address>`, `email:<address>`,
   * `user:<id>`, `client:<id>`…; its prefix also fills the matching fact); `facts` adds what
   * other policies may count by. Throws `rate_limited` with `retryAfterSeconds` and the
   * violated policies when one is over its limit; null when nothing counted it.
   */
  consume(
    operation: RateLimitOperation,
    subject: string | null,
    facts?: RateLimitFacts,
    options?: ConsumeOptions,
  ): Promise<RateLimitState | null>;
  /** The policies in force, defaults filled in. */
  readonly policies: readonly ResolvedRateLimitPolicy[];
}

/** A partition's keyed hash (HMAC-SHA-256): 18 bytes name its schedule, 9 go to clients as `pk`. */
interface PartitionDigest {
  storageId: string;
  partitionKey: string;
}

/** Denials remembered in process, so an attack does not cost a store round trip per request. */
const MAX_REMEMBERED_DENIALS = 10_000;
/** Partitions whose keyed hash is kept (about 200 bytes each). */
const MAX_REMEMBERED_PARTITIONS = 50_000;
const STORE_WARNING_INTERVAL_MS = 10_000;
const STORE_RETRY_AFTER_MS = 1_000;

const SUBJECT_FACTS: Record<string, keyof RateLimitFacts> = {
  ip: 'ip',
  user: 'user',
  tenant: 'tenant',
  apiKey: 'apiKey',
  client: 'client',
  email: 'identifier',
};

/**
 * One limiter for every entry point: policies as data, each a GCRA schedule per key in the
 * key-value store ({@link KeyValue.rateLimit}: one atomic step per policy and request, on
 * Redis one Lua script using the server's clock). A store without that step gets fixed windows
 * over `increment` instead (up to twice the limit across a window boundary; documented).
 *
 * `kv` is the shared store, bounded; when it fails each policy does as its `onStoreFailure`
 * says, `local` counting in `local` (this process's memory) until the store answers again.
 *
 * A policy's numbers are, the first that answers: the app's `override` hook, the stored
 * overrides (`overrides`) of the request's API key, then of its tenant, then the policy's own.
 */
export function createRateLimiter(
  deps: {
    kv: KeyValue;
    local?: KeyValue;
    clock: Clock;
    logger: EventLogger;
    secret: string;
    overrides?: StoredOverrideLookup;
  },
  options: RateLimiterOptions,
): RateLimiter {
  const { kv, local, clock, logger } = deps;
  const byName = new Map<string, RateLimitPolicy>();
  for (const policy of [...defaultPolicies(options.rules), ...options.policies])
    byName.set(policy.name, policy);
  const policies = [...byName.values()].map(resolvePolicy);
  const byOperation = new Map<RateLimitOperation, ResolvedRateLimitPolicy[]>();
  for (const policy of policies)
    for (const operation of policy.operations)
      byOperation.set(operation, [...(byOperation.get(operation) ?? []), policy]);
  /** The policies of `operation` among `names`, each once. */
  const named = (operation: RateLimitOperation, names: readonly string[]) =>
    (byOperation.get(operation) ?? []).filter((policy) => names.includes(policy.name));

  const partitionSecret = Buffer.from(
    hkdfSync('sha256', deps.secret, Buffer.alloc(0), 'portcullis:rate-limit-partition', 32),
  );
  // a partition's keyed hash, kept for the partitions seen last: the HMAC is most of a decision's
  // cost in memory, and traffic comes back to the same clients, keys and tenants
  const digests = new Map<string, PartitionDigest>();
  function partitionDigest(partition: string): PartitionDigest {
    let digest = digests.get(partition);
    if (digest === undefined) {
      const hash = createHmac('sha256', partitionSecret).update(partition, 'utf8').digest();
      digest = {
        storageId: hash.subarray(0, 18).toString('base64url'),
        partitionKey: hash.subarray(0, 9).toString('base64'),
      };
      // the oldest first out: a map iterates in insertion order
      if (digests.size >= MAX_REMEMBERED_PARTITIONS) digests.delete(digests.keys().next().value!);
      digests.set(partition, digest);
    }
    return digest;
  }
  // key → until when a request of at least `cost` is denied (a cheaper one may still fit)
  const denials = new Map<string, { untilMs: number; cost: number }>();
  let lastWarningMs = 0;
  let storeDownUntilMs = 0;

  function warnStoreFailure(error: unknown) {
    const nowMs = Date.now();
    if (nowMs - lastWarningMs < STORE_WARNING_INTERVAL_MS) return;
    lastWarningMs = nowMs;
    logger.warn('portcullis.rate_limit.store_unavailable', {
      error: String((error as { cause?: unknown }).cause ?? error),
    });
  }

  async function step(
    policy: ResolvedRateLimitPolicy,
    key: string,
    params: RateLimitStep,
    periodMs: number,
    limit: number,
  ): Promise<RateLimitStepResult | null> {
    const failed = (error: unknown) => {
      if (policy.onStoreFailure === 'allow') return null;
      if (policy.onStoreFailure === 'deny') throw new AuthError('storage_unavailable', { cause: error });
      return stepOn(local!, key, params, periodMs, limit, clock);
    };
    // a store that just failed is given a second before it is asked again, so an outage that
    // hangs rather than refuses does not cost every request the timeout
    if (local && local !== kv && Date.now() < storeDownUntilMs) return failed(new Error('store down'));
    try {
      return await stepOn(kv, key, params, periodMs, limit, clock);
    } catch (error) {
      if (!local || local === kv) throw error;
      storeDownUntilMs = Date.now() + STORE_RETRY_AFTER_MS;
      warnStoreFailure(error);
      return failed(error);
    }
  }

  async function evaluate(
    policy: ResolvedRateLimitPolicy,
    operation: RateLimitOperation,
    facts: RateLimitFacts & { subject?: string | null },
  ): Promise<PolicyOutcome | null> {
    const values: string[] = [];
    for (const part of policy.key) {
      const value = part === 'ip' ? ipBucket(facts.ip) : facts[part];
      if (!value) return null;
      values.push(`${part}=${value}`);
    }
    const cost = policy.cost?.[facts.route ?? ''] ?? policy.cost?.[operation] ?? 1;
    if (cost <= 0) return null;
    const digest = partitionDigest(`${policy.name}\n${values.join('\n')}`);
    const overridden = await overriddenNumbers(policy, facts);
    const numbers = overridden ?? policy;
    // an override without a burst gets its own limit, not the policy's burst
    const burst = overridden ? (overridden.burst ?? overridden.limit) : policy.burst;
    const periodMs = numbers.periodSeconds * 1000;
    // rounded up: never more than `limit` per period
    const emissionIntervalMs = Math.max(1, Math.ceil(periodMs / numbers.limit));
    // one schedule per policy and partition, whatever numbers a request is counted by (a key's
    // override must not give it a budget beside its tenant's); the step caps the stored debt at
    // a burst under the request's numbers, so a raised override drains at the new rate at once
    const key = `rl:${policy.name}:${digest.storageId}`;
    // a denial remembered in process holds for these numbers only: new ones ask the store
    const denialKey = `${key}|${emissionIntervalMs}.${burst}`;
    const outcome = (result: RateLimitStepResult): PolicyOutcome => ({
      policy: policy.name,
      limit: numbers.limit,
      periodSeconds: numbers.periodSeconds,
      allowed: result.allowed,
      remaining: result.remaining,
      resetSeconds: Math.ceil(result.resetMs / 1000),
      retryAfterSeconds: result.allowed ? 0 : Math.max(1, Math.ceil(result.retryAfterMs / 1000)),
      shadow: policy.shadow,
      partitionKey: digest.partitionKey,
    });

    const nowMs = clock.now().getTime();
    const denied = denials.get(denialKey);
    if (denied && denied.untilMs <= nowMs) denials.delete(denialKey);
    else if (denied && cost >= denied.cost) {
      const waitMs = denied.untilMs - nowMs;
      return outcome({ allowed: false, remaining: 0, resetMs: waitMs, retryAfterMs: waitMs });
    }
    const result = await step(policy, key, { emissionIntervalMs, burst, cost }, periodMs, numbers.limit);
    if (!result) return null;
    if (!result.allowed && !policy.shadow && cost <= burst)
      remember(denialKey, nowMs + result.retryAfterMs, cost);
    return outcome(result);
  }

  async function overriddenNumbers(
    policy: ResolvedRateLimitPolicy,
    facts: RateLimitFacts,
  ): Promise<Pick<RateLimitPolicy, 'limit' | 'periodSeconds' | 'burst'> | null> {
    const fromApp = options.override ? await options.override(policy, facts) : null;
    if (fromApp) return fromApp;
    // a request with no tenant has no stored override: no lookup at all
    if (!facts.tenant || !deps.overrides) return null;
    return deps.overrides(policy.name, facts.tenant, facts.apiKey ?? null);
  }

  function remember(key: string, untilMs: number, cost: number) {
    denials.delete(key);
    denials.set(key, { untilMs, cost });
    // the oldest first out: a map iterates in insertion order
    if (denials.size > MAX_REMEMBERED_DENIALS) denials.delete(denials.keys().next().value!);
  }

  return {
    policies,
    async consume(operation, subject, facts = {}, consumeOptions = {}) {
      if (!options.enabled) return null;
      const names = consumeOptions.policies;
      const candidates = names ? named(operation, names) : byOperation.get(operation);
      const only = consumeOptions.only;
      const applicable = only ? candidates?.filter(only) : candidates;
      if (!applicable || applicable.length === 0) return null;
      const fromSubject = factsOf(subject);
      // every spelling of one address, and every address of one IPv6 /64, is one subject
      const all: RateLimitFacts & { subject?: string | null } = {
        ...fromSubject,
        subject: fromSubject.ip ? `ip:${ipBucket(fromSubject.ip)}` : subject,
      };
      for (const [name, value] of Object.entries(facts)) if (value) all[name as keyof RateLimitFacts] = value;
      const outcomes = (
        await Promise.all(applicable.map((policy) => evaluate(policy, operation, all)))
      ).filter((outcome): outcome is PolicyOutcome => outcome !== null);
      if (outcomes.length === 0) return null;
      const state: RateLimitState = { operation, policies: outcomes };
      for (const shadowed of outcomes.filter((o) => o.shadow && !o.allowed)) {
        logger.warn('portcullis.rate_limit.shadow_exceeded', {
          policy: shadowed.policy,
          operation,
          partitionKey: shadowed.partitionKey,
        });
      }
      const violated = outcomes.filter((o) => !o.shadow && !o.allowed);
      if (violated.length > 0) {
        throw Object.assign(
          new AuthError('rate_limited', {
            retryAfterSeconds: Math.max(...violated.map((o) => o.retryAfterSeconds)),
            violatedPolicies: violated.map((o) => o.policy),
          }),
          { rateLimit: state },
        );
      }
      return state;
    },
  };
}

/** One step on `store`: GCRA when it has it, else a fixed window over `increment`. */
async function stepOn(
  store: KeyValue,
  key: string,
  params: RateLimitStep,
  periodMs: number,
  limit: number,
  clock: Clock,
): Promise<RateLimitStepResult> {
  if (store.rateLimit) return store.rateLimit(key, params);
  const nowMs = clock.now().getTime();
  const window = Math.floor(nowMs / periodMs);
  const count = await store.increment(`${key}:${window}`, {
    by: params.cost,
    ttlSeconds: Math.ceil(periodMs / 1000) + 1,
  });
  const resetMs = (window + 1) * periodMs - nowMs;
  const allowed = count <= limit;
  return { allowed, remaining: Math.max(0, limit - count), resetMs, retryAfterMs: allowed ? 0 : resetMs };
}

/** The fact a subject's prefix names (`ip:192.0.2.1` is the client address). */
function factsOf(subject: string | null): RateLimitFacts {
  if (!subject) return {};
  const colon = subject.indexOf(':');
  const fact = colon > 0 ? SUBJECT_FACTS[subject.slice(0, colon)] : undefined;
  return fact ? { [fact]: subject.slice(colon + 1) } : {};
}

/** The bucket of a client address: canonical, an IPv6 address by its /64. */
function ipBucket(ip: string | null | undefined): string | null {
  if (!ip) return null;
  return addressBucket(canonicalAddress(ip) ?? ip);
}
