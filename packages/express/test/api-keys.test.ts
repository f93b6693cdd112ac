import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Auth,
  type CreateApiKeyInput,
  createAuth,
  type SetApiKeyLimitsInput,
  silentLogger,
} from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import express from 'express';
import { type Item, parseList } from 'structured-headers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authErrorHandler, mountAuth, requireApiKey, requireAuth, requireEnvironment } from '../src/index.js';

const BASE_URL = 'http://localhost:3000';
const PASSWORD = 'correct horse battery staple';

/** API keys through Express: requireApiKey, requireAuth({ apiKeys }) and requireEnvironment over real HTTP. */
describe('API key guards', () => {
  let auth: Auth;
  let server: Server;
  let url: string;
  let tenantId: string;
  let userId: string;
  let cookie: string;
  const keys = {} as Record<'live' | 'test', string>;

  beforeAll(async () => {
    auth = createAuth({
      storage: memoryStorage(),
      secret: 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz',
      baseURL: BASE_URL,
      rateLimit: { enabled: false },
      logger: silentLogger,
      authorization: { permissions: { invoice: ['read', 'update'] } },
    });
    const app = express();
    mountAuth(app, auth);
    app.get(
      '/api/v1/invoices',
      requireApiKey(auth, { environment: 'live', permission: 'invoice.read' }),
      (req, res) => {
        res.json({ tenantId: req.apiKey?.tenantId, keyId: req.apiKey?.apiKey.id });
      },
    );
    app.post('/api/v1/invoices', requireApiKey(auth, { permission: 'invoice.update' }), (_req, res) => {
      res.status(201).json({ ok: true });
    });
    app.get('/api/either', requireAuth(auth, { apiKeys: true }), requireEnvironment('live'), (req, res) => {
      res.json({ by: req.apiKey ? 'api_key' : 'session', environment: req.apiKey?.environment ?? null });
    });
    app.use(authErrorHandler());
    server = app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const signedUp = await auth.api.signUp({ email: `keys.${Date.now()}@example.com`, password: PASSWORD });
    userId = (signedUp as { user: { id: string } }).user.id;
    cookie = `${auth.sessionCookieName}=${(signedUp as { token: string }).token}`;
    tenantId = (await auth.api.createTenant(userId, { slug: `keys-${Date.now()}`, name: 'Keys' })).id;
    for (const environment of ['live', 'test'] as const) {
      keys[environment] = (
        await auth.api.createApiKey(tenantId, userId, {
          name: environment,
          environment,
          permissions: ['invoice.read'],
        })
      ).key;
    }
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await auth.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(url + path, { headers });
  const codeOf = async (response: Response) => {
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    return (await response.json()).code as string;
  };

  it('lets a live key through from x-api-key or Authorization: Bearer, with req.apiKey set', async () => {
    for (const headers of [{ 'x-api-key': keys.live }, { authorization: `Bearer ${keys.live}` }] as Record<
      string,
      string
    >[]) {
      const response = await get('/api/v1/invoices', headers);
      expect(response.status).toBe(200);
      expect((await response.json()).tenantId).toBe(tenantId);
    }
  });

  it('answers each refusal with its own problem code', async () => {
    expect(await codeOf(await get('/api/v1/invoices'))).toBe('unauthenticated');
    const edited = keys.live.replace('_live_', '_test_');
    const missing = await get('/api/v1/invoices', { 'x-api-key': edited });
    expect(missing.status).toBe(401);
    expect(await codeOf(missing)).toBe('api_key_malformed');
    const wrongEnvironment = await get('/api/v1/invoices', { 'x-api-key': keys.test });
    expect(wrongEnvironment.status).toBe(403);
    expect(await codeOf(wrongEnvironment)).toBe('api_key_wrong_environment');
  });

  it('checks the permission with the key as principal: 403 forbidden beyond its permissions', async () => {
    const response = await fetch(`${url}/api/v1/invoices`, {
      method: 'POST',
      headers: { 'x-api-key': keys.live },
    });
    expect(response.status).toBe(403);
    const body = await response.json();
    expect(body).toMatchObject({ code: 'forbidden', reason: { kind: 'outside_grants' } });
  });

  it('requireAuth({ apiKeys: true }) takes a session or a key; requireEnvironment refuses a test key on a live route', async () => {
    expect(await (await get('/api/either', { cookie })).json()).toEqual({ by: 'session', environment: null });
    expect(await (await get('/api/either', { 'x-api-key': keys.live })).json()).toEqual({
      by: 'api_key',
      environment: 'live',
    });
    const test = await get('/api/either', { authorization: `Bearer ${keys.test}` });
    expect(test.status).toBe(403);
    expect(await codeOf(test)).toBe('api_key_wrong_environment');
    expect(await codeOf(await get('/api/either'))).toBe('unauthenticated');
  });

  it('refuses a revoked key at once', async () => {
    const { key, apiKey } = await auth.api.createApiKey(tenantId, userId, {
      name: 'short-lived',
      permissions: ['invoice.read'],
    });
    expect((await get('/api/v1/invoices', { 'x-api-key': key })).status).toBe(200);
    await auth.api.revokeApiKey(tenantId, userId, apiKey.id);
    expect(await codeOf(await get('/api/v1/invoices', { 'x-api-key': key }))).toBe('api_key_revoked');
  });
});

/**
 * The key's limits through Express over real HTTP: its rate-limit policies and credits answer
 * 429 (never 401) with Retry-After and the RateLimit fields; a passing key gets the fields too;
 * an address spraying bad keys is stopped by `apiKeyLookup`.
 */
describe('API key limits through the guards', () => {
  const QUOTA_EXCEEDED = 'https://iana.org/assignments/http-problem-types#quota-exceeded';

  /** The parameters of one policy's item in a RateLimit-Policy or RateLimit field. */
  function item(field: string | null, policy: string): Record<string, unknown> {
    expect(field, `a field naming ${policy}`).not.toBeNull();
    const found = (parseList(field!) as Item[]).find(([name]) => name === policy);
    expect(found, `${field} names ${policy}`).toBeDefined();
    const { pk, ...parameters } = Object.fromEntries(found![1]);
    expect(pk).toBeInstanceOf(ArrayBuffer);
    return parameters;
  }

  async function start() {
    const auth = createAuth({
      storage: memoryStorage(),
      secret: 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz',
      baseURL: BASE_URL,
      trustProxy: false,
      rateLimit: {
        rules: { apiKeyLookup: { limit: 4, windowSeconds: 60 } },
        policies: [{ name: 'partner', operations: ['apiKey'], key: 'apiKey', limit: 2, periodSeconds: 60 }],
      },
      logger: silentLogger,
      authorization: { permissions: { invoice: ['read'] } },
    });
    const app = express();
    app.get('/api/v1/invoices', requireApiKey(auth, { permission: 'invoice.read' }), (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/api/either', requireAuth(auth, { apiKeys: true }), (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/api/live', requireAuth(auth, { apiKeys: { environment: 'live' } }), (_req, res) => {
      res.json({ ok: true });
    });
    const server = app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const signedUp = await auth.api.signUp({ email: `limits.${Date.now()}@example.com`, password: PASSWORD });
    const owner = (signedUp as { user: { id: string } }).user.id;
    const tenant = (await auth.api.createTenant(owner, { slug: `limits-${Date.now()}`, name: 'Limits' })).id;
    /** A key the owner creates, with the limits the operator then sets (server-side). */
    const keyWith = async (limits: SetApiKeyLimitsInput, extra: Partial<CreateApiKeyInput> = {}) => {
      const created = await auth.api.createApiKey(tenant, owner, {
        name: 'k',
        permissions: ['invoice.read'],
        ...extra,
      });
      await auth.api.setApiKeyLimits(tenant, created.apiKey.id, limits);
      return created.key;
    };
    const creditsOf = async (key: string) =>
      (await auth.api.listApiKeys(tenant, owner)).items.find((k) => key.endsWith(k.lastFour))?.credits
        ?.remaining;
    const get = (path: string, key: string) => fetch(base + path, { headers: { 'x-api-key': key } });
    const stop = async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await auth.close();
    };
    return { keyWith, creditsOf, get, stop };
  }

  /** Well-formed keys this install never issued: another install's (its own storage and pepper). */
  async function unknownKeys(count: number): Promise<string[]> {
    const elsewhere = createAuth({
      storage: memoryStorage(),
      secret: 'another-secret-0123456789abcdefghijklmnopqrstuvwxyz',
      baseURL: BASE_URL,
      rateLimit: { enabled: false },
      logger: silentLogger,
    });
    const signedUp = await elsewhere.api.signUp({
      email: `elsewhere.${Date.now()}@example.com`,
      password: PASSWORD,
    });
    const owner = (signedUp as { user: { id: string } }).user.id;
    const tenant = (await elsewhere.api.createTenant(owner, { slug: `else-${Date.now()}`, name: 'Else' })).id;
    const keys: string[] = [];
    for (let i = 0; i < count; i++) {
      keys.push(
        (await elsewhere.api.createApiKey(tenant, owner, { name: `k${i}`, permissions: ['tenant.update'] }))
          .key,
      );
    }
    await elsewhere.close();
    return keys;
  }

  it("sends a passing key's RateLimit fields, and 429 rate_limited with Retry-After and the fields over its policy", async () => {
    const app = await start();
    try {
      const key = await app.keyWith({ rateLimitPolicies: ['partner'], credits: { remaining: 100 } });
      for (const [path, remaining] of [
        ['/api/v1/invoices', 1],
        ['/api/either', 0],
      ] as const) {
        const passed = await app.get(path, key);
        expect(passed.status, path).toBe(200);
        expect(item(passed.headers.get('ratelimit-policy'), 'partner')).toEqual({ q: 2, w: 60 });
        expect(item(passed.headers.get('ratelimit'), 'partner')).toMatchObject({ r: remaining });
      }
      for (const path of ['/api/v1/invoices', '/api/either']) {
        const limited = await app.get(path, key);
        expect(limited.status, path).toBe(429);
        expect(limited.headers.get('retry-after')).toBe('30');
        expect(item(limited.headers.get('ratelimit-policy'), 'partner')).toEqual({ q: 2, w: 60 });
        expect(item(limited.headers.get('ratelimit'), 'partner')).toMatchObject({ r: 0 });
        expect(await limited.json()).toMatchObject({
          type: QUOTA_EXCEEDED,
          code: 'rate_limited',
          'violated-policies': ['partner'],
        });
      }
    } finally {
      await app.stop();
    }
  });

  it('answers 429 api_key_credits_exhausted (quota-exceeded, never 401) once the credits are spent', async () => {
    const app = await start();
    try {
      const key = await app.keyWith({
        rateLimitPolicies: [],
        credits: { remaining: 1, refill: { amount: 1, interval: 'month' } },
      });
      expect((await app.get('/api/v1/invoices', key)).status).toBe(200);
      for (const path of ['/api/v1/invoices', '/api/either']) {
        const exhausted = await app.get(path, key);
        expect(exhausted.status, path).toBe(429);
        expect(Number(exhausted.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await exhausted.json()).toMatchObject({
          type: QUOTA_EXCEEDED,
          code: 'api_key_credits_exhausted',
        });
      }
    } finally {
      await app.stop();
    }
  });

  it('stops one address spraying bad keys (apiKeyLookup), while its cached valid key keeps working', async () => {
    const app = await start();
    try {
      const valid = await app.keyWith({ rateLimitPolicies: [] });
      expect((await app.get('/api/v1/invoices', valid)).status).toBe(200);
      const sprayed = await Promise.all(
        (await unknownKeys(6)).map(async (unknown) => {
          const response = await app.get('/api/v1/invoices', unknown);
          return { status: response.status, body: await response.json(), retryAfter: response.headers };
        }),
      );
      // 4 lookups a minute from this address, one spent on the valid key
      expect(sprayed.filter((r) => r.status === 401)).toHaveLength(3);
      const limited = sprayed.filter((r) => r.status === 429);
      expect(limited).toHaveLength(3);
      for (const { body, retryAfter } of limited) {
        expect(body).toMatchObject({ code: 'rate_limited', 'violated-policies': ['apiKeyLookup'] });
        expect(item(retryAfter.get('ratelimit-policy'), 'apiKeyLookup')).toEqual({ q: 4, w: 60 });
        expect(Number(retryAfter.get('retry-after'))).toBeGreaterThan(0);
      }
      for (let i = 0; i < 5; i++) expect((await app.get('/api/v1/invoices', valid)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it('refuses a use from outside the key’s CIDR (requireApiKey with a permission) without spending a credit', async () => {
    const app = await start();
    try {
      // the test server is reached from 127.0.0.1: outside the key's network
      const key = await app.keyWith(
        { rateLimitPolicies: ['partner'], credits: { remaining: 3 } },
        { constraints: { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] } },
      );
      for (let i = 0; i < 4; i++) {
        const refused = await app.get('/api/v1/invoices', key);
        expect(refused.status).toBe(403);
        expect(await refused.json()).toMatchObject({ code: 'forbidden', reason: { kind: 'key_constraint' } });
      }
      expect(await app.creditsOf(key)).toBe(3);
    } finally {
      await app.stop();
    }
  });

  it("refuses a test key on requireAuth({ apiKeys: { environment: 'live' } }) without spending a credit", async () => {
    const app = await start();
    try {
      const key = await app.keyWith({ credits: { remaining: 2 } }, { environment: 'test' });
      for (let i = 0; i < 3; i++) {
        const refused = await app.get('/api/live', key);
        expect(refused.status).toBe(403);
        expect(await refused.json()).toMatchObject({ code: 'api_key_wrong_environment' });
      }
      expect(await app.creditsOf(key)).toBe(2);
      expect((await app.get('/api/either', key)).status).toBe(200);
      expect(await app.creditsOf(key)).toBe(1);
    } finally {
      await app.stop();
    }
  });
});
