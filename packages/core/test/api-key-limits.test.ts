import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../src/api-keys/index.js';
import { type AuthError, isAuthError } from '../src/errors.js';
import { problemResponse } from '../src/http/index.js';
import type { AuthConfig } from '../src/index.js';
import type { Storage } from '../src/ports/storage.js';
import { rateLimitItem } from './rate-limit-fields.js';
import { tenantWorld } from './support/tenant-world.js';
import { fakeClock } from './support.js';

/**
 * Per-key limits and quotas, kept apart: named rate-limit policies per key (429 `rate_limited`)
 * and credits with a calendar refill (429 `api_key_credits_exhausted`, quota-exceeded), never a
 * 401; failed verifications consume neither; key lookups limited per client address.
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
  const create = async (body: Record<string, unknown> = {}) => {
    const created = await w.client.post(
      `${w.base}/api-keys`,
      { name: 'metered', permissions: ['invoice.read'], ...body },
      w.owner.cookie,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { id: created.body.id as string, key: created.body.key as string, body: created.body };
  };
  const patch = (id: string, body: unknown, cookie: string | null = w.owner.cookie) =>
    w.client.call('PATCH', `${w.base}/api-keys/${id}`, { body, cookie });
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
  return { ...w, clock, create, patch, refusal, credits };
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

  it('refuses a policy name that is not configured for operation apiKey, at creation and update', async () => {
    const w = await world();
    for (const names of [['nonexistent'], ['routes'], ['partner', 'signIn']]) {
      const refused = await w.client.post(
        `${w.base}/api-keys`,
        { name: 'x', permissions: ['invoice.read'], rateLimitPolicies: names },
        w.owner.cookie,
      );
      expect(refused.status, names.join()).toBe(400);
      expect(refused.body.code).toBe('invalid_request');
      expect(refused.body.issues).toEqual([
        expect.objectContaining({ path: `rateLimitPolicies.${names.length - 1}` }),
      ]);
    }
    const key = await w.create();
    const patched = await w.patch(key.id, { rateLimitPolicies: ['standard', 'nope'] });
    expect(patched.status).toBe(400);
    expect(patched.body.issues).toEqual([expect.objectContaining({ path: 'rateLimitPolicies.1' })]);
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
      ['api_key_malformed', () => w.auth.api.verifyApiKey(`${valid.key.slice(0, -1)}x`)],
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

describe('updating the limits of a key', () => {
  it('replaces policies and credits over PATCH, evicts the cached key at once, audits api_key.updated, and rotation copies them', async () => {
    const w = await world();
    const key = await w.create();
    await w.auth.api.verifyApiKey(key.key); // cached, without a quota

    const patched = await w.patch(key.id, {
      rateLimitPolicies: ['standard'],
      credits: { remaining: 1, refill: { amount: 10, interval: 'month' } },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({
      id: key.id,
      rateLimitPolicies: ['standard'],
      credits: { remaining: 1, refill: { amount: 10, interval: 'month' } },
    });
    // the cache did not keep the unlimited copy
    const verified = await w.auth.api.verifyApiKey(key.key);
    expect(verified.creditsRemaining).toBe(0);
    expect(verified.rateLimit?.policies.map((p) => p.policy)).toEqual(['standard']);
    expect((await w.refusal(() => w.auth.api.verifyApiKey(key.key))).code).toBe('api_key_credits_exhausted');

    expect(await w.auditActions(3)).toContain('api_key.updated');
    const events = await w.deliver();
    expect(events.find((e) => e.type === 'api_key.updated')).toBeDefined();

    // a field left out stays; null clears
    const cleared = await w.patch(key.id, { credits: null });
    expect(cleared.body).toMatchObject({ rateLimitPolicies: ['standard'], credits: null });
    await w.patch(key.id, { credits: { remaining: 4, refill: { amount: 10, interval: 'month' } } });

    const rotated = await w.client.post(`${w.base}/api-keys/${key.id}/rotate`, {}, w.owner.cookie);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({
      rateLimitPolicies: ['standard'],
      credits: { remaining: 4, refill: { amount: 10, interval: 'month' } },
    });
  });

  it('answers 404 for an unknown, revoked or another tenant’s key, and needs api_key.manage', async () => {
    const w = await world();
    const key = await w.create();
    expect((await w.patch('no-such-key', { credits: null })).status).toBe(404);
    const other = await world();
    const foreign = await other.create();
    expect((await w.patch(foreign.id, { credits: null })).status).toBe(404);
    const member = await w.addMember(['member']);
    expect((await w.patch(key.id, { credits: null }, member.cookie)).status).toBe(403);
    await w.client.post(`${w.base}/api-keys/${key.id}/revoke`, {}, w.owner.cookie);
    expect((await w.patch(key.id, { credits: null })).status).toBe(404);
    expect((await w.patch(key.id, { credits: { remaining: -1 } })).status).toBe(400);
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
