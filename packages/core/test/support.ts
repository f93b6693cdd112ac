import { type Auth, type AuthConfig, createAuth } from '../src/index.js';
import { memoryStorage } from '../src/memory/index.js';
import { silentLogger } from '../src/ports/logger.js';
import type { MailMessage } from '../src/ports/mailer.js';

export const ORIGIN = 'http://localhost:3000';
export const SECRET = 'test-secret-0123456789-abcdefghijklmnop';
export const PASSWORD = 'correct horse battery staple';

/** A mutable fake clock: the only fake (besides the mailer) these tests use. */
export function fakeClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return {
    now: () => new Date(now),
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

export function testAuth(overrides: Partial<AuthConfig> = {}) {
  const sent: MailMessage[] = [];
  const auth = createAuth({
    storage: memoryStorage(),
    secret: SECRET,
    baseURL: ORIGIN,
    logger: silentLogger,
    outbox: { autoStart: false },
    mailer: { send: async (m) => void sent.push(m) },
    ...overrides,
  });
  return { auth, sent, client: httpClient(auth) };
}

export interface TestResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  body: any;
  cookie: string | null;
}

/** Calls `auth.handler` with real `Request` objects, the way a browser on ORIGIN would. */
export function httpClient(auth: Auth, clientIp = '127.0.0.1') {
  async function call(
    method: string,
    path: string,
    options: {
      body?: unknown;
      rawBody?: string;
      cookie?: string | null;
      headers?: Record<string, string>;
    } = {},
  ): Promise<TestResponse> {
    const headers = new Headers(options.headers);
    if (!headers.has('origin') && method !== 'GET') headers.set('origin', ORIGIN);
    if (options.cookie) headers.set('cookie', options.cookie);
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    const response = await auth.handler(new Request(`${ORIGIN}/auth${path}`, { method, headers, body }), {
      clientIp,
    });
    const text = await response.text();
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith(auth.sessionCookieName));
    return {
      status: response.status,
      headers: response.headers,
      body: text ? JSON.parse(text) : null,
      cookie: setCookie ? setCookie.split(';')[0]! : null,
    };
  }
  return {
    call,
    get: (path: string, cookie?: string | null) => call('GET', path, { cookie }),
    post: (path: string, body?: unknown, cookie?: string | null) => call('POST', path, { body, cookie }),
    signUp: async (email: string, password = PASSWORD, extra: Record<string, unknown> = {}) => {
      const res = await call('POST', '/signup', { body: { email, password, ...extra } });
      if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res;
    },
  };
}

let counter = 0;
export const uniqueEmail = (label = 'user') => `${label}.${Date.now()}.${counter++}@example.com`;
