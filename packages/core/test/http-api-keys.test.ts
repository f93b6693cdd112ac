import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../src/api-keys/index.js';
import { isAuthError } from '../src/errors.js';
import { createAuth } from '../src/index.js';
import { memoryKeyValue, memoryStorage } from '../src/memory/index.js';
import type { Storage } from '../src/ports/storage.js';
import { tenantWorld } from './support/tenant-world.js';
import { fakeClock, ORIGIN, PASSWORD, uniqueEmail } from './support.js';

/**
 * API keys over real HTTP (`auth.handler`) and `auth.api`: create (shown once, stored as a keyed
 * hash), list, rotate with overlap, revoke; verification's distinct refusals, its cache and its
 * coalesced last use; the owner's permissions re-checked at every use.
 */

const KEY_PATTERN = /^pc_(live|test)_[0-9A-Za-z]{39}$/;

/** Counts the calls verification makes to the API key store (reads and writes). */
function countingStorage(storage: Storage) {
  const calls: string[] = [];
  const apiKeys = new Proxy(storage.apiKeys, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return value.apply(target, args);
      };
    },
  });
  const counted = new Proxy(storage, {
    get: (target, name, receiver) => (name === 'apiKeys' ? apiKeys : Reflect.get(target, name, receiver)),
  });
  return { storage: counted as Storage, calls };
}

async function world(config: Record<string, unknown> = {}) {
  const w = await tenantWorld({
    config: { authorization: { permissions: { invoice: ['read', 'update'] } }, ...config },
  });
  const ownerId = w.owner.body.user.id as string;
  const create = (body: Record<string, unknown>, cookie = w.owner.cookie) =>
    w.client.post(
      `${w.base}/api-keys`,
      { name: 'CI deploys', permissions: ['invoice.read'], ...body },
      cookie,
    );
  const verify = (key: string, environment?: string) =>
    w.auth.api.verifyApiKey(key, environment === undefined ? {} : { environment });
  const refusal = async (key: string, environment?: string) => {
    try {
      await verify(key, environment);
    } catch (error) {
      if (isAuthError(error)) return error.code;
      throw error;
    }
    return 'verified';
  };
  return { ...w, ownerId, create, verify, refusal };
}

describe('API keys over HTTP', () => {
  it('creates a key shown once, keeps only its keyed hash, start and last four, and audits it', async () => {
    const w = await world();
    const created = await w.create({ environment: 'test' });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect(key).toMatch(KEY_PATTERN);
    expect(key.startsWith('pc_test_')).toBe(true);
    expect(created.body).toMatchObject({
      environment: 'test',
      ownerUserId: w.ownerId,
      permissions: ['invoice.read'],
      state: 'active',
      start: key.slice(0, 12),
      lastFour: key.slice(-4),
      lastUsedAt: null,
    });

    const listed = await w.client.get(`${w.base}/api-keys`, w.owner.cookie);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).not.toHaveProperty('key');
    expect(JSON.stringify(listed.body)).not.toContain(key.slice(12, -4));

    // no raw key anywhere at rest: not in the row, not in the audit entry, not in the outbox
    const row = await w.storage.apiKeys.findById(w.tenantId, created.body.id);
    expect(row?.keyHash).toMatch(/^[0-9a-f]{64}$/);
    const events = await w.deliver();
    const audit = await w.storage.audit.list(w.tenantId, { limit: 5 });
    for (const stored of [row, events, audit]) expect(JSON.stringify(stored)).not.toContain(key.slice(12));
    expect(audit[0]).toMatchObject({ action: 'api_key.created', targetId: created.body.id });
    expect(events.map((e) => e.type)).toContain('api_key.created');
  });

  it('refuses permissions beyond the creator, unknown permissions, unknown environments and a caller without api_key.manage', async () => {
    const w = await world({ apiKeys: { maxLifetimeSeconds: 3600 } });
    const admin = await w.addMember(['admin'], 'admin');
    const viewer = await w.addMember(['viewer'], 'viewer');
    // admins hold api_key.manage but not invoice.read
    expect((await w.create({ permissions: ['invoice.read'] }, admin.cookie)).body.code).toBe('forbidden');
    expect((await w.create({ permissions: ['member.read'] }, admin.cookie)).status).toBe(201);
    expect((await w.create({ permissions: ['member.read'] }, viewer.cookie)).status).toBe(403);
    expect((await w.create({ permissions: ['invoice.delete'] })).body.code).toBe('unknown_permission');
    expect((await w.create({ environment: 'staging' })).body.code).toBe('invalid_request');
    expect((await w.create({ expiresInSeconds: 7200 })).body.code).toBe('invalid_request');
    // with a maximum lifetime, every key expires
    expect((await w.create({})).body.expiresAt).toBe(
      new Date(w.clock.now().getTime() + 3600_000).toISOString(),
    );
    expect((await w.create({ permissions: [] })).status).toBe(400);
  });

  it('verifies a key and authorizes with its permissions, never beyond them', async () => {
    const w = await world();
    const { key, id } = (await w.create({ permissions: ['invoice.read'] })).body;
    const verified = await w.verify(key, 'live');
    expect(verified).toMatchObject({ tenantId: w.tenantId, environment: 'live', apiKey: { id } });
    const ask = (action: string) =>
      w.auth.api.authorize({ tenantId: w.tenantId, action, principal: verified.principal });
    expect(await ask('invoice.read')).toEqual({
      allowed: true,
      reason: { kind: 'grant', permission: 'invoice.read' },
    });
    expect(await ask('invoice.update')).toEqual({ allowed: false, reason: { kind: 'outside_grants' } });
  });

  it('refuses with a distinct code: malformed, edited, another environment, unknown, expired, revoked', async () => {
    const w = await world();
    const live = (await w.create({ environment: 'live', expiresInSeconds: 600 })).body;
    const test = (await w.create({ environment: 'test' })).body;
    expect(await w.refusal('')).toBe('api_key_malformed');
    expect(await w.refusal('not a key')).toBe('api_key_malformed');
    // test → live in the key itself: the checksum refuses it offline
    expect(await w.refusal(test.key.replace('_test_', '_live_'))).toBe('api_key_malformed');
    expect(
      await w.refusal(`${live.key.slice(0, 20)}${live.key[20] === 'a' ? 'b' : 'a'}${live.key.slice(21)}`),
    ).toBe('api_key_malformed');
    // a well-formed key of an environment this install does not have
    expect(await w.refusal(generateApiKey('pc', 'staging'))).toBe('api_key_malformed');
    expect(await w.refusal(generateApiKey('acme', 'live'))).toBe('api_key_malformed');
    expect(await w.refusal(test.key, 'live')).toBe('api_key_wrong_environment');
    expect(await w.refusal(test.key, 'test')).toBe('verified');
    expect(await w.refusal(generateApiKey('pc', 'live'))).toBe('api_key_invalid');
    expect(await w.refusal(live.key)).toBe('verified');
    w.clock.advance(601);
    expect(await w.refusal(live.key)).toBe('api_key_expired');
    expect((await w.client.post(`${w.base}/api-keys/${test.id}/revoke`, {}, w.owner.cookie)).status).toBe(
      204,
    );
    expect(await w.refusal(test.key)).toBe('api_key_revoked');
    expect((await w.client.post(`${w.base}/api-keys/${test.id}/revoke`, {}, w.owner.cookie)).status).toBe(
      404,
    );
  });

  it('writes nothing per verification: one read fills the cache, uses are written in one batch later; failures write nothing', async () => {
    const clock = fakeClock(Date.now());
    const memory = memoryStorage();
    const { storage, calls } = countingStorage(memory);
    const w = await tenantWorld({
      config: {
        storage,
        clock,
        authorization: { permissions: { invoice: ['read'] } },
        apiKeys: { cacheTtlSeconds: 30 },
      },
    });
    const { key, id } = (
      await w.client.post(`${w.base}/api-keys`, { name: 'k', permissions: ['invoice.read'] }, w.owner.cookie)
    ).body;
    calls.length = 0;
    for (let i = 0; i < 100; i++) await w.auth.api.verifyApiKey(key);
    expect(calls).toEqual(['findByHash']);
    for (let i = 0; i < 20; i++) {
      await w.auth.api.verifyApiKey(generateApiKey('pc', 'live')).catch(() => {});
      await w.auth.api.verifyApiKey(`${key}x`).catch(() => {});
    }
    expect(calls.filter((c) => c !== 'findByHash')).toEqual([]);
    // the last use shows in the list at once (this instance), and reaches the row in one batch
    const listed = await w.client.get(`${w.base}/api-keys`, w.owner.cookie);
    expect(listed.body.items[0].lastUsedAt).toBe(clock.now().toISOString());
    expect((await memory.apiKeys.findById(w.tenantId, id))?.lastUsedAt).toBeNull();
    await w.auth.close();
    expect(calls.filter((c) => c === 'recordUses')).toHaveLength(1);
    expect((await memory.apiKeys.findById(w.tenantId, id))?.lastUsedAt).toEqual(clock.now());
  });

  it('rotates with overlap: the successor has the same grants, the old key works until the overlap ends, and it is audited', async () => {
    const w = await world();
    const old = (await w.create({ permissions: ['invoice.read'], environment: 'test' })).body;
    await w.verify(old.key);
    const rotated = await w.client.post(
      `${w.base}/api-keys/${old.id}/rotate`,
      { overlapSeconds: 3600 },
      w.owner.cookie,
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({
      permissions: ['invoice.read'],
      environment: 'test',
      predecessorId: old.id,
      previous: { id: old.id, state: 'overlapping', successorId: rotated.body.id },
    });
    expect(rotated.body.key).toMatch(KEY_PATTERN);
    expect(rotated.body.key).not.toBe(old.key);
    // both work during the overlap; the old key's last use stays visible
    w.clock.advance(60);
    expect((await w.verify(old.key)).apiKey.id).toBe(old.id);
    expect((await w.verify(rotated.body.key)).apiKey.id).toBe(rotated.body.id);
    const listed = (await w.client.get(`${w.base}/api-keys`, w.owner.cookie)).body.items;
    expect(listed.find((k: { id: string }) => k.id === old.id)).toMatchObject({
      state: 'overlapping',
      lastUsedAt: w.clock.now().toISOString(),
    });
    // a key is rotated once
    expect((await w.client.post(`${w.base}/api-keys/${old.id}/rotate`, {}, w.owner.cookie)).status).toBe(409);
    w.clock.advance(3600);
    expect(await w.refusal(old.key)).toBe('api_key_expired');
    expect(await w.refusal(rotated.body.key)).toBe('verified');
    const audit = await w.storage.audit.list(w.tenantId, { limit: 10 });
    expect(audit.find((e) => e.action === 'api_key.rotated')).toMatchObject({
      targetId: old.id,
      data: { successorId: rotated.body.id },
    });
    expect((await w.deliver()).map((e) => e.type)).toContain('api_key.rotated');
  });

  it('ends the overlap now by revoking the rotated-out key, even while it is cached', async () => {
    const w = await world();
    const old = (await w.create({})).body;
    const next = (await w.client.post(`${w.base}/api-keys/${old.id}/rotate`, {}, w.owner.cookie)).body;
    // later than the rotation's own eviction, so this verification is cached
    w.clock.advance(1);
    await w.verify(old.key);
    expect((await w.client.post(`${w.base}/api-keys/${old.id}/revoke`, {}, w.owner.cookie)).status).toBe(204);
    expect(await w.refusal(old.key)).toBe('api_key_revoked');
    expect(await w.refusal(next.key)).toBe('verified');
  });

  it('gives 20 concurrent rotations of one key one successor', async () => {
    const w = await world();
    const old = (await w.create({})).body;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        w.client.post(`${w.base}/api-keys/${old.id}/rotate`, {}, w.owner.cookie),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    const listed = (await w.client.get(`${w.base}/api-keys`, w.owner.cookie)).body.items;
    expect(listed.filter((k: { predecessorId: string | null }) => k.predecessorId === old.id)).toHaveLength(
      1,
    );
  });

  it("is never more powerful than its owner now: a demoted owner's key is refused, a removed owner's key is revoked", async () => {
    const w = await world();
    const admin = await w.addMember(['admin'], 'admin');
    const adminId = admin.body.user.id as string;
    const { key } = (await w.create({ permissions: ['member.read'] }, admin.cookie)).body;
    const verified = await w.verify(key);
    const ask = () =>
      w.auth.api.authorize({ tenantId: w.tenantId, action: 'member.read', principal: verified.principal });
    expect((await ask()).allowed).toBe(true);
    expect((await w.patchMember(adminId, { roles: ['viewer'] }, w.owner.cookie)).status).toBe(200);
    expect(await ask()).toEqual({ allowed: false, reason: { kind: 'owner_not_allowed' } });
    expect((await w.removeMember(adminId, w.owner.cookie)).status).toBe(204);
    expect(await w.refusal(key)).toBe('api_key_revoked');
    expect(await w.storage.apiKeys.findById(w.tenantId, verified.apiKey.id)).toMatchObject({
      status: 'revoked',
      revokedReason: 'owner_removed',
    });
  });

  it("revokes a suspended user's keys in every tenant", async () => {
    const w = await world();
    const { key } = (await w.create({})).body;
    await w.verify(key);
    await w.auth.api.suspendUser(w.ownerId);
    expect(await w.refusal(key)).toBe('api_key_revoked');
  });

  // regression: a suspended tenant's keys kept verifying from the cache for up to cacheTtlSeconds
  it("refuses a suspended tenant's cached keys at once, and serves them again once it is reactivated", async () => {
    const w = await world();
    const userKey = (await w.create({})).body.key as string;
    const tenantKey = (await w.create({ owner: 'tenant' })).body.key as string;
    await w.verify(userKey);
    await w.verify(tenantKey);
    // cached now: the fake clock never lets the entries age out
    const suspend = (status: string) =>
      w.client.call('PATCH', w.base, { body: { status }, cookie: w.owner.cookie });
    expect((await suspend('suspended')).status).toBe(200);
    expect(await w.refusal(userKey)).toBe('api_key_revoked');
    expect(await w.refusal(tenantKey)).toBe('api_key_revoked');
    // suspension revokes nothing: the keys work again with their tenant
    expect((await suspend('active')).status).toBe(200);
    expect(await w.refusal(userKey)).toBe('verified');
    expect(await w.refusal(tenantKey)).toBe('verified');
  });

  it("applies the key's own condition: a source CIDR", async () => {
    const w = await world();
    const { key } = (
      await w.create({ constraints: { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] }, owner: 'tenant' })
    ).body;
    const { principal } = await w.verify(key);
    expect(principal.ownerUserId).toBeNull();
    const ask = (ip: string) =>
      w.auth.api.authorize({ tenantId: w.tenantId, action: 'invoice.read', principal, ip });
    expect((await ask('10.1.2.3')).allowed).toBe(true);
    expect(await ask('192.0.2.1')).toEqual({ allowed: false, reason: { kind: 'key_constraint' } });
    expect((await w.create({ constraints: { cidr: [{ ref: 'context.ip' }, 'nope'] } })).status).toBe(400);
  });

  it('keeps tenants apart: another tenant cannot list, rotate or revoke a key', async () => {
    const w = await world();
    const { id } = (await w.create({})).body;
    const other = await w.client.signUp(uniqueEmail('other'), PASSWORD);
    const tenant = await w.client.post('/tenants', { slug: `o-${Date.now()}`, name: 'Other' }, other.cookie);
    const base = `/tenants/${tenant.body.id}`;
    expect((await w.client.get(`${base}/api-keys`, other.cookie)).body.items).toEqual([]);
    expect((await w.client.post(`${base}/api-keys/${id}/rotate`, {}, other.cookie)).status).toBe(404);
    expect((await w.client.post(`${base}/api-keys/${id}/revoke`, {}, other.cookie)).status).toBe(404);
    expect((await w.client.get(`${w.base}/api-keys`, other.cookie)).status).toBe(404);
  });
});

describe('API key revocation across instances', () => {
  it('stops a key cached on another instance as soon as the revocation is announced', async () => {
    const storage = memoryStorage();
    const keyValue = memoryKeyValue();
    const config = {
      storage,
      keyValue,
      secret: 'a-test-secret-that-is-long-enough-0123456789',
      baseURL: ORIGIN,
      rateLimit: { enabled: false },
      outbox: { autoStart: false },
      authorization: { permissions: { invoice: ['read'] } },
      apiKeys: { cacheTtlSeconds: 30 },
    } as const;
    const a = createAuth(config);
    const b = createAuth(config);
    try {
      const signedUp = await a.api.signUp({ email: uniqueEmail('owner'), password: PASSWORD });
      const userId = (signedUp as { user: { id: string } }).user.id;
      const tenant = await a.api.createTenant(userId, { slug: `x-${Date.now()}`, name: 'X' });
      const { key, apiKey } = await a.api.createApiKey(tenant.id, userId, {
        name: 'k',
        permissions: ['invoice.read'],
      });
      await b.api.verifyApiKey(key); // cached on b
      await a.api.revokeApiKey(tenant.id, userId, apiKey.id);
      const deadline = Date.now() + 1000;
      let code: string | undefined;
      while (Date.now() < deadline) {
        code = await b.api.verifyApiKey(key).then(
          () => undefined,
          (error) => (isAuthError(error) ? error.code : String(error)),
        );
        if (code) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(code).toBe('api_key_revoked');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
