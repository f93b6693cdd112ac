import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKyselyFromUrl, migrate } from '@portcullis/adapter-kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/app.js';

// Drives the example app over real HTTP, started in-process on a free port. It imports the
// workspace packages from source (vitest aliases), so no build is needed.

interface Target {
  name: string;
  databaseUrl: () => string;
  tablePrefix?: string;
  cleanup: () => Promise<void>;
}

const tempDir = mkdtempSync(join(tmpdir(), 'portcullis-example-e2e-'));
const targets: Target[] = [
  {
    name: 'SQLite',
    databaseUrl: () => `sqlite:${join(tempDir, 'e2e.sqlite')}`,
    cleanup: async () => rmSync(tempDir, { recursive: true, force: true }),
  },
];
/** A server database named by env: its own random table prefix, dropped afterwards. */
function serverTarget(name: string, url: string | undefined): Target | null {
  if (!url) return null;
  const tablePrefix = `e2e_${randomBytes(4).toString('hex')}_`;
  return {
    name,
    databaseUrl: () => url,
    tablePrefix,
    async cleanup() {
      const { db, close } = await createKyselyFromUrl(url);
      try {
        await migrate(db, { direction: 'down', steps: Number.POSITIVE_INFINITY, tablePrefix });
      } finally {
        await close();
      }
    },
  };
}
for (const target of [
  serverTarget('PostgreSQL', process.env.PORTCULLIS_TEST_POSTGRES_URL),
  serverTarget('MariaDB', process.env.PORTCULLIS_TEST_MYSQL_URL),
]) {
  if (target) targets.push(target);
}

const PASSWORD = 'correct horse battery staple';

interface Sent {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON, whose shape the assertions check
  body: Record<string, any> | null;
}

describe.each(targets)('the Express example on $name', (target) => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let base: string;
  let cookieName: string;

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: target.databaseUrl(),
      tablePrefix: target.tablePrefix,
      secret: randomBytes(32).toString('base64url'),
    });
    base = server.url;
    cookieName = server.auth.sessionCookieName;
  });

  afterAll(async () => {
    await server?.close();
    await target.cleanup();
  });

  /**
   * One request, as a same-origin browser page would send it unless told otherwise. Every
   * response, success or problem, must carry a request id and forbid caching.
   */
  async function send(
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; cookie?: string; headers?: Record<string, string> } = {},
  ): Promise<Sent> {
    const headers: Record<string, string> = { origin: base };
    if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
    if (options.cookie) headers.cookie = options.cookie;
    const response = await fetch(base + path, {
      method,
      headers: { ...headers, ...options.headers },
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    expect(response.headers.get('x-request-id'), `${method} ${path}`).toBeTruthy();
    expect(response.headers.get('cache-control'), `${method} ${path}`).toBe('no-store');
    const text = await response.text();
    const body = text === '' ? null : JSON.parse(text);
    if (response.status >= 400) {
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(body).toMatchObject({
        status: response.status,
        code: expect.any(String),
        title: expect.any(String),
      });
    }
    return { status: response.status, headers: response.headers, body };
  }

  function sessionCookie(sent: Sent): string {
    const line = sent.headers.getSetCookie().find((c) => c.startsWith(`${cookieName}=`));
    expect(line, 'session cookie').toBeDefined();
    return line.split(';')[0]!;
  }

  async function signUp(email: string): Promise<string> {
    const sent = await send('POST', '/auth/signup', { body: { email, password: PASSWORD } });
    expect(sent.status).toBe(201);
    return sessionCookie(sent);
  }

  const email = (name: string) => `${name}-${randomBytes(3).toString('hex')}@example.com`;

  it('runs the session lifecycle: sign up, second login, list, revoke others, log out', async () => {
    const address = email('ada');
    const first = await signUp(address);

    const login = await send('POST', '/auth/login', { body: { email: address, password: PASSWORD } });
    expect(login.status).toBe(200);
    const second = sessionCookie(login);
    expect(second).not.toBe(first);

    const session = await send('GET', '/auth/session', { cookie: second });
    expect(session.status).toBe(200);
    expect(session.body!.user.email).toBe(address);

    const me = await send('GET', '/api/me', { cookie: second });
    expect(me.status).toBe(200);
    expect(me.body!.user.email).toBe(address);

    const sessions = await send('GET', '/auth/sessions', { cookie: second });
    expect(sessions.status).toBe(200);
    expect(sessions.body!.items).toHaveLength(2);
    expect(sessions.body!.items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);

    const revoked = await send('POST', '/auth/sessions/revoke-others', { cookie: second });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ revoked: 1 });

    const old = await send('GET', '/auth/session', { cookie: first });
    expect(old.status).toBe(401);
    expect(old.body!.code).toBe('unauthenticated');
    expect((await send('GET', '/api/me', { cookie: first })).status).toBe(401);

    const logout = await send('POST', '/auth/logout', { cookie: second });
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie().some((c) => c.startsWith(`${cookieName}=;`))).toBe(true);

    expect((await send('GET', '/auth/session', { cookie: second })).status).toBe(401);
    expect((await send('GET', '/api/me', { cookie: second })).status).toBe(401);
  });

  it("lets a tenant's owner see its members and hides the tenant from everyone else", async () => {
    const alice = await signUp(email('alice'));
    const bob = await signUp(email('bob'));
    const slug = `acme-${randomBytes(3).toString('hex')}`;

    const created = await send('POST', '/auth/tenants', { cookie: alice, body: { slug, name: 'Acme' } });
    expect(created.status).toBe(201);
    const tenantId = created.body!.id as string;

    const listed = await send('GET', '/auth/tenants', { cookie: alice });
    expect(listed.body!.items.map((t: { id: string }) => t.id)).toEqual([tenantId]);

    const members = await send('GET', `/auth/tenants/${tenantId}/members`, { cookie: alice });
    expect(members.status).toBe(200);
    expect(members.body!.items).toHaveLength(1);
    expect(members.body!.items[0].roles).toEqual(['owner']);

    expect((await send('GET', `/auth/tenants/${tenantId}/members`, { cookie: bob })).status).toBe(404);
    expect((await send('GET', `/auth/tenants/${tenantId}`, { cookie: bob })).status).toBe(404);
    expect((await send('GET', '/auth/tenants', { cookie: bob })).body!.items).toEqual([]);
  });

  it('refuses cookie-authenticated unsafe requests from another origin or with no origin at all', async () => {
    const cookie = await signUp(email('carol'));
    const body = { slug: `evil-${randomBytes(3).toString('hex')}`, name: 'Evil' };

    const crossSite = await send('POST', '/auth/tenants', {
      cookie,
      body,
      headers: { origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body!.code).toBe('csrf_origin_mismatch');

    // fetch sends no Referer by itself, and an empty Origin header is dropped
    const anonymous = await fetch(`${base}/auth/tenants`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(anonymous.status).toBe(403);
    expect((await anonymous.json()).code).toBe('csrf_origin_mismatch');

    expect((await send('GET', '/auth/tenants', { cookie })).body!.items).toEqual([]);
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const address = email('dave');
    await signUp(address);
    const wrongPassword = await send('POST', '/auth/login', {
      body: { email: address, password: 'not the password at all, sorry' },
    });
    const unknownEmail = await send('POST', '/auth/login', {
      body: { email: email('nobody'), password: 'not the password at all, sorry' },
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(wrongPassword.status);
    expect(Object.keys(unknownEmail.body!).sort()).toEqual(Object.keys(wrongPassword.body!).sort());
    const { requestId: a, ...wrong } = wrongPassword.body!;
    const { requestId: b, ...unknown } = unknownEmail.body!;
    expect(a).not.toBe(b);
    expect(unknown).toEqual(wrong);
    expect(wrong.code).toBe('invalid_credentials');
  });

  it('answers bad input with problem+json and a stable code', async () => {
    const malformed = await send('POST', '/auth/login', { raw: '{"email": "a@example.com", ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body!.code).toBe('invalid_json');

    const unknownField = await send('POST', '/auth/signup', {
      body: { email: email('erin'), password: PASSWORD, isAdmin: true },
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body!.code).toBe('invalid_request');

    const oversized = await send('POST', '/auth/signup', {
      raw: JSON.stringify({ email: email('frank'), password: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(oversized.status).toBe(413);
    expect(oversized.body!.code).toBe('payload_too_large');

    const longPassword = await send('POST', '/auth/signup', {
      body: { email: email('grace'), password: 'Tr0ub4dor&3-'.repeat(11) },
    });
    expect(longPassword.status).toBe(400);
    expect(longPassword.body!.code).toBe('password_too_long');
  });

  it('serves the page and keeps GET /api/me behind requireAuth', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/app.js"></script>');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");

    const anonymous = await send('GET', '/api/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body!.code).toBe('unauthenticated');
  });
});
