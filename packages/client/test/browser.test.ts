// @vitest-environment node
import { existsSync, readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, PASSWORD, type TestServer, uniqueEmail } from './support.js';

// The built package in headless Chromium: the passkey ceremonies of `@portcullis/client/webauthn`
// with a CDP virtual authenticator, and token mode across two real tabs (the browser's own Web
// Locks and BroadcastChannel). The page loads dist/ through an import map, as an app would.

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const simpleWebAuthn = join(
  dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')),
  '../esm/',
);
const missing = !existsSync(chromiumPath)
  ? `no Chromium at ${chromiumPath}`
  : !existsSync(join(dist, 'webauthn.js'))
    ? 'packages/client/dist is not built (run `pnpm build`)'
    : null;

const PAGE = `<!doctype html>
<html lang="en"><head><title>client</title>
<script type="importmap">{"imports": {
  "@portcullis/client": "/pkg/index.js",
  "@portcullis/client/webauthn": "/pkg/webauthn.js",
  "@simplewebauthn/browser": "/swa/index.js"
}}</script>
<script type="module">
  import { createPortcullisClient, tokenTransport } from '@portcullis/client';
  import { withWebAuthn } from '@portcullis/client/webauthn';
  const token = new URLSearchParams(location.search).has('token');
  window.client = withWebAuthn(createPortcullisClient({
    baseUrl: '/auth',
    ...(token ? { transport: tokenTransport() } : {}),
  }));
  window.ready = true;
</script></head>
<body><label>Email <input name="username" autocomplete="username webauthn"></label></body></html>`;

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html' };

function serveFile(res: ServerResponse, root: string, path: string) {
  const file = normalize(join(root, path));
  if (!file.startsWith(root) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  res.end(readFileSync(file));
}

/** The handler on a real port, plus the page and the files it imports. */
async function listen(server: TestServer, port: number): Promise<Server> {
  const http = createHttpServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://localhost:${port}`);
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    }
    if (url.pathname.startsWith('/pkg/')) return serveFile(res, dist, url.pathname.slice(5));
    if (url.pathname.startsWith('/swa/')) return serveFile(res, simpleWebAuthn, url.pathname.slice(5));
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
    }
    const response = await server.auth.handler(
      new Request(url, {
        method: req.method,
        headers,
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
      }),
    );
    server.requests.push(`${req.method} ${url.pathname.replace(/^\/auth/, '')}`);
    const out: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') out[name] = value;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) out['set-cookie'] = cookies;
    res.writeHead(response.status, out).end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  return http;
}

async function openPage(context: BrowserContext, query = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`/${query}`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  return page;
}

// biome-ignore lint/suspicious/noExplicitAny: the page's client, driven from evaluate()
type PageWindow = { client: any };

if (missing && process.env.CI === 'true') {
  describe('the client in Chromium', () => {
    it('has what it needs', () => {
      throw new Error(`cannot run the client's browser test: ${missing}`);
    });
  });
} else if (missing) {
  console.warn(`[client] browser test skipped: ${missing}`);
  describe.skip('the client in Chromium (skipped: see the warning above)', () => {
    it('runs passkey ceremonies and token mode in a real browser', () => {});
  });
} else {
  describe('the client in Chromium', () => {
    let browser: Browser;
    let http: Server;
    let server: TestServer;
    let origin: string;

    beforeAll(async () => {
      const probe = createHttpServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as { port: number }).port;
      await new Promise((resolve) => probe.close(resolve));
      origin = `http://localhost:${port}`;
      server = createServer({ baseURL: origin });
      http = await listen(server, port);
      browser = await chromium.launch({
        executablePath: chromiumPath,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => http?.close(resolve));
    });

    it('registers a passkey, signs in with it, steps up with it, and completes a password login with it', async () => {
      const context = await browser.newContext({ baseURL: origin });
      const page = await openPage(context);
      const cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      });
      const email = uniqueEmail('passkey');
      // the script runs in the page: the page's client is `window.client`
      const run = <T>(script: (arg: { email: string; password: string }) => Promise<T>) =>
        page.evaluate(script, { email, password: PASSWORD }) as Promise<T>;

      const registered = await run(async ({ email, password }) => {
        const { client } = window as unknown as PageWindow;
        await client.signUp({ email, password });
        return client.passkeys.register({ name: 'Laptop' });
      });
      expect(registered).toMatchObject({ name: 'Laptop', recoveryCodes: expect.any(Array) });

      const signedIn = await run(async () => {
        const { client } = window as unknown as PageWindow;
        await client.signOut();
        const result = await client.passkeys.signIn();
        return { result, state: client.session.getSnapshot() };
      });
      expect(signedIn.result.user.email).toBe(email);
      expect(signedIn.state).toMatchObject({ status: 'authenticated', data: { user: { email } } });
      expect(signedIn.state.data.session.amr).toEqual(['hwk', 'mfa']);

      const steppedUp = await run(async () => {
        const { client } = window as unknown as PageWindow;
        const before = client.session.getSnapshot().data.session.authTime.hwk;
        await new Promise((resolve) => setTimeout(resolve, 1100));
        const { session } = await client.passkeys.reauthenticate();
        return { before, after: session.authTime.hwk, store: client.session.getSnapshot().data.session };
      });
      expect(steppedUp.after).toBeGreaterThan(steppedUp.before);
      expect(steppedUp.store.authTime.hwk).toBe(steppedUp.after);

      const secondFactor = await run(async ({ email, password }) => {
        const { client } = window as unknown as PageWindow;
        await client.signOut();
        const login = await client.signIn({ email, password });
        const result = await client.mfa.completeWithPasskey(login.challengeId);
        return { login, result, state: client.session.getSnapshot() };
      });
      expect(secondFactor.login).toMatchObject({
        mfaRequired: true,
        methods: expect.arrayContaining(['passkey']),
      });
      expect(secondFactor.result.session.amr).toEqual(['pwd', 'hwk']);
      expect(secondFactor.state.status).toBe('authenticated');

      // a tab without an authenticator: the autofill sign-in waits until it is cancelled
      const bare = await openPage(await browser.newContext({ baseURL: origin }));
      const cancelled = await bare.evaluate(async () => {
        const { client } = window as unknown as PageWindow;
        const waiting = client.passkeys.signIn({ conditional: true }).catch((e: Error) => e);
        await new Promise((resolve) => setTimeout(resolve, 200));
        client.passkeys.cancel();
        const error = await waiting;
        await client.session.refresh();
        const refused = await client.passkeys.reauthenticate().catch((e: Error) => e);
        return [error, refused].map((e) => ({ name: e.name, code: (e as { code?: string }).code }));
      });
      expect(cancelled).toEqual([
        { name: 'PortcullisClientError', code: 'webauthn_cancelled' },
        { name: 'PortcullisClientError', code: 'unauthenticated' },
      ]);
      await bare.context().close();
      await context.close();
    });

    it('keeps one refresh lineage across two real tabs in token mode', async () => {
      const context = await browser.newContext({ baseURL: origin });
      const first = await openPage(context, '?token');
      const email = uniqueEmail('tabs');
      await first.evaluate(
        async ([email, password]) => {
          await (window as unknown as PageWindow).client.signUp({ email, password });
        },
        [email, PASSWORD],
      );
      const second = await openPage(context, '?token');
      const status = (page: Page) =>
        page.evaluate(async () => {
          const { client } = window as unknown as PageWindow;
          return (await client.session.refresh()).status;
        });
      expect(await status(second)).toBe('authenticated');
      // nothing about the tokens reached storage the page's scripts (or an XSS) can read
      const stored = await second.evaluate(() => [
        localStorage.length,
        sessionStorage.length,
        document.cookie,
      ]);
      expect(stored).toEqual([0, 0, '']);

      const before = server.requests.filter((r) => r === 'POST /token/refresh').length;
      // the server's clock passes the access token's expiry: both tabs are refused at once
      server.clock.aheadMs = 305_000;
      const listed = await Promise.all(
        [first, second, first, second].map((page) =>
          page.evaluate(
            async () => (await (window as unknown as PageWindow).client.sessions.list()).items.length,
          ),
        ),
      );
      server.clock.aheadMs = 0;
      expect(listed).toEqual([1, 1, 1, 1]);
      expect(server.requests.filter((r) => r === 'POST /token/refresh').length - before).toBe(1);
      expect([await status(first), await status(second)]).toEqual(['authenticated', 'authenticated']);

      await first.evaluate(() => (window as unknown as PageWindow).client.signOut());
      await expect
        .poll(() =>
          second.evaluate(() => (window as unknown as PageWindow).client.session.getSnapshot().status),
        )
        .toBe('unauthenticated');
      await context.close();
    });

    it('keeps @simplewebauthn/browser out of the main entry', () => {
      for (const file of ['index.js', 'index.cjs']) {
        expect(readFileSync(join(dist, file), 'utf8')).not.toContain('simplewebauthn');
      }
    });
  });
}
