import {
  createPortcullisClient,
  type PortcullisClient,
  type PortcullisClientOptions,
} from '@portcullis/client';
import { type Auth, createAuth, type MailMessage } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import { type RenderResult, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { PortcullisProvider, type PortcullisProviderProps } from '../../src/index.js';

export const ORIGIN = 'http://localhost:3000';
export const PASSWORD = 'correct horse battery staple';

/**
 * A real Portcullis handler (memory storage) and a browser-like `fetch` for it: one cookie jar per
 * "browser", the page's Origin on every request, and a count of requests per path.
 */
export function createTestServer(config: Partial<Parameters<typeof createAuth>[0]> = {}) {
  const mail: MailMessage[] = [];
  const auth: Auth = createAuth({
    storage: memoryStorage(),
    secret: 'react-tests-secret-that-is-long-enough-0123456789',
    baseURL: ORIGIN,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    outbox: { autoStart: false },
    mailer: { send: async (message) => void mail.push(message) },
    ...config,
  });
  return { auth, mail, browser: () => createBrowser(auth) };
}

/** One browser: its cookie jar, its requests, and a client wired to it. */
export function createBrowser(auth: Auth) {
  const jar = new Map<string, string>();
  const requests: Array<{ method: string; path: string }> = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    requests.push({ method: request.method, path: url.pathname });
    const headers = new Headers(request.headers);
    headers.set('origin', ORIGIN);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await auth.handler(new Request(request, { headers }));
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index);
      const value = pair.slice(index + 1);
      if (value === '' || /max-age=0/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  };
  const client = (options: Partial<PortcullisClientOptions> = {}) =>
    createPortcullisClient({
      baseUrl: `${ORIGIN}/auth`,
      fetch: fetchImpl,
      refreshOnFocus: false,
      ...options,
    });
  /** How many requests went to a path under the handler (`/session`). */
  const count = (path: string, method = 'GET') =>
    requests.filter((r) => r.path === `/auth${path}` && r.method === method).length;
  return { fetch: fetchImpl, jar, requests, client, count };
}

/** Signs a new user up through the client (the session cookie lands in that browser's jar). */
export async function signUp(client: PortcullisClient, email: string, name = email.split('@')[0]) {
  return client.signUp({ email, password: PASSWORD, ...(name ? { name } : {}) });
}

/** Renders `ui` under a provider. */
export function renderWithPortcullis(
  ui: ReactNode,
  provider: Omit<PortcullisProviderProps, 'children'>,
): RenderResult {
  return render(<PortcullisProvider {...provider}>{ui}</PortcullisProvider>);
}
