import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@portcullis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/app.js';

// Regression (issue 14, security 4): the example's own /api routes answered failures other than
// Portcullis's errors with Express's HTML page, a stack trace included outside production.
describe("the Express example's /api routes answer every failure as problem+json", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let dataDir: string;
  const logged: unknown[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message, fields) => void logged.push({ message, fields }),
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portcullis-api-errors-'));
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      secret: randomBytes(32).toString('base64url'),
      devMailbox: false,
      logger,
    });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function signedIn(): Promise<string> {
    const response = await fetch(`${server.url}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({
        email: `api-${randomBytes(4).toString('hex')}@example.com`,
        password: 'correct horse battery staple',
      }),
    });
    expect(response.status).toBe(201);
    return response.headers.getSetCookie()[0].split(';')[0]!;
  }

  async function problemOf(response: Response) {
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    expect(text).not.toMatch(/<html|<pre|\bat .+:\d+:\d+/i);
    return JSON.parse(text) as { status: number; code: string; detail?: string };
  }

  it('answers an /api path no route takes with 404 not_found', async () => {
    const response = await fetch(`${server.url}/api/no-such-thing`);
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('answers a body in a charset the parser refuses with 415 unsupported_media_type', async () => {
    const cookie = await signedIn();
    const tenant = await fetch(`${server.url}/auth/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url, cookie },
      body: JSON.stringify({ slug: `t-${randomBytes(4).toString('hex')}`, name: 'T' }),
    });
    const { id } = (await tenant.json()) as { id: string };
    const response = await fetch(`${server.url}/api/tenants/${id}/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=iso-8859-1', origin: server.url, cookie },
      body: '{"title":"x"}',
    });
    expect(response.status).toBe(415);
    expect(await problemOf(response)).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('answers an unexpected error with a bare 500 internal_error and logs it, without its message or stack', async () => {
    const cookie = await signedIn();
    const api = server.auth.api as { setupTotp: unknown };
    const original = api.setupTotp;
    api.setupTotp = async () => {
      throw new TypeError('secret detail of a bug');
    };
    try {
      const response = await fetch(`${server.url}/api/mfa/totp/setup`, {
        method: 'POST',
        headers: { origin: server.url, cookie },
      });
      expect(response.status).toBe(500);
      const problem = await problemOf(response);
      expect(problem).toMatchObject({ status: 500, code: 'internal_error' });
      expect(JSON.stringify(problem)).not.toContain('secret detail');
      expect(JSON.stringify(logged)).toContain('TypeError: secret detail of a bug');
    } finally {
      api.setupTotp = original;
    }
  });
});
