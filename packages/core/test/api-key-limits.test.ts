import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../src/api-keys/index.js';
import { type AuthError, isAuthError } from '../src/errors.js';
import { problemResponse } from '../src/http/index.js';
import { type AuthConfig, createAuth, type SetApiKeyLimitsInput } from '../src/index.js';
import { silentLogger } from '../src/ports/logger.js';
import type { Storage } from '../src/ports/storage.js';
import { rateLimitItem } from './rate-limit-fields.js';
import { tenantWorld } from './support/tenant-world.js';
import { fakeClock, SECRET } from './support.js';

/**
 * Per-key limits and quotas, kept apart: named rate-limit policies per key (429 `rate_limited`)
 * and credits with a calendar refill (429 `api_key_credits_exhausted`, quota-exceeded), never a
 * 401; failed verifications consume neither; key lookups limited per client address. The limits
 * are the operator's (`setApiKeyLimits`, server-side), never the tenant's.
 */

const QUOTA_EXCEEDED = 'https://iana.org/assignments/http-problem-types#quota-exceeded';

const KEY_POLICIES: NonNullable<AuthConfig['rateLimit']>['policies'] = [
  { name: 'standard', operations: ['apiKey'], key: 'apiKey', limit: 5, periodSeconds: 60 },
  { name: 'partner', operations: ['apiKey'], key: 'apiKey', limit: 2, periodSeconds: 60 },
  { name: 'perTenant', operations: ['apiKey'], key: 'tenant', limit: 3, periodSeconds: 60, shadow: true },
  { name: 'routes', operations: ['http'], key: 'ip', limit: 1000, periodSeconds: 60 },
];

/** A tenant whose owner makes keys, on a fake clock at `startMs`, with the key policies above. */
async function world(options: { startMs?: number; config?: Partial<AuthConfig> } = {}) {
  const clock = fakeClock(options.startMs ?? Date.UTC(2026, 0, 1, 12, 0, 0));
  const w = await tenantWorld({
    config: {
      clock,
      authorization: { permissions: { invoice: ['read'] } },
      rateLimit: { policies: KEY_POLICIES },
      ...options.config,
    },
  });
  /**
   * A key the owner creates over HTTP; `rateLimitPolicies` and `credits` are then set by the
   * operator, server-side (the tenant cannot choose them), and `body` shows them.
   */
  const create = async ({ rateLimitPolicies, credits, ...body }: Record<string, unknown> = {}) => {
    const created = await w.client.post(
      `${w.base}/api-keys`,
      { name: 'metered', permissions: ['invoice.read'], ...body },
      w.owner.cookie,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const limits = {
      ...(rateLimitPolicies !== undefined ? { rateLimitPolicies } : {}),
      ...(credits !== undefined ? { credits } : {}),
    } as SetApiKeyLimitsInput;
    const set =
      Object.keys(limits).length > 0 ? await w.auth.api.setApiKeyLimits(w.tenantId, id, limits) : null;
    return {
      id,
      key: created.body.key as string,
      body: set
        ? { ...created.body, rateLimitPolicies: set.rateLimitPolicies, credits: set.credits }
        : created.body,
    };
  };
  const refusal = async (run: () => Promise<unknown>): Promise<AuthError> => {
    try {
      await run();
    } catch (error) {
      if (isAuthError(error)) return error;
      throw error;
    }
    throw new Error('expected a refusal');
  };
  const credits = async (id: string) => (await w.storage.apiKeys.findById(w.tenantId, id))?.creditsRemaining;
  return { ...w, clock, create, refusal, credits };
}

describe('per-key rate-limit policies', () => {
  it('counts a key by every apiKey policy by default, or by exactly the ones it names; over one: 429 with headers', async () => {
    const w = await world();
    const byDefault = await w.create();
    const partner = await w.create({ rateLimitPolicies: ['partner'] });
    const unlimited = await w.create({ rateLimitPolicies: [] });
    expect(partner.body.rateLimitPolicies).toEqual(['partner']);

    const first = await w.auth.api.verifyApiKey(byDefault.key);
    expect(first.rateLimit?.policies.map((p) => p.policy).sort()).toEqual(
      ['perTenant', 'standard', 'partner'].sort(),
    );
    expect((await w.auth.api.verifyApiKey(unlimited.key)).rateLimit).toBeNull();

    // partner: 2 a minute, by GCRA one every 30 s after the burst
    for (let i = 1; i <= 2; i++) {
      const verified = await w.auth.api.verifyApiKey(partner.key);
      expect(verified.rateLimit?.policies.map((p) => ({ policy: p.policy, remaining: p.remaining }))).toEqual(
        [{ policy: 'partner', remaining: 2 - i }],
      );
    }
    const limited = await w.refusal(() => w.auth.api.verifyApiKey(partner.key));
    expect(limited.code).toBe('rate_limited');
    expect(limited.violatedPolicies).toEqual(['partner']);
    expect(limited.retryAfterSeconds).toBe(30);
    // the answer the Next.js guard sends (core's problem response): 429, never 401, with the fields
    const response = problemResponse(limited);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(rateLimitItem(response.headers.get('ratelimit-policy'), 'partner')).toEqual({ q: 2, w: 60 });
    expect(rateLimitItem(response.headers.get('ratelimit'), 'partner')).toEqual({ r: 0, t: 60 });
    expect(await response.json()).toMatchObject({ code: 'rate_limited', 'violated-policies': ['partner'] });

    // another key is not touched by partner's schedule
    expect((await w.auth.api.verifyApiKey(byDefault.key)).tenantId).toBe(w.tenantId);
    w.clock.advance(30);
    expect((await w.auth.api.verifyApiKey(partner.key)).rateLimit?.policies[0]?.allowed).toBe(true);
  });

  it('refuses a policy name that is not configured for operation apiKey', async () => {
    const w = await world();
    const key = await w.create();
    for (const names of [['nonexistent'], ['routes'], ['partner', 'signIn']]) {
      const refused = await w.refusal(() =>
        w.auth.api.setApiKeyLimits(w.tenantId, key.id, { rateLimitPolicies: names }),
      );
      expect(refused.code, names.join()).toBe('invalid_request');
      expect(refused.issues).toEqual([
        expect.objectContaining({ path: `rateLimitPolicies.${names.length - 1}` }),
      ]);
    }
    expect((await w.storage.apiKeys.findById(w.tenantId, key.id))?.rateLimitPolicies).toBeNull();
  });
});

describe('credits with a calendar refill', () => {
  it('spends one credit per verification, answers 429 quota-exceeded (never 401) until the refill, and refills at the UTC day boundary', async () => {
    // 10 s before midnight UTC
    const w = await world({ startMs: Date.UTC(2026, 0, 6, 23, 59, 50) });
    const key = await w.create({
      rateLimitPolicies: [],
      credits: { remaining: 2, refill: { amount: 3, interval: 'day' } },
    });
    expect(key.body.credits).toEqual({ remaining: 2, refill: { amount: 3, interval: 'day' } });

    expect((await w.auth.api.verifyApiKey(key.key)).creditsRemaining).toBe(1);
    const second = await w.auth.api.verifyApiKey(key.key);
    expect(second.creditsRemaining).toBe(0);
    expect(second.apiKey.credits?.remaining).toBe(0);

    const exhausted = await w.refusal(() => w.auth.api.verifyApiKey(key.key));
    expect(exhausted.code).toBe('api_key_credits_exhausted');
    expect(exhausted.retryAfterSeconds).toBe(10);
    const response = problemResponse(exhausted);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('10');
    expect(await response.json()).toMatchObject({ type: QUOTA_EXCEEDED, code: 'api_key_credits_exhausted' });
    expect(await w.credits(key.id)).toBe(0);

    // still the same day: no refill
    w.clock.advance(9);
    expect((await w.refusal(() => w.auth.api.verifyApiKey(key.key))).retryAfterSeconds).toBe(1);
    // midnight: refilled to 3, one spent; the cached copy (with its old count) is not the truth
    w.clock.advance(1);
    expect((await w.auth.api.verifyApiKey(key.key)).creditsRemaining).toBe(2);
    expect((await w.auth.api.verifyApiKey(key.key)).creditsRemaining).toBe(1);
    expect(await w.credits(key.id)).toBe(1);
    const listed = await w.client.get(`${w.base}/api-keys`, w.owner.cookie);
    expect(listed.body.items.find((k: { id: string }) => k.id === key.id).credits.remaining).toBe(1);
  });

  it('refills weekly on Monday and monthly on the 1st, and a key without a refill stays empty (no Retry-After)', async () => {
    // Sunday 2026-03-01 12:00 UTC: a month starts that day, a week the next
    const w = await world({ startMs: Date.UTC(2026, 2, 1, 12, 0, 0) });
    const weekly = await w.create({ credits: { remaining: 0, refill: { amount: 5, interval: 'week' } } });
    const monthly = await w.create({ credits: { remaining: 0, refill: { amount: 7, interval: 'month' } } });
    const once = await w.create({ credits: { remaining: 1 } });

    expect((await w.refusal(() => w.auth.api.verifyApiKey(weekly.key))).retryAfterSeconds).toBe(12 * 3600);
    expect((await w.refusal(() => w.auth.api.verifyApiKey(monthly.key))).retryAfterSeconds).toBe(
      (30 * 24 + 12) * 3600,
    );
    expect((await w.auth.api.verifyApiKey(once.key)).creditsRemaining).toBe(0);
    const empty = await w.refusal(() => w.auth.api.verifyApiKey(once.key));
    expect(empty.code).toBe('api_key_credits_exhausted');
    expect(empty.retryAfterSeconds).toBeUndefined();
    expect(problemResponse(empty).headers.get('retry-after')).toBeNull();

    w.clock.advance(12 * 3600); // Monday 00:00
    expect((await w.auth.api.verifyApiKey(weekly.key)).creditsRemaining).toBe(4);
    expect(await w.refusal(() => w.auth.api.verifyApiKey(monthly.key))).toMatchObject({
      code: 'api_key_credits_exhausted',
    });
    w.clock.advance(30 * 86_400); // 1 April, 00:00
    expect((await w.auth.api.verifyApiKey(monthly.key)).creditsRemaining).toBe(6);
    expect((await w.refusal(() => w.auth.api.verifyApiKey(once.key))).code).toBe('api_key_credits_exhausted');
  });

  it('spends nothing and writes nothing for a key without credits', async () => {
    const w = await world();
    const key = await w.create();
    const writes: string[] = [];
    const apiKeys = w.storage.apiKeys;
    for (const method of ['consumeCredits', 'updateLimits', 'recordUses'] as const) {
      const original = apiKeys[method].bind(apiKeys) as (...args: unknown[]) => Promise<unknown>;
      (apiKeys as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        writes.push(method);
        return original(...args);
      };
    }
    const verified = await w.auth.api.verifyApiKey(key.key);
    expect(verified.creditsRemaining).toBeNull();
    expect(verified.apiKey.credits).toBeNull();
    expect(writes).toEqual([]);
  });
});

describe('failed verifications never consume quota', () => {
  it('a malformed, unknown, revoked, expired or wrong-environment key moves no credit and no rate-limit schedule', async () => {
    const w = await world({
      config: {
        rateLimit: {
          policies: [
            { name: 'perTenant', operations: ['apiKey'], key: 'tenant', limit: 3, periodSeconds: 60 },
          ],
        },
      },
    });
    const valid = await w.create({ credits: { remaining: 5 } });
    const revoked = await w.create({ credits: { remaining: 5 } });
    const expiring = await w.create({ credits: { remaining: 5 }, expiresInSeconds: 60 });
    const testKey = await w.create({ environment: 'test', credits: { remaining: 5 } });
    expect((await w.client.post(`${w.base}/api-keys/${revoked.id}/revoke`, {}, w.owner.cookie)).status).toBe(
      204,
    );
    w.clock.advance(61);

    const attempts: Array<[string, () => Promise<unknown>]> = [
      // the last character changed (never to itself: a key ending in x once made this a valid use)
      [
        'api_key_malformed',
        () => w.auth.api.verifyApiKey(`${valid.key.slice(0, -1)}${valid.key.endsWith('x') ? 'y' : 'x'}`),
      ],
      ['api_key_invalid', () => w.auth.api.verifyApiKey(generateApiKey('pc', 'live'))],
      ['api_key_revoked', () => w.auth.api.verifyApiKey(revoked.key)],
      ['api_key_expired', () => w.auth.api.verifyApiKey(expiring.key)],
      ['api_key_wrong_environment', () => w.auth.api.verifyApiKey(testKey.key, { environment: 'live' })],
      ['api_key_wrong_environment', () => w.auth.api.verifyApiKey(valid.key, { environment: 'test' })],
    ];
    for (const [code, attempt] of attempts) {
      for (let i = 0; i < 4; i++) expect((await w.refusal(attempt)).code).toBe(code);
    }

    for (const key of [valid, revoked, expiring, testKey]) expect(await w.credits(key.id)).toBe(5);
    // the tenant's schedule (3 a minute) was never moved: the first valid use leaves 2
    const verified = await w.auth.api.verifyApiKey(valid.key, { environment: 'live' });
    expect(verified.rateLimit?.policies).toEqual([
      expect.objectContaining({ policy: 'perTenant', remaining: 2 }),
    ]);
    expect(verified.creditsRemaining).toBe(4);
  });

  it('a key over its rate limit spends no credit', async () => {
    const w = await world();
    const key = await w.create({ rateLimitPolicies: ['partner'], credits: { remaining: 10 } });
    await w.auth.api.verifyApiKey(key.key);
    await w.auth.api.verifyApiKey(key.key);
    for (let i = 0; i < 3; i++)
      expect((await w.refusal(() => w.auth.api.verifyApiKey(key.key))).code).toBe('rate_limited');
    expect(await w.credits(key.id)).toBe(8);
  });
});

describe('setting the limits of a key (the operator, server-side)', () => {
  it('replaces policies and credits, evicts the cached key at once, audits api_key.limits_set as the system, and rotation copies them', async () => {
    const w = await world();
    const key = await w.create();
    await w.auth.api.verifyApiKey(key.key); // cached, without a quota

    const set = await w.auth.api.setApiKeyLimits(w.tenantId, key.id, {
      rateLimitPolicies: ['standard'],
      credits: { remaining: 1, refill: { amount: 10, interval: 'month' } },
    });
    expect(set).toMatchObject({
      id: key.id,
      rateLimitPolicies: ['standard'],
      credits: { remaining: 1, refill: { amount: 10, interval: 'month' } },
    });
    // the cache did not keep the unlimited copy
    const verified = await w.auth.api.verifyApiKey(key.key);
    expect(verified.creditsRemaining).toBe(0);
    expect(verified.rateLimit?.policies.map((p) => p.policy)).toEqual(['standard']);
    expect((await w.refusal(() => w.auth.api.verifyApiKey(key.key))).code).toBe('api_key_credits_exhausted');

    const audit = await w.storage.audit.list(w.tenantId, { limit: 5 });
    expect(audit.find((e) => e.action === 'api_key.limits_set')).toMatchObject({
      actorType: 'system',
      targetId: key.id,
      data: { rateLimitPolicies: ['standard'], credits: { remaining: 1 } },
    });
    const events = await w.deliver();
    expect(events.find((e) => e.type === 'api_key.limits_set')).toBeDefined();

    // a field left out stays; null clears
    const cleared = await w.auth.api.setApiKeyLimits(w.tenantId, key.id, { credits: null });
    expect(cleared).toMatchObject({ rateLimitPolicies: ['standard'], credits: null });
    await w.auth.api.setApiKeyLimits(w.tenantId, key.id, {
      credits: { remaining: 4, refill: { amount: 10, interval: 'month' } },
    });

    const rotated = await w.client.post(`${w.base}/api-keys/${key.id}/rotate`, {}, w.owner.cookie);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({
      rateLimitPolicies: ['standard'],
      credits: { remaining: 4, refill: { amount: 10, interval: 'month' } },
    });
  });

  it('names the actor the context gives, and answers not_found for an unknown, revoked or another tenant’s key', async () => {
    const w = await world();
    const key = await w.create();
    await w.auth.api.setApiKeyLimits(
      w.tenantId,
      key.id,
      { credits: { remaining: 5 } },
      { actor: { type: 'user', id: w.owner.body.user.id as string } },
    );
    expect((await w.storage.audit.list(w.tenantId, { limit: 1 }))[0]).toMatchObject({
      action: 'api_key.limits_set',
      actorType: 'user',
      actorId: w.owner.body.user.id as string,
    });
    const notFound = async (tenantId: unknown, id: unknown) =>
      (await w.refusal(() => w.auth.api.setApiKeyLimits(tenantId as string, id as string, { credits: null })))
        .code;
    expect(await notFound(w.tenantId, 'no-such-key')).toBe('not_found');
    expect(await notFound(42, key.id)).toBe('not_found');
    const other = await world();
    const foreign = await other.create();
    expect(await notFound(w.tenantId, foreign.id)).toBe('not_found');
    expect(await notFound(other.tenantId, key.id)).toBe('not_found');
    expect(
      (await w.refusal(() => w.auth.api.setApiKeyLimits(w.tenantId, key.id, { credits: { remaining: -1 } })))
        .code,
    ).toBe('invalid_request');
    await w.client.post(`${w.base}/api-keys/${key.id}/revoke`, {}, w.owner.cookie);
    expect(await notFound(w.tenantId, key.id)).toBe('not_found');
  });
});

describe('limiting key lookups per client address (apiKeyLookup)', () => {
  function lookups(storage: Storage) {
    let reads = 0;
    const original = storage.apiKeys.findByHash.bind(storage.apiKeys);
    (storage.apiKeys as { findByHash: typeof original }).findByHash = (hash) => {
      reads += 1;
      return original(hash);
    };
    return () => reads;
  }

  it('stops an address spraying bad keys before they cost database reads, never touching a cached valid key', async () => {
    const w = await world({
      config: { rateLimit: { rules: { apiKeyLookup: { limit: 3, windowSeconds: 60 } } } },
    });
    const valid = await w.create();
    const attacker = { context: { ip: '203.0.113.9' } };
    // cached once, from the attacker's own address: one lookup counted
    const first = await w.auth.api.verifyApiKey(valid.key, attacker);
    expect(attacker.context).toMatchObject({
      rateLimits: [expect.objectContaining({ operation: 'apiKeyAuth' })],
    });
    expect(first.tenantId).toBe(w.tenantId);
    const reads = lookups(w.storage);

    expect(
      (await w.refusal(() => w.auth.api.verifyApiKey(generateApiKey('pc', 'live'), attacker))).code,
    ).toBe('api_key_invalid');
    expect(
      (await w.refusal(() => w.auth.api.verifyApiKey(generateApiKey('pc', 'live'), attacker))).code,
    ).toBe('api_key_invalid');
    expect(reads()).toBe(2);
    for (let i = 0; i < 5; i++) {
      const limited = await w.refusal(() => w.auth.api.verifyApiKey(generateApiKey('pc', 'live'), attacker));
      expect(limited.code).toBe('rate_limited');
      expect(limited.violatedPolicies).toEqual(['apiKeyLookup']);
    }
    expect(reads()).toBe(2);
    // the cached valid key still works from that address: a cache hit is never counted
    for (let i = 0; i < 10; i++) await w.auth.api.verifyApiKey(valid.key, attacker);
    // another address, and server calls without one, are not held back
    expect(
      (
        await w.refusal(() =>
          w.auth.api.verifyApiKey(generateApiKey('pc', 'live'), { context: { ip: '198.51.100.1' } }),
        )
      ).code,
    ).toBe('api_key_invalid');
    for (let i = 0; i < 5; i++) {
      expect((await w.refusal(() => w.auth.api.verifyApiKey(generateApiKey('pc', 'live')))).code).toBe(
        'api_key_invalid',
      );
    }
  });

  it('counts every verification when the cache is off (cacheTtlSeconds: 0)', async () => {
    const w = await world({
      config: {
        apiKeys: { cacheTtlSeconds: 0 },
        rateLimit: { rules: { apiKeyLookup: { limit: 2, windowSeconds: 60 } } },
      },
    });
    const valid = await w.create();
    const from = { context: { ip: '192.0.2.7' } };
    await w.auth.api.verifyApiKey(valid.key, from);
    await w.auth.api.verifyApiKey(valid.key, from);
    expect((await w.refusal(() => w.auth.api.verifyApiKey(valid.key, from))).code).toBe('rate_limited');
  });
});

// Regression tests for the review of the key limits: each fails without its fix.
describe('review: limits are the operator’s, not the tenant’s', () => {
  const TENANT_WIDE: NonNullable<AuthConfig['rateLimit']>['policies'] = [
    { name: 'standard', operations: ['apiKey'], key: 'apiKey', limit: 100, periodSeconds: 60 },
    { name: 'tenantKeys', operations: ['apiKey'], key: 'tenant', limit: 3, periodSeconds: 60 },
  ];

  it('refuses limits in the create body (HTTP and createApiKey): a tenant admin cannot escape a tenant-wide policy', async () => {
    const w = await world({ config: { rateLimit: { policies: TENANT_WIDE } } });
    for (const limits of [{ rateLimitPolicies: [] }, { credits: { remaining: 1_000_000 } }]) {
      const refused = await w.client.post(
        `${w.base}/api-keys`,
        { name: 'escape', permissions: ['invoice.read'], ...limits },
        w.owner.cookie,
      );
      expect(refused.status, JSON.stringify(limits)).toBe(400);
      expect(refused.body.code).toBe('invalid_request');
      const direct = await w.refusal(() =>
        w.auth.api.createApiKey(
          w.tenantId,
          w.owner.body.user.id as string,
          {
            name: 'escape',
            permissions: ['invoice.read'],
            ...limits,
          } as Parameters<typeof w.auth.api.createApiKey>[2],
        ),
      );
      expect(direct.code).toBe('invalid_request');
    }
    // every key the tenant can make is counted by the tenant-wide policy
    const first = await w.create();
    const second = await w.create();
    const codes: string[] = [];
    for (const key of [first, second, first, second, first]) {
      codes.push(
        await w.auth.api.verifyApiKey(key.key).then(
          () => 'ok',
          (e: AuthError) => e.code,
        ),
      );
    }
    expect(codes).toEqual(['ok', 'ok', 'ok', 'rate_limited', 'rate_limited']);
  });

  it("has no PATCH route: a tenant admin cannot lift the operator's per-key override", async () => {
    const w = await world({ config: { rateLimit: { policies: TENANT_WIDE } } });
    const key = await w.create();
    await w.auth.api.setRateLimitOverride(w.tenantId, {
      policy: 'standard',
      apiKeyId: key.id,
      limit: 1,
      periodSeconds: 60,
    });
    expect((await w.auth.api.verifyApiKey(key.key)).tenantId).toBe(w.tenantId);
    expect((await w.refusal(() => w.auth.api.verifyApiKey(key.key))).code).toBe('rate_limited');
    const patched = await w.client.call('PATCH', `${w.base}/api-keys/${key.id}`, {
      body: { rateLimitPolicies: [] },
      cookie: w.owner.cookie,
    });
    expect(patched.status).toBeGreaterThanOrEqual(400);
    expect((await w.storage.apiKeys.findById(w.tenantId, key.id))?.rateLimitPolicies).toBeNull();
    w.clock.advance(61);
    expect((await w.auth.api.verifyApiKey(key.key)).tenantId).toBe(w.tenantId);
    expect((await w.refusal(() => w.auth.api.verifyApiKey(key.key))).code).toBe('rate_limited');
  });
});

describe('review: rotation keeps the operator’s limits and never multiplies credits', () => {
  const rotate = async (w: Awaited<ReturnType<typeof world>>, id: string) => {
    const rotated = await w.client.post(`${w.base}/api-keys/${id}/rotate`, {}, w.owner.cookie);
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    return { id: rotated.body.id as string, key: rotated.body.key as string };
  };
  const outcome = (w: Awaited<ReturnType<typeof world>>, key: string) =>
    w.auth.api.verifyApiKey(key).then(
      () => 'ok',
      (e: AuthError) => e.code,
    );

  it("copies the operator's per-key override to the successor", async () => {
    const w = await world();
    const key = await w.create({ rateLimitPolicies: ['standard'] });
    await w.auth.api.setRateLimitOverride(w.tenantId, {
      policy: 'standard',
      apiKeyId: key.id,
      limit: 1,
      periodSeconds: 60,
    });
    const next = await rotate(w, key.id);
    expect(await outcome(w, next.key)).toBe('ok');
    expect(await outcome(w, next.key)).toBe('rate_limited');
    const overrides = await w.auth.api.listRateLimitOverrides(w.tenantId);
    expect(
      overrides
        .map((o) => ({ apiKeyId: o.apiKeyId, limit: o.limit }))
        .sort((a, b) => (a.apiKeyId ?? '').localeCompare(b.apiKeyId ?? '')),
    ).toEqual(
      [
        { apiKeyId: key.id, limit: 1 },
        { apiKeyId: next.id, limit: 1 },
      ].sort((a, b) => a.apiKeyId.localeCompare(b.apiKeyId)),
    );
  });

  it('spends exactly the credits there were across chained rotations (a rotation ends the predecessor’s overlap)', async () => {
    const w = await world();
    const key = await w.create({ credits: { remaining: 2 }, rateLimitPolicies: [] });
    const lineage: Array<{ id: string; key: string }> = [key];
    for (let i = 0; i < 3; i++) lineage.push(await rotate(w, (lineage.at(-1) as { id: string }).id));
    let spent = 0;
    for (const { key: presented } of lineage)
      for (let i = 0; i < 3; i++) if ((await outcome(w, presented)) === 'ok') spent++;
    expect(spent).toBe(2);
    // the first two were superseded: revoked, with the rotation saying so
    for (const { id } of lineage.slice(0, 2)) {
      expect(await w.storage.apiKeys.findById(w.tenantId, id)).toMatchObject({
        status: 'revoked',
        revokedReason: 'superseded',
      });
    }
    const rotations = (await w.storage.audit.list(w.tenantId, { limit: 20 })).filter(
      (e) => e.action === 'api_key.rotated',
    );
    expect(rotations.map((e) => e.data.endedOverlapOf ?? null).sort()).toEqual(
      [lineage[0]?.id, lineage[1]?.id, null].sort(),
    );
  });

  it('has the old and the new key share one count during the overlap', async () => {
    const w = await world();
    const key = await w.create({ credits: { remaining: 3 }, rateLimitPolicies: [] });
    const next = await rotate(w, key.id);
    expect([await outcome(w, key.key), await outcome(w, next.key), await outcome(w, key.key)]).toEqual([
      'ok',
      'ok',
      'ok',
    ]);
    expect(await outcome(w, next.key)).toBe('api_key_credits_exhausted');
    expect(await outcome(w, key.key)).toBe('api_key_credits_exhausted');
    // the operator's new quota reaches both keys of the pair
    await w.auth.api.setApiKeyLimits(w.tenantId, next.id, { credits: { remaining: 1 } });
    expect(await outcome(w, key.key)).toBe('ok');
    expect(await outcome(w, next.key)).toBe('api_key_credits_exhausted');
  });

  // regression (second review): the old key went on spending its revoked successor's credits,
  // which no operator call could then change
  it('revokes a predecessor still in overlap with its successor, so it never spends a revoked key’s credits', async () => {
    const w = await world();
    const key = await w.create({ credits: { remaining: 100 }, rateLimitPolicies: [] });
    const next = await rotate(w, key.id);
    const revoked = await w.client.post(`${w.base}/api-keys/${next.id}/revoke`, {}, w.owner.cookie);
    expect(revoked.status).toBe(204);
    expect(await outcome(w, key.key)).toBe('api_key_revoked');
    expect(await w.storage.apiKeys.findById(w.tenantId, key.id)).toMatchObject({
      status: 'revoked',
      revokedReason: 'superseded',
    });
    const revocation = (await w.storage.audit.list(w.tenantId, { limit: 20 })).find(
      (e) => e.action === 'api_key.revoked',
    );
    expect(revocation?.data.endedOverlapOf).toBe(key.id);
  });

  it('gives the successor the count as the rotation locked it, not as read before', async () => {
    const w = await world();
    const key = await w.create({ credits: { remaining: 5 }, rateLimitPolicies: [] });
    const apiKeys = w.storage.apiKeys;
    const findById = apiKeys.findById.bind(apiKeys);
    // a use lands between the rotation's first read and its transaction
    (apiKeys as { findById: typeof findById }).findById = async (tenantId, id) => {
      const read = await findById(tenantId, id);
      (apiKeys as { findById: typeof findById }).findById = findById;
      await w.auth.api.verifyApiKey(key.key);
      return read;
    };
    const next = await rotate(w, key.id);
    expect(await w.credits(next.id)).toBe(4);
  });
});

describe('review: keys under an older pepper are cached', () => {
  it('answers a key of an older pepper from the cache, so apiKeyLookup counts it once', async () => {
    const PEPPER_1 = { version: 1, secret: 'a'.repeat(40) };
    const PEPPER_2 = { version: 2, secret: 'b'.repeat(40) };
    const rules = { apiKeyLookup: { limit: 3, windowSeconds: 60 } };
    const w = await world({
      config: { apiKeys: { peppers: [PEPPER_1] }, rateLimit: { policies: [], rules } },
    });
    const key = await w.create();
    const next = createAuth({
      storage: w.storage,
      secret: SECRET,
      baseURL: 'http://localhost:3000',
      logger: silentLogger,
      clock: w.clock,
      outbox: { autoStart: false },
      mailer: { send: async () => {} },
      authorization: { permissions: { invoice: ['read'] } },
      apiKeys: { peppers: [PEPPER_1, PEPPER_2] },
      rateLimit: { policies: [], rules },
    });
    try {
      const from = { context: { ip: '192.0.2.10' } };
      for (let i = 0; i < 10; i++)
        expect((await next.api.verifyApiKey(key.key, from)).apiKey.id).toBe(key.id);
    } finally {
      await next.close();
    }
  });
});

describe('review: a refused use spends nothing', () => {
  it('refuses a use from outside the key’s CIDR (authorize) before it spends a credit or moves a schedule', async () => {
    const w = await world();
    const key = await w.create({
      credits: { remaining: 3 },
      rateLimitPolicies: ['partner'],
      constraints: { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] },
    });
    const authorize = { action: 'invoice.read' };
    for (let i = 0; i < 5; i++) {
      const refused = await w.refusal(() =>
        w.auth.api.verifyApiKey(key.key, { authorize, context: { ip: '203.0.113.5' } }),
      );
      expect(refused.code).toBe('forbidden');
      expect(refused.reason).toMatchObject({ kind: 'key_constraint' });
    }
    expect(await w.credits(key.id)).toBe(3);
    // the legitimate caller, inside the network: the full quota and the partner policy's burst
    const inside = await w.auth.api.verifyApiKey(key.key, { authorize, context: { ip: '10.1.2.3' } });
    expect(inside.creditsRemaining).toBe(2);
    expect(inside.rateLimit?.policies).toEqual([
      expect.objectContaining({ policy: 'partner', remaining: 1 }),
    ]);
    // an action beyond its permissions is refused the same way
    expect(
      (
        await w.refusal(() =>
          w.auth.api.verifyApiKey(key.key, {
            authorize: { action: 'api_key.manage', resource: () => ({ type: 'api_key' }) },
            context: { ip: '10.1.2.3' },
          }),
        )
      ).code,
    ).toBe('forbidden');
    expect(await w.credits(key.id)).toBe(2);
  });
});
