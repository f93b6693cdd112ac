import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/app.js';
import { isLoopbackAddress, loopbackOnly } from '../src/dev-mailbox.js';

// Email verification, password reset and magic links in the example app, over real HTTP: the
// links are read from the dev mailbox (/dev/mailbox.json), as a developer would read them.

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'an entirely new passphrase here';

interface MailboxEntry {
  to: string;
  subject: string;
  text: string;
  html: string | null;
  sentAt: string;
}

describe('the Express example: mailed links and the dev mailbox', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-example-links-'));
  let server: Awaited<ReturnType<typeof startServer>>;
  let base: string;
  let counter = 0;

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: `sqlite:${join(dir, 'links.sqlite')}`,
      secret: randomBytes(32).toString('base64url'),
      devMailbox: true,
    });
    base = server.url;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function post(path: string, body: unknown, cookie?: string) {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
    const setCookie = response.headers
      .getSetCookie()
      .find((c) => c.startsWith(server.auth.sessionCookieName));
    return {
      status: response.status,
      body: await response.json().catch(() => null),
      cookie: setCookie ? setCookie.split(';')[0]! : undefined,
    };
  }

  async function mailbox(): Promise<MailboxEntry[]> {
    const response = await fetch(`${base}/dev/mailbox.json`);
    expect(response.status).toBe(200);
    return response.json();
  }

  /** Waits for the `count`-th message to `to` (the outbox delivers within a poll interval). */
  async function linkMailedTo(to: string, count = 1): Promise<URL> {
    for (let i = 0; i < 100; i++) {
      const mine = (await mailbox()).filter((m) => m.to === to);
      if (mine.length >= count) {
        const href = mine[count - 1]!.text.match(/https?:\/\/\S+\?token=[\w-]+/)?.[0];
        if (!href) throw new Error('the message holds no link');
        return new URL(href);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no message to ${to}`);
  }

  async function signUp() {
    const email = `links.${Date.now()}.${counter++}@example.com`;
    const res = await post('/auth/signup', { email, password: PASSWORD });
    expect(res.status).toBe(201);
    return { email, cookie: res.cookie! };
  }

  it('resets a password from the mailed link: the page opens without using the token, the POST resets', async () => {
    const { email, cookie } = await signUp();
    expect((await post('/auth/password/forgot', { email })).status).toBe(202);
    const link = await linkMailedTo(email);
    expect(link.pathname).toBe('/reset-password');

    // what a mail scanner does: it loads the page, which uses nothing
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-flow="reset-password"');

    const token = link.searchParams.get('token');
    const reset = await post('/auth/password/reset', { token, password: NEW_PASSWORD });
    expect(reset.status).toBe(200);
    expect((await fetch(`${base}/api/me`, { headers: { cookie } })).status).toBe(401);
    expect((await post('/auth/login', { email, password: NEW_PASSWORD })).status).toBe(200);
  });

  it('signs in with a magic link and goes back to the page the allowlist names', async () => {
    const { email } = await signUp();
    expect((await post('/auth/magic-link', { email, redirectTo: '/' })).status).toBe(202);
    expect((await post('/auth/magic-link', { email, redirectTo: '//evil.example' })).body.code).toBe(
      'redirect_not_allowed',
    );
    const link = await linkMailedTo(email);
    expect(link.pathname).toBe('/magic-link');
    expect((await fetch(link)).status).toBe(200);

    const signedIn = await post('/auth/magic-link/verify', { token: link.searchParams.get('token') });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.redirectTo).toBe('/');
    expect(signedIn.body.session.amr).toEqual(['email']);
    const me = await fetch(`${base}/api/me`, { headers: { cookie: signedIn.cookie! } });
    expect(me.status).toBe(200);
  });

  it('verifies the email address of the signed-in user from the mailed link', async () => {
    const { email, cookie } = await signUp();
    expect((await post('/auth/email/verification', {}, cookie)).status).toBe(202);
    const link = await linkMailedTo(email);
    expect(link.pathname).toBe('/verify-email');

    // from the browser that signed up (the page's fetch sends its cookie): it stays signed in
    const verified = await post('/auth/email/verify', { token: link.searchParams.get('token') }, cookie);
    expect(verified.status).toBe(200);
    const me = await (await fetch(`${base}/api/me`, { headers: { cookie } })).json();
    expect(me.user.emailVerifiedAt).not.toBeNull();
  });

  it('lists messages newest last as { to, subject, text, html, sentAt }, and as an escaped HTML page', async () => {
    const { email } = await signUp();
    await post('/auth/password/forgot', { email });
    await linkMailedTo(email);
    const messages = await mailbox();
    const last = messages.at(-1)!;
    expect(Object.keys(last).sort()).toEqual(['html', 'sentAt', 'subject', 'text', 'to']);
    expect(last.to).toBe(email);
    const times = messages.map((m) => Date.parse(m.sentAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const page = await fetch(`${base}/dev/mailbox`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain(email);
    expect(html).not.toContain('<a href="{{link}}"');
    // the links in the messages are clickable (issue 14, newcomer 8)
    expect(html).toMatch(new RegExp(`<a href="${base}/reset-password\\?token=[\\w-]+">`));
  });

  it('answers a known and an unknown address the same way', async () => {
    const { email } = await signUp();
    const known = await post('/auth/password/forgot', { email });
    const unknown = await post('/auth/password/forgot', { email: `nobody.${Date.now()}@example.com` });
    expect([known.status, known.body]).toEqual([unknown.status, unknown.body]);
  });
});

describe('the Express example in production mode', () => {
  it('has no dev mailbox', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-example-prod-'));
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: `sqlite:${join(dir, 'prod.sqlite')}`,
      secret: randomBytes(32).toString('base64url'),
      devMailbox: false,
    });
    try {
      expect((await fetch(`${server.url}/dev/mailbox.json`)).status).toBe(404);
      expect((await fetch(`${server.url}/dev/mailbox`)).status).toBe(404);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** An address of this machine that is not loopback (a LAN or container interface), if it has one. */
function nonLoopbackAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
}

// Regression (issue 14, security 2): /dev/mailbox.json served live reset and sign-in links to
// anyone who could reach the port, and the example listened on every interface.
describe('the dev mailbox and the network', () => {
  it('recognises loopback socket addresses and nothing else', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopbackAddress(address), address).toBe(true);
    }
    for (const address of ['192.0.2.10', '::ffff:192.0.2.10', '10.0.0.1', 'fe80::1', '::', '', undefined]) {
      expect(isLoopbackAddress(address), String(address)).toBe(false);
    }
  });

  it('refuses a request whose socket is not loopback, whatever its forwarding headers say', () => {
    const outcome = (remoteAddress: string) => {
      let status = 0;
      let passed = false;
      const res = {
        status(code: number) {
          status = code;
          return res;
        },
        type: () => res,
        send: () => res,
      };
      const req = {
        socket: { remoteAddress },
        headers: { 'x-forwarded-for': '127.0.0.1', forwarded: 'for=127.0.0.1', host: 'localhost' },
        ip: '127.0.0.1',
      };
      loopbackOnly(req as never, res as never, () => {
        passed = true;
      });
      return passed ? 'next' : status;
    };
    expect(outcome('203.0.113.7')).toBe(404);
    expect(outcome('::ffff:192.0.2.10')).toBe(404);
    expect(outcome('127.0.0.1')).toBe('next');
    expect(outcome('::1')).toBe('next');
  });

  const lan = nonLoopbackAddress();
  it.skipIf(!lan)(
    `serves /dev/mailbox(.json) to loopback only when listening on every interface (via ${lan})`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'portcullis-example-lan-'));
      const server = await startServer({
        port: 0,
        host: '0.0.0.0',
        databaseUrl: `sqlite:${join(dir, 'lan.sqlite')}`,
        secret: randomBytes(32).toString('base64url'),
        devMailbox: true,
        trustProxy: true, // even then the mailbox reads the socket, not X-Forwarded-For
      });
      try {
        const viaLan = `http://${lan}:${server.port}`;
        const spoofed = { 'x-forwarded-for': '127.0.0.1', forwarded: 'for=127.0.0.1' };
        expect((await fetch(`${viaLan}/dev/mailbox.json`)).status).toBe(404);
        expect((await fetch(`${viaLan}/dev/mailbox.json`, { headers: spoofed })).status).toBe(404);
        expect((await fetch(`${viaLan}/dev/mailbox`, { headers: spoofed })).status).toBe(404);
        // the rest of the app is served on that address as asked
        expect((await fetch(`${viaLan}/`)).status).toBe(200);
        expect((await fetch(`http://127.0.0.1:${server.port}/dev/mailbox.json`)).status).toBe(200);
      } finally {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it.skipIf(!lan)('listens on localhost only unless a host is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-example-host-'));
    const server = await startServer({
      port: 0,
      databaseUrl: `sqlite:${join(dir, 'host.sqlite')}`,
      secret: randomBytes(32).toString('base64url'),
      devMailbox: true,
    });
    try {
      expect(server.host).toBe('localhost');
      await expect(fetch(`http://${lan}:${server.port}/`)).rejects.toThrow();
      expect((await fetch(`http://localhost:${server.port}/dev/mailbox.json`)).status).toBe(200);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
