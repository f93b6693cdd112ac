import type { PortcullisClient, SessionData } from '@portcullis/client';
import { act, cleanup, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { hydrateRoot, type Root } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LoginForm, PortcullisProvider, UserProfile } from '../../src/index.js';
import { createTestServer, signUp } from '../support/test-server.js';
import { pretendWebAuthn, withSoftPasskeys } from './auth-support.js';

// vitest runs without globals: @testing-library/react cannot register its cleanup itself
afterEach(cleanup);

const hydrated: Array<{ root: Root; container: HTMLElement }> = [];
afterEach(() => {
  for (const { root, container } of hydrated.splice(0)) {
    act(() => root.unmount());
    container.remove();
  }
});

/**
 * Renders `ui` to HTML as a server would (a client of its own), then hydrates that HTML with
 * another client, as the browser does. Any recoverable error or console error fails.
 */
async function serverThenHydrate(
  ui: ReactNode,
  clients: { server: PortcullisClient; browser: PortcullisClient },
  initialSession: SessionData | null,
) {
  const html = renderToString(
    <PortcullisProvider client={clients.server} initialSession={initialSession}>
      {ui}
    </PortcullisProvider>,
  );
  const container = document.createElement('div');
  container.innerHTML = html;
  document.body.appendChild(container);
  const recoverable = vi.fn();
  const consoleError = vi.spyOn(console, 'error');
  try {
    await act(async () => {
      const root = hydrateRoot(
        container,
        <PortcullisProvider client={clients.browser} initialSession={initialSession}>
          {ui}
        </PortcullisProvider>,
        { onRecoverableError: recoverable },
      );
      hydrated.push({ root, container });
    });
    expect(recoverable).not.toHaveBeenCalled();
    expect(consoleError).not.toHaveBeenCalled();
  } finally {
    consoleError.mockRestore();
  }
  return { html, container };
}

describe('auth components in server rendering', () => {
  it('LoginForm: the server leaves the passkey button out, the browser adds it after hydrating', async () => {
    pretendWebAuthn();
    const server = createTestServer();
    const browser = server.browser().client();
    withSoftPasskeys(browser);
    const { html } = await serverThenHydrate(
      <LoginForm />,
      { server: server.browser().client(), browser },
      null,
    );
    expect(html).toContain('Sign in');
    expect(html).not.toContain('Sign in with a passkey');
    expect(await screen.findByRole('button', { name: 'Sign in with a passkey' })).toBeTruthy();
  });

  it('UserProfile: hydrates from the server-rendered session without a mismatch', async () => {
    const server = createTestServer();
    const page = server.browser();
    const client = page.client();
    await signUp(client, 'ada@example.com', 'Ada Lovelace');
    const initialSession = await client.getSession();
    const { html } = await serverThenHydrate(
      <UserProfile />,
      { server: server.browser().client(), browser: client },
      initialSession,
    );
    expect(html).toContain('Ada Lovelace');
    expect(await screen.findByText('This device')).toBeTruthy();
  });
});
