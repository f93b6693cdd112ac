import type { PortcullisClient } from '@portcullis/client';
import { cleanup, type RenderResult, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, expect, type MockInstance, vi } from 'vitest';
import { PortcullisProvider, type PortcullisProviderProps } from '../../src/index.js';
import { createTestServer, signUp } from '../support/test-server.js';

/**
 * Unmounts after each test, and fails a test in which React (or anything) logged an error: an
 * update outside act, a conditional use(), a hydration warning.
 */
export function failOnConsoleErrors() {
  let consoleErrors: MockInstance<typeof console.error>;
  beforeEach(() => {
    consoleErrors = vi.spyOn(console, 'error');
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
    const calls = consoleErrors.mock.calls;
    vi.restoreAllMocks();
    expect(calls).toEqual([]);
  });
}

/**
 * A hook's latest result, read by the test: `<Probe />` calls the hook on every render and stores
 * what it answered in `current`.
 */
export function probe<T>(useHook: () => T) {
  const result = { current: undefined as T };
  function Probe() {
    result.current = useHook();
    return null;
  }
  return { result, Probe };
}

/**
 * A signed-up user in one browser, with a tenant they own; `client` is the page's own client (it
 * knows nothing yet), `requests(path, method?)` counts the page's requests from now on.
 */
export async function signedInUser(
  email = 'ada@example.com',
  server: ReturnType<typeof createTestServer> = createTestServer(),
) {
  const browser = server.browser();
  const signedUp = await signUp(browser.client(), email);
  const tenant = await browser.client().tenants.create({
    name: 'Acme',
    slug: `acme-${email.split('@')[0]}`,
  });
  const client = browser.client();
  const counted = new Map<string, number>();
  const mark = () => {
    counted.clear();
    for (const r of browser.requests)
      counted.set(`${r.method} ${r.path}`, (counted.get(`${r.method} ${r.path}`) ?? 0) + 1);
  };
  mark();
  const requests = (path: string, method = 'GET') =>
    browser.count(path, method) - (counted.get(`${method} /auth${path}`) ?? 0);
  const user = 'user' in signedUp ? signedUp.user : null;
  if (!user) throw new Error('sign-up did not sign in');
  return { server, browser, client, tenant, user, requests };
}

/** Renders `ui` under a provider for `client`. */
export function renderPage(
  client: PortcullisClient,
  ui: ReactNode,
  props: Omit<PortcullisProviderProps, 'client' | 'children'> = {},
): RenderResult {
  return render(
    <PortcullisProvider client={client} {...props}>
      {ui}
    </PortcullisProvider>,
  );
}
