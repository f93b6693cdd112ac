import { describe, expect, it } from 'vitest';
import type { AuthConfig } from '../src/config/index.js';
import { resolveConfig } from '../src/config/index.js';
import { uuidv7 } from '../src/crypto/uuid.js';
import { isAuthError } from '../src/errors.js';
import { createInfrastructure } from '../src/infrastructure.js';
import { memoryKeyValue, memoryStorage } from '../src/memory/index.js';
import type { KeyValue } from '../src/ports/key-value.js';
import type { Logger } from '../src/ports/logger.js';
import { silentLogger } from '../src/ports/logger.js';
import type { Storage } from '../src/ports/storage.js';
import type { RateLimitFacts, RateLimitPolicy } from '../src/rate-limit/index.js';
import { createRateLimitOverrideService } from '../src/rate-limit/rate-limit-override-service.js';
import { anApiKey, aTenant } from '../src/testing/storage-fixtures.js';
import { fakeClock, SECRET, testAuth } from './support.js';

// Per-tenant and per-key numbers stored in the database (issue 17: "policies as data … per-tenant
// and per-key overrides in the database, cached"), read by the limiter through a cache that a
// change invalidates on every instance.

/** Counted per tenant, 2 a minute unless an override says otherwise. */
const perTenant: RateLimitPolicy = {
  name: 'api',
  operations: ['http'],
  key: 'tenant',
  limit: 2,
  periodSeconds: 60,
};

/**
 * One instance as `createAuth` wires it: the infrastructure (storage with its effects, the
 * override cache, the limiter) and the override operations over it.
 */
function instance(
  shared: { storage: Storage; keyValue?: KeyValue; clock?: ReturnType<typeof fakeClock> },
  overrides: Partial<AuthConfig> = {},
) {
  const options: AuthConfig = {
    storage: shared.storage,
    keyValue: shared.keyValue,
    clock: shared.clock,
    secret: SECRET,
    baseURL: 'http://localhost:3000',
    logger: silentLogger,
    outbox: { autoStart: false },
    rateLimit: { policies: [perTenant] },
    ...overrides,
  };
  const config = resolveConfig(options);
  const infrastructure = createInfrastructure(options, config);
  const { api } = createRateLimitOverrideService(
    {
      storage: infrastructure.storage,
      clock: infrastructure.clock,
      cache: infrastructure.rateLimitOverrideCache,
    },
    { policyNames: infrastructure.rateLimiter.policies.map((policy) => policy.name) },
  );
  const close = infrastructure.start();
  const { rateLimiter } = infrastructure;
  return {
    api,
    close,
    /** The numbers the `api` policy counted a request with these facts by. */
    async limitFor(facts: RateLimitFacts) {
      const state = await rateLimiter.consume('http', null, facts);
      const outcome = state?.policies.find((p) => p.policy === 'api');
      return outcome && { limit: outcome.limit, periodSeconds: outcome.periodSeconds };
    },
    /** How many of `count` requests with these facts are let through, all at this instant. */
    async admitted(facts: RateLimitFacts, count: number) {
      let allowed = 0;
      for (let i = 0; i < count; i++) {
        try {
          await rateLimiter.consume('http', null, facts);
          allowed++;
        } catch (error) {
          if (!isAuthError(error, 'rate_limited')) throw error;
        }
      }
      return allowed;
    },
  };
}

async function aStoredTenant(storage: Storage) {
  const tenant = aTenant();
  await storage.tenants.create(tenant);
  return tenant.id;
}

/** The storage, with the override reads counted (and made to fail while `failing` is set). */
function countingReads(base: Storage) {
  const state = { reads: 0, failing: false };
  const storage: Storage = {
    ...base,
    rateLimitOverrides: {
      ...base.rateLimitOverrides,
      listByTenant: async (tenantId) => {
        state.reads++;
        const rows = await base.rateLimitOverrides.listByTenant(tenantId);
        // the answer arrives a moment later, as over a network
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (state.failing) throw new Error('connection refused');
        return rows;
      },
    },
  };
  return { storage, state };
}

function recordingLogger() {
  const warnings: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (_fields, message = '') => void warnings.push(message) };
  return { logger, warnings };
}

describe('stored rate-limit overrides in the limiter', () => {
  it('raises a tenant’s limit and lowers another’s, leaving the rest on the policy', async () => {
    const clock = fakeClock();
    const storage = memoryStorage();
    const one = instance({ storage, clock });
    const [big, small, plain] = [
      await aStoredTenant(storage),
      await aStoredTenant(storage),
      await aStoredTenant(storage),
    ];
    await one.api.setRateLimitOverride(big, { policy: 'api', limit: 5, periodSeconds: 60 });
    await one.api.setRateLimitOverride(small, { policy: 'api', limit: 1, periodSeconds: 60 });

    expect(await one.limitFor({ tenant: plain })).toEqual({ limit: 2, periodSeconds: 60 });
    expect(await one.admitted({ tenant: big }, 10)).toBe(5);
    expect(await one.admitted({ tenant: small }, 10)).toBe(1);
    expect(await one.admitted({ tenant: plain }, 10)).toBe(1); // one went above
    // a minute later each is back to its own burst
    clock.advance(60);
    expect(await one.admitted({ tenant: big }, 10)).toBe(5);
    await one.close();
  });

  it('gives a key’s override precedence over its tenant’s, and the tenant’s to its other keys', async () => {
    const clock = fakeClock();
    const storage = memoryStorage();
    const one = instance({ storage, clock }, { rateLimit: { policies: [{ ...perTenant, key: 'apiKey' }] } });
    const tenantId = await aStoredTenant(storage);
    const key = await aStoredApiKey(storage, tenantId);
    await one.api.setRateLimitOverride(tenantId, { policy: 'api', limit: 3, periodSeconds: 60 });
    await one.api.setRateLimitOverride(tenantId, {
      policy: 'api',
      apiKeyId: key,
      limit: 6,
      periodSeconds: 10,
      burst: 4,
    });

    expect(await one.limitFor({ tenant: tenantId, apiKey: key })).toEqual({ limit: 6, periodSeconds: 10 });
    expect(await one.admitted({ tenant: tenantId, apiKey: key }, 10)).toBe(4 - 1); // its burst, one used above
    expect(await one.admitted({ tenant: tenantId, apiKey: 'another-key' }, 10)).toBe(3);
    await one.close();
  });

  it('asks the app’s override hook first, then the stored overrides', async () => {
    const storage = memoryStorage();
    const tenantId = await aStoredTenant(storage);
    const one = instance(
      { storage, clock: fakeClock() },
      {
        rateLimit: {
          policies: [{ ...perTenant, key: ['tenant', 'user'] }],
          override: async (_policy, facts) =>
            facts.user === 'vip' ? { limit: 50, periodSeconds: 60 } : null,
        },
      },
    );
    await one.api.setRateLimitOverride(tenantId, { policy: 'api', limit: 7, periodSeconds: 60 });
    expect(await one.limitFor({ tenant: tenantId, user: 'vip' })).toEqual({ limit: 50, periodSeconds: 60 });
    expect(await one.limitFor({ tenant: tenantId, user: 'someone' })).toEqual({
      limit: 7,
      periodSeconds: 60,
    });
    // the hook's numbers without a burst get a burst of their limit, not the policy's 2
    expect(await one.admitted({ tenant: tenantId, user: 'vip' }, 60)).toBe(49);
    await one.close();
  });

  it('applies a change on the instance that made it at once, though its old numbers were cached', async () => {
    const storage = memoryStorage();
    const one = instance({ storage, clock: fakeClock() });
    const tenantId = await aStoredTenant(storage);
    await one.api.setRateLimitOverride(tenantId, { policy: 'api', limit: 5, periodSeconds: 60 });
    expect(await one.limitFor({ tenant: tenantId })).toEqual({ limit: 5, periodSeconds: 60 }); // cached

    await one.api.setRateLimitOverride(tenantId, { policy: 'api', limit: 9, periodSeconds: 30 });
    expect(await one.limitFor({ tenant: tenantId })).toEqual({ limit: 9, periodSeconds: 30 });
    await one.api.removeRateLimitOverride(tenantId, { policy: 'api' });
    expect(await one.limitFor({ tenant: tenantId })).toEqual({ limit: 2, periodSeconds: 60 });
    await one.close();
  });

  // regression (review): the denial remembered in process, and the schedule stored under the old
  // emission interval, kept refusing for the rest of the old wait (an hour) after an upgrade
  it('drains a refused tenant at the raised rate at once, not after the old numbers’ wait', async () => {
    const clock = fakeClock();
    const storage = memoryStorage();
    const one = instance({ storage, clock });
    const tenantId = await aStoredTenant(storage);
    await one.api.setRateLimitOverride(tenantId, { policy: 'api', limit: 1, periodSeconds: 3600 });
    expect(await one.admitted({ tenant: tenantId }, 3)).toBe(1);

    // 1000 a minute: one request's share is 60 ms; the debt is capped at one full burst
    await one.api.setRateLimitOverride(tenantId, { policy: 'api', limit: 1000, periodSeconds: 60 });
    clock.advance(5);
    expect(await one.admitted({ tenant: tenantId }, 1)).toBe(0);
    clock.advance(1);
    expect(await one.admitted({ tenant: tenantId }, 30)).toBe(16);
    await one.close();
  });

  // regression (review): the schedule was keyed by the numbers too, so a key with an override of
  // its own got a budget beside its tenant's under a tenant-keyed policy
  it('counts one tenant-keyed schedule whatever numbers each request is counted by', async () => {
    const clock = fakeClock();
    const storage = memoryStorage();
    const one = instance({ storage, clock });
    const tenantId = await aStoredTenant(storage);
    const apiKeyId = await aStoredApiKey(storage, tenantId);
    // 2 a minute for the tenant's requests; 3 a minute when the request is this key's
    await one.api.setRateLimitOverride(tenantId, { policy: 'api', apiKeyId, limit: 3, periodSeconds: 60 });
    const admittedInAll =
      (await one.admitted({ tenant: tenantId }, 3)) +
      (await one.admitted({ tenant: tenantId, apiKey: apiKeyId }, 3));
    // one schedule: the tenant's two spent it (a TAT a minute ahead), and the key's numbers find
    // it full too; with a schedule per set of numbers it was 2 + 3
    expect(admittedInAll).toBe(2);
    await one.close();
  });

  it('tells another instance sharing the key-value store, which drops its cached numbers', async () => {
    const clock = fakeClock();
    const storage = memoryStorage();
    const keyValue = memoryKeyValue({ clock });
    const [a, b] = [instance({ storage, keyValue, clock }), instance({ storage, keyValue, clock })];
    const tenantId = await aStoredTenant(storage);
    expect(await b.limitFor({ tenant: tenantId })).toEqual({ limit: 2, periodSeconds: 60 }); // cached on b

    await a.api.setRateLimitOverride(tenantId, { policy: 'api', limit: 8, periodSeconds: 60 });
    // the fake clock stands still: no TTL runs out, only the message can have dropped b's entry
    expect(await b.limitFor({ tenant: tenantId })).toEqual({ limit: 8, periodSeconds: 60 });
    await Promise.all([a.close(), b.close()]);
  });

  it('reads a tenant once for concurrent misses, again only when its entry ages out, and never without a tenant', async () => {
    const clock = fakeClock();
    const { storage, state } = countingReads(memoryStorage());
    const one = instance(
      { storage, clock },
      { rateLimit: { policies: [{ ...perTenant, key: 'ip', limit: 1000 }] } },
    );
    const tenantId = await aStoredTenant(storage);

    await Promise.all(Array.from({ length: 20 }, () => one.limitFor({ ip: '192.0.2.1', tenant: tenantId })));
    expect(state.reads).toBe(1);
    await one.limitFor({ ip: '192.0.2.1', tenant: tenantId });
    expect(state.reads).toBe(1);
    await Promise.all(Array.from({ length: 5 }, () => one.limitFor({ ip: '192.0.2.1' })));
    expect(state.reads).toBe(1);
    clock.advance(30); // rateLimit.overrideCacheTtlSeconds, default 30
    await one.limitFor({ ip: '192.0.2.1', tenant: tenantId });
    expect(state.reads).toBe(2);
    await one.close();
  });

  it('does not keep what a read that began before a change returned', async () => {
    const { storage } = countingReads(memoryStorage());
    const one = instance(
      { storage, clock: fakeClock() },
      { rateLimit: { policies: [{ ...perTenant, limit: 100 }] } },
    );
    const tenantId = await aStoredTenant(storage);
    const before = one.limitFor({ tenant: tenantId }); // reads no override, answers later
    await one.api.setRateLimitOverride(tenantId, { policy: 'api', limit: 9, periodSeconds: 60 });
    expect(await before).toEqual({ limit: 100, periodSeconds: 60 });
    expect(await one.limitFor({ tenant: tenantId })).toEqual({ limit: 9, periodSeconds: 60 });
    await one.close();
  });

  it('counts by the policy’s numbers when the overrides cannot be read, with one warning, and reads again after a second', async () => {
    const { logger, warnings } = recordingLogger();
    const { storage, state } = countingReads(memoryStorage());
    const tenantId = await aStoredTenant(storage);
    const clock = fakeClock();
    const one = instance({ storage, clock }, { logger });
    state.failing = true;

    expect(await one.admitted({ tenant: tenantId }, 5)).toBe(2);
    expect(warnings.filter((w) => w.startsWith('rate-limit overrides unavailable'))).toHaveLength(1);
    // the failing store is left alone for a second
    expect(state.reads).toBe(1);
    state.failing = false;
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await one.api.setRateLimitOverride(tenantId, { policy: 'api', limit: 20, periodSeconds: 60 });
    clock.advance(60);
    expect(await one.limitFor({ tenant: tenantId })).toEqual({ limit: 20, periodSeconds: 60 });
    await one.close();
  });
});

async function aStoredApiKey(storage: Storage, tenantId: string): Promise<string> {
  const key = anApiKey(tenantId);
  await storage.apiKeys.create(key);
  return key.id;
}

describe('auth.api rate-limit override operations', () => {
  function world() {
    const storage = memoryStorage();
    const { auth } = testAuth({ storage, rateLimit: { policies: [perTenant] } });
    return { storage, auth };
  }

  it('sets, lists and removes overrides, each audited and emitted with the system as actor', async () => {
    const { storage, auth } = world();
    const tenantId = await aStoredTenant(storage);
    const key = await aStoredApiKey(storage, tenantId);
    const tenantWide = await auth.api.setRateLimitOverride(tenantId, {
      policy: 'api',
      limit: 100,
      periodSeconds: 60,
    });
    expect(tenantWide).toMatchObject({ tenantId, apiKeyId: null, policy: 'api', limit: 100, burst: null });
    const perKey = await auth.api.setRateLimitOverride(tenantId, {
      policy: 'signIn',
      apiKeyId: key,
      limit: 5,
      periodSeconds: 10,
      burst: 2,
    });
    // setting it again replaces the numbers of the same row
    const again = await auth.api.setRateLimitOverride(tenantId, {
      policy: 'api',
      limit: 300,
      periodSeconds: 60,
    });
    expect(again).toMatchObject({ id: tenantWide.id, limit: 300 });
    expect(await auth.api.listRateLimitOverrides(tenantId)).toEqual([again, perKey]);

    await auth.api.removeRateLimitOverride(tenantId, { policy: 'signIn', apiKeyId: key });
    expect(await auth.api.listRateLimitOverrides(tenantId)).toEqual([again]);
    await expect(
      auth.api.removeRateLimitOverride(tenantId, { policy: 'signIn', apiKeyId: key }),
    ).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));

    const audit = await storage.audit.list(tenantId, { limit: 10 });
    expect(audit.map((entry) => entry.action).sort()).toEqual([
      'rate_limit.override_removed',
      'rate_limit.override_set',
      'rate_limit.override_set',
      'rate_limit.override_set',
    ]);
    expect(audit.find((entry) => entry.action === 'rate_limit.override_removed')).toMatchObject({
      actorType: 'system',
      targetType: 'rate_limit_override',
      targetId: perKey.id,
      data: { policy: 'signIn', apiKeyId: key },
    });
    const events = await storage.outbox.claimBatch(
      new Date(Date.now() + 60_000),
      50,
      new Date(Date.now() + 120_000),
    );
    const mine = events.filter((event) => event.tenantId === tenantId);
    expect(mine.map((event) => event.type).sort()).toEqual(audit.map((entry) => entry.action).sort());
    expect(mine.find((event) => event.type === 'rate_limit.override_removed')?.payload).toMatchObject({
      policy: 'signIn',
      apiKeyId: key,
      actor: { type: 'system', id: null },
    });
    await auth.close();
  });

  it('refuses a policy that is not configured and numbers out of range, with the field named', async () => {
    const { storage, auth } = world();
    const tenantId = await aStoredTenant(storage);
    for (const input of [
      { policy: 'nope', limit: 10, periodSeconds: 60 },
      { policy: 'api', limit: 0, periodSeconds: 60 },
      { policy: 'api', limit: 10, periodSeconds: 0 },
      { policy: 'api', limit: 10, periodSeconds: 60, burst: 1.5 },
      { policy: 'api', limit: 2_000_000_000, periodSeconds: 60 },
      { policy: 'api', limit: 10, periodSeconds: 60, extra: true },
    ]) {
      const error = await auth.api.setRateLimitOverride(tenantId, input).catch((e: unknown) => e);
      expect(isAuthError(error, 'invalid_request'), JSON.stringify(input)).toBe(true);
    }
    const error = await auth.api
      .removeRateLimitOverride(tenantId, { policy: 'nope' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_request', issues: [{ path: 'policy' }] });
    expect(await storage.rateLimitOverrides.listByTenant(tenantId)).toEqual([]);
    await auth.close();
  });

  it('answers not_found for an unknown tenant and for another tenant’s key, writing nothing', async () => {
    const { storage, auth } = world();
    const tenantId = await aStoredTenant(storage);
    const other = await aStoredTenant(storage);
    const theirKey = await aStoredApiKey(storage, other);
    const numbers = { policy: 'api', limit: 10, periodSeconds: 60 };
    for (const attempt of [
      () => auth.api.setRateLimitOverride(uuidv7(), numbers),
      () => auth.api.setRateLimitOverride('', numbers),
      () => auth.api.setRateLimitOverride(tenantId, { ...numbers, apiKeyId: theirKey }),
      () => auth.api.setRateLimitOverride(tenantId, { ...numbers, apiKeyId: uuidv7() }),
      () => auth.api.listRateLimitOverrides(uuidv7()),
    ]) {
      await expect(attempt()).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
    }
    expect(await storage.rateLimitOverrides.listByTenant(tenantId)).toEqual([]);
    expect(await storage.rateLimitOverrides.listByTenant(other)).toEqual([]);
    expect(await storage.audit.list(tenantId, { limit: 10 })).toEqual([]);
    await auth.close();
  });

  it('has no HTTP route: a tenant cannot raise its own limits', async () => {
    const { auth } = world();
    const paths = Object.keys((auth.openApiDocument() as { paths: Record<string, unknown> }).paths);
    expect(paths.filter((path) => /rate-?limit/i.test(path))).toEqual([]);
    await auth.close();
  });
});
