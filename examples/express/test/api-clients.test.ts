import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/app.js';
import { databaseTargets } from './support/database-targets.js';
import { exampleClient, PASSWORD } from './support/example-client.js';

// The flow the page's "API client" card drives, over HTTP against the running example: M2M
// clients created by a tenant's owner, POST /api/demo/client-call (the server playing the client:
// token at /auth/oauth/token, then the machine API), and the machine API's bearer guard itself.
// On SQLite, and on PostgreSQL and MariaDB when their URLs are set (the report counts in SQL).

describe.each(
  databaseTargets('clients'),
)('the API client card’s flow and the machine API on $name', (target) => {
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
      body: { slug: `ledger-${randomBytes(3).toString('hex')}`, name: 'Ledger' },
    });
    expect(created.status).toBe(201);
    tenantId = created.body.id;
    for (const visibility of ['tenant', 'tenant', 'private']) {
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

  async function createClient(body: Record<string, unknown>) {
    const created = await send('POST', `/auth/tenants/${tenantId}/clients`, {
      cookie: owner.cookie,
      body: { name: 'Reporting job', ...body },
    });
    expect(created.status).toBe(201);
    return created.body as { id: string; secret: string };
  }

  const clientCall = (clientId: string, clientSecret: string, cookie = owner.cookie) =>
    send('POST', '/api/demo/client-call', { cookie, body: { clientId, clientSecret } });

  it("gets a token for a client with reports:read and shows the API's report, never the token itself", async () => {
    const client = await createClient({ environment: 'test', scopes: ['reports:read'] });
    const result = await clientCall(client.id, client.secret);

    expect(result.status).toBe(200);
    expect(result.body.token).toEqual({
      status: 200,
      body: { token_type: 'Bearer', expires_in: 300, scope: 'reports:read' },
    });
    expect(result.body.claims).toMatchObject({
      sub: client.id,
      client_id: client.id,
      tid: tenantId,
      env: 'test',
      scope: 'reports:read',
    });
    expect(result.body.api).toMatchObject({
      request: 'GET /api/resource/reports',
      status: 200,
      wwwAuthenticate: null,
      body: {
        tenantId,
        documents: { total: 3, tenant: 2, private: 1 },
        caller: { clientId: client.id, environment: 'test', scopes: ['reports:read'] },
      },
    });
    expect(JSON.stringify(result.body)).not.toMatch(/access_token|eyJ/);
  });

  it('lets the API refuse a client without reports:read (403 insufficient_scope, with the challenge)', async () => {
    const client = await createClient({ scopes: [] });
    const result = await clientCall(client.id, client.secret);
    expect(result.body.token.status).toBe(200);
    expect(result.body.api).toMatchObject({
      status: 403,
      wwwAuthenticate: expect.stringMatching(/^Bearer error="insufficient_scope", .*scope="reports:read"$/),
      body: { code: 'insufficient_scope', scopes: ['reports:read'] },
    });
  });

  it('shows the token endpoint refusing a wrong secret, and a deleted client, without calling the API', async () => {
    const client = await createClient({ scopes: ['reports:read'] });
    const wrong = await clientCall(client.id, `${client.secret.slice(0, -2)}xx`);
    expect(wrong.status).toBe(200);
    expect(wrong.body).toMatchObject({
      token: { status: 401, body: { error: 'invalid_client' } },
      api: null,
    });

    expect(
      (await send('DELETE', `/auth/tenants/${tenantId}/clients/${client.id}`, { cookie: owner.cookie }))
        .status,
    ).toBe(204);
    const deleted = await clientCall(client.id, client.secret);
    expect(deleted.body).toMatchObject({
      token: { status: 401, body: { error: 'invalid_client' } },
      api: null,
    });
  });

  it('runs only for a signed-in person from the page’s origin, with both credentials as strings', async () => {
    const client = await createClient({ scopes: ['reports:read'] });
    const signedOut = await send('POST', '/api/demo/client-call', {
      body: { clientId: client.id, clientSecret: client.secret },
    });
    expect([signedOut.status, signedOut.body.code]).toEqual([401, 'unauthenticated']);
    const forged = await send('POST', '/api/demo/client-call', {
      cookie: owner.cookie,
      headers: { origin: 'https://evil.example' },
      body: { clientId: client.id, clientSecret: client.secret },
    });
    expect([forged.status, forged.body.code]).toEqual([403, 'csrf_origin_mismatch']);
    for (const body of [{}, { clientId: client.id }, { clientId: client.id, clientSecret: 42 }]) {
      const bad = await send('POST', '/api/demo/client-call', { cookie: owner.cookie, body });
      expect([bad.status, bad.body.code]).toEqual([400, 'invalid_request']);
    }
  });

  describe('GET /api/resource/reports', () => {
    const reports = (authorization?: string) =>
      send('GET', '/api/resource/reports', { headers: authorization ? { authorization } : {} });

    it('answers 401 with a bare Bearer challenge without a token, and invalid_token for a bad one', async () => {
      const none = await reports();
      expect([none.status, none.body.code]).toEqual([401, 'unauthenticated']);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      // the session cookie is not what this API takes
      const cookieOnly = await send('GET', '/api/resource/reports', { cookie: owner.cookie });
      expect(cookieOnly.status).toBe(401);

      const bad = await reports('Bearer eyJhbGciOiJub25lIn0.e30.');
      expect([bad.status, bad.body.code]).toEqual([401, 'access_token_invalid']);
      expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    });

    it("refuses a person's token (token mode): it carries no client scope", async () => {
      const login = await send('POST', '/auth/login', {
        body: { email: owner.email, password: PASSWORD, delivery: 'token' },
        ip: '198.51.100.200',
      });
      expect(login.status).toBe(200);
      const refused = await reports(`Bearer ${login.body.access_token}`);
      expect([refused.status, refused.body.code]).toEqual([403, 'insufficient_scope']);
    });

    it("stops accepting a client's token once the client is deleted", async () => {
      const client = await createClient({ scopes: ['reports:read'] });
      const issued = await fetch(`${base}/auth/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: client.id,
          client_secret: client.secret,
        }),
      });
      const { access_token: token } = (await issued.json()) as { access_token: string };
      expect((await reports(`Bearer ${token}`)).status).toBe(200);
      await send('DELETE', `/auth/tenants/${tenantId}/clients/${client.id}`, { cookie: owner.cookie });
      const refused = await reports(`Bearer ${token}`);
      expect([refused.status, refused.body.code]).toEqual([401, 'access_token_invalid']);
    });
  });
});
