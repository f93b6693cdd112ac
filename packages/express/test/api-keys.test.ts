import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Auth, createAuth, silentLogger } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import express from 'express';
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
