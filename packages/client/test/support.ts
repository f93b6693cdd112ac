import { type AuthConfig, createAuth } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import type { MailMessage } from '@portcullis/core/ports';
import { createPortcullisClient, type LockManagerLike, type PortcullisClientOptions } from '../src/index.js';

// What the client's tests share: the real handler (createAuth over memory storage) behind a
// `fetch` that behaves like a browser on ORIGIN, and a log of what reached the server.

export const ORIGIN = 'https://app.example.com';
export const BASE_URL = `${ORIGIN}/auth`;
export const PASSWORD = 'correct horse battery staple';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export function uniqueEmail(label = 'user'): string {
  return `${label}.${Math.random().toString(36).slice(2, 10)}@example.com`;
}

/**
 * A Portcullis server and a browser's view of it. The server's clock is `Date.now()` (tests move
 * it with vitest's fake Date) plus `serverAheadMs`, so a test can also skew it against the client's.
 */
export function createServer(config: Partial<AuthConfig> = {}) {
  const clock = { aheadMs: 0 };
  const mail: MailMessage[] = [];
  const auth = createAuth({
    storage: memoryStorage(),
    secret: 'client-test-secret-0123456789-abcdefghij',
    baseURL: ORIGIN,
    logger: quiet,
    outbox: { autoStart: false },
    rateLimit: { enabled: false },
    mailer: { send: async (message) => void mail.push(message) },
    clock: { now: () => new Date(Date.now() + clock.aheadMs) },
    ...config,
  });
  /** Every request that reached the handler, as `METHOD /path` (below the base path). */
  const requests: string[] = [];
  /** The same requests, with what the client put in them. */
  const sent: Array<{
    route: string;
    authorization: string | null;
    credentials: RequestCredentials | undefined;
    body: string | undefined;
  }> = [];
  /** Answers that wait for `release()` before they reach the client. */
  const held = new Map<string, Array<() => void>>();
  let offline = 0;

  /**
   * A browser's `fetch` against the handler: it sends the cookie jar and stores `set-cookie` only
   * when `credentials` is not `omit` (as a cross-site browser would), and an `Origin` on every
   * request that is not a GET.
   */
  function browserFetch(): typeof fetch & { cookie(): string } {
    let cookie = '';
    const send = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
      const url = new URL(String(input));
      const route = `${init.method ?? 'GET'} ${url.pathname.replace(/^\/auth/, '')}`;
      if (offline > 0) {
        offline--;
        throw new TypeError('fetch failed');
      }
      requests.push(route);
      sent.push({
        route,
        authorization: new Headers(init.headers).get('authorization'),
        credentials: init.credentials,
        body: typeof init.body === 'string' ? init.body : undefined,
      });
      const headers = new Headers(init.headers);
      const withCookies = init.credentials !== 'omit';
      if ((init.method ?? 'GET') !== 'GET') headers.set('origin', ORIGIN);
      if (withCookies && cookie) headers.set('cookie', cookie);
      const response = await auth.handler(new Request(url, { ...init, headers }));
      // the server has answered; the answer is slow to arrive
      const waiting = held.get(route);
      if (waiting) await new Promise<void>((resolve) => waiting.push(resolve));
      const set = response.headers.getSetCookie().find((c) => c.startsWith(`${auth.sessionCookieName}=`));
      if (withCookies && set) cookie = set.split(';')[0]?.endsWith('=') ? '' : (set.split(';')[0] ?? '');
      return response;
    };
    return Object.assign(send, { cookie: () => cookie }) as typeof fetch & { cookie(): string };
  }

  return {
    auth,
    mail,
    clock,
    requests,
    sent,
    browserFetch,
    /** How many requests reached `route` (`'GET /session'`). */
    count: (route: string) => requests.filter((r) => r === route).length,
    /** The next `n` requests fail as a lost connection would (fetch rejects). */
    goOffline(n = 1) {
      offline = n;
    },
    /** Holds the answers to `route` until the returned function is called. */
    hold(route: string): () => void {
      held.set(route, []);
      return () => {
        const waiting = held.get(route) ?? [];
        held.delete(route);
        for (const release of waiting) release();
      };
    },
  };
}

export type TestServer = ReturnType<typeof createServer>;

/** A client of `server` in its own browser (its own cookie jar). */
export function clientOf(server: TestServer, options: Partial<PortcullisClientOptions> = {}) {
  const fetch = server.browserFetch();
  const client = createPortcullisClient({ baseUrl: BASE_URL, refreshOnFocus: false, fetch, ...options });
  return Object.assign(client, { cookie: fetch.cookie });
}

/**
 * Web Locks for "tabs" in one process: each name is a queue, a request runs when the one before
 * it has settled (what `navigator.locks.request(name, callback)` does across a browser's tabs).
 */
export function inProcessLocks(): LockManagerLike & { granted: number } {
  const tails = new Map<string, Promise<unknown>>();
  const locks = {
    granted: 0,
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      const previous = tails.get(name) ?? Promise.resolve();
      const run = previous.then(() => {
        locks.granted++;
        return callback();
      });
      tails.set(
        name,
        run.catch(() => {}),
      );
      return run;
    },
  };
  return locks;
}

/** Waits until `predicate` holds (messages between "tabs" take a turn of the event loop). */
export async function until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const started = performance.now();
  while (!predicate()) {
    if (performance.now() - started > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
