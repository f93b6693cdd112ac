import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/app.js';
import { databaseTargets } from './support/database-targets.js';
import { exampleClient } from './support/example-client.js';

// The flow the page's "API keys" card drives, over HTTP against the running example: keys created,
// listed, rotated and revoked by a tenant's owner through Portcullis's routes, and the versioned
// API they call, GET /api/v1/reports (live keys) and GET /api/test/v1/reports (test keys).
// On SQLite, and on PostgreSQL and MariaDB when their URLs are set.

interface ShownKey {
  id: string;
  key: string;
  environment: string;
  start: string;
  lastFour: string;
}

describe.each(databaseTargets('api-keys'))('the API keys card’s flow and /api/v1 on $name', (target) => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let base: string;
  let owner: { email: string; cookie: string };
  let tenantId: string;
  const { send, signUp } = exampleClient(() => ({ base, cookieName: server.auth.sessionCookieName }));

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: target.databaseUrl(),
      tablePrefix: target.tablePrefix,
      secret: randomBytes(32).toString('base64url'),
      trustProxy: true,
    });
    base = server.url;
    owner = await signUp('owner');
    const created = await send('POST', '/auth/tenants', {
      cookie: owner.cookie,
      body: { slug: `keys-${randomBytes(3).toString('hex')}`, name: 'Keys' },
    });
    expect(created.status).toBe(201);
    tenantId = created.body.id;
    for (const visibility of ['tenant', 'private']) {
      const doc = await send('POST', `/api/tenants/${tenantId}/documents`, {
        cookie: owner.cookie,
        body: { title: `A ${visibility} note`, visibility },
      });
      expect(doc.status).toBe(201);
    }
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await target.cleanup();
  });

  const keysPath = (rest = '') => `/auth/tenants/${tenantId}/api-keys${rest}`;

  async function createKey(body: Record<string, unknown>): Promise<ShownKey> {
    const created = await send('POST', keysPath(), {
      cookie: owner.cookie,
      body: { name: 'CI deploys', permissions: ['report.read'], ...body },
    });
    expect(created.status).toBe(201);
    return created.body;
  }

  async function listed(id: string) {
    const list = await send('GET', keysPath(), { cookie: owner.cookie });
    expect(list.status).toBe(200);
    return (list.body.items as Record<string, unknown>[]).find((key) => key.id === id);
  }

  const reports = (headers: Record<string, string> = {}, path = '/api/v1/reports') =>
    send('GET', path, { headers });

  it('answers GET /api/v1/reports to a live key in x-api-key and in Authorization: Bearer, and lists its last use', async () => {
    const shown = await createKey({ environment: 'live' });
    expect(shown.key).toMatch(/^pc_live_[A-Za-z0-9]+$/);
    expect(await listed(shown.id)).toMatchObject({ lastUsedAt: null, state: 'active' });

    const presented: Record<string, string>[] = [
      { 'x-api-key': shown.key },
      { authorization: `Bearer ${shown.key}` },
    ];
    for (const headers of presented) {
      const answered = await reports(headers);
      expect(answered.status).toBe(200);
      expect(answered.body).toMatchObject({
        tenantId,
        documents: { total: 2, tenant: 1, private: 1 },
        caller: { apiKeyId: shown.id, name: 'CI deploys', environment: 'live', permissions: ['report.read'] },
      });
      expect(answered.headers.get('cache-control')).toBe('no-store');
    }
    // the listing on the instance that saw the use shows it at once (written about once a minute)
    const after = await listed(shown.id);
    expect(after).toMatchObject({
      start: shown.start,
      lastFour: shown.lastFour,
      lastUsedAt: expect.any(String),
    });
    expect(JSON.stringify(after)).not.toContain(shown.key);
  });

  it('keeps environments apart: a test key calls /api/test/v1 only, a live key /api/v1 only', async () => {
    const test = await createKey({ environment: 'test' });
    expect(test.key).toMatch(/^pc_test_/);
    const onLive = await reports({ 'x-api-key': test.key });
    expect([onLive.status, onLive.body.code]).toEqual([403, 'api_key_wrong_environment']);
    const onTest = await reports({ 'x-api-key': test.key }, '/api/test/v1/reports');
    expect(onTest.status).toBe(200);
    expect(onTest.body.caller).toMatchObject({ apiKeyId: test.id, environment: 'test' });

    const live = await createKey({ environment: 'live' });
    const liveOnTest = await reports({ 'x-api-key': live.key }, '/api/test/v1/reports');
    expect([liveOnTest.status, liveOnTest.body.code]).toEqual([403, 'api_key_wrong_environment']);
  });

  it('refuses a revoked key at once (401 api_key_revoked)', async () => {
    const shown = await createKey({});
    expect((await reports({ 'x-api-key': shown.key })).status).toBe(200);
    const revoked = await send('POST', keysPath(`/${shown.id}/revoke`), { cookie: owner.cookie });
    expect(revoked.status).toBe(204);
    const refused = await reports({ 'x-api-key': shown.key });
    expect([refused.status, refused.body.code]).toEqual([401, 'api_key_revoked']);
    // the list shows the keys that still work
    expect(await listed(shown.id)).toBeUndefined();
  });

  it('keeps a rotated-out key working during its overlap, listed as overlapping, until it is revoked', async () => {
    const old = await createKey({ name: 'Nightly export' });
    const rotated = await send('POST', keysPath(`/${old.id}/rotate`), {
      cookie: owner.cookie,
      body: { overlapSeconds: 3600 },
    });
    expect(rotated.status).toBe(200);
    const successor = rotated.body as ShownKey & { previous: { id: string; overlapEndsAt: string } };
    expect(successor.key).not.toBe(old.key);
    expect(successor.previous.id).toBe(old.id);

    for (const key of [old.key, successor.key]) {
      expect((await reports({ 'x-api-key': key })).status).toBe(200);
    }
    const listedOld = await listed(old.id);
    expect(listedOld).toMatchObject({ state: 'overlapping', successorId: successor.id });
    const endsInSeconds = (Date.parse(String(listedOld?.overlapEndsAt)) - Date.now()) / 1000;
    expect(endsInSeconds).toBeGreaterThan(3500);
    expect(endsInSeconds).toBeLessThanOrEqual(3600);
    expect(await listed(successor.id)).toMatchObject({ state: 'active', name: 'Nightly export' });

    // revoking the old key ends the overlap now; its successor goes on
    await send('POST', keysPath(`/${old.id}/revoke`), { cookie: owner.cookie });
    const refused = await reports({ 'x-api-key': old.key });
    expect([refused.status, refused.body.code]).toEqual([401, 'api_key_revoked']);
    expect((await reports({ 'x-api-key': successor.key })).status).toBe(200);
  });

  it("refuses a key whose permissions lack the route's (403 forbidden)", async () => {
    const shown = await createKey({ name: 'Reader', permissions: ['document.read'] });
    const refused = await reports({ 'x-api-key': shown.key });
    expect([refused.status, refused.body.code]).toEqual([403, 'forbidden']);
  });

  it('refuses a request without a key, with a session instead, or with a mistyped or unknown key', async () => {
    const none = await reports();
    expect([none.status, none.body.code]).toEqual([401, 'unauthenticated']);
    // a person's session is not what this API takes
    const session = await send('GET', '/api/v1/reports', { cookie: owner.cookie });
    expect([session.status, session.body.code]).toEqual([401, 'unauthenticated']);

    const shown = await createKey({});
    const last = shown.key.at(-1) === 'a' ? 'b' : 'a';
    const mistyped = await reports({ 'x-api-key': `${shown.key.slice(0, -1)}${last}` });
    expect([mistyped.status, mistyped.body.code]).toEqual([401, 'api_key_malformed']);
    // a well-formed key this install never issued: the same database under another app secret,
    // so another derived pepper, finds no key with its hash
    const other = await startServer({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: target.databaseUrl(),
      tablePrefix: target.tablePrefix,
      secret: randomBytes(32).toString('base64url'),
    });
    try {
      const unknown = await fetch(`${other.url}/api/v1/reports`, { headers: { 'x-api-key': shown.key } });
      expect(unknown.status).toBe(401);
      expect(((await unknown.json()) as { code: string }).code).toBe('api_key_invalid');
    } finally {
      await other.close();
    }
  });
});
