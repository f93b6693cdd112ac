import { createPortcullisClient, type SessionData, type SessionState } from '@portcullis/client';
import { act } from '@testing-library/react';
import type { ReactNode } from 'react';
import { hydrateRoot, type Root } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  PermissionGate,
  PortcullisProvider,
  useAuth,
  useOAuthProviders,
  useOrganizations,
  useSessionState,
  useTenant,
  useUser,
} from '../../src/index.js';
import { createTestServer, ORIGIN, signUp } from '../support/test-server.js';

/** A page that reads every kind of state: the session, a tenant, lists, a gate, public data. */
function Page({ seen }: { seen: SessionState[] }) {
  const state = useSessionState();
  seen.push(state);
  const { isSignedIn, user } = useAuth();
  const name = useUser()?.name ?? 'nobody';
  const organizations = useOrganizations();
  const { tenant, isLoading: tenantLoading } = useTenant();
  const providers = useOAuthProviders();
  return (
    <main>
      <h1>{isSignedIn ? `Hello ${user?.email}` : 'Sign in'}</h1>
      <p>{name}</p>
      <p>
        {organizations.isLoading ? 'loading organizations' : `${organizations.items.length} organizations`}
      </p>
      <p>{tenantLoading ? 'loading tenant' : (tenant?.name ?? 'no tenant')}</p>
      <p>{providers.isLoading ? 'loading providers' : `${providers.data?.length ?? 0} providers`}</p>
      <PermissionGate
        action="member.invite"
        loading={<span>checking</span>}
        fallback={<span>no invite</span>}
      >
        <button type="button">Invite member</button>
      </PermissionGate>
    </main>
  );
}

/** The same `GET /session` answer the server would hand the page (not through the counted fetch). */
async function sessionBodyFor(server: ReturnType<typeof createTestServer>, jar: Map<string, string>) {
  const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const response = await server.auth.handler(new Request(`${ORIGIN}/auth/session`, { headers: { cookie } }));
  expect(response.status).toBe(200);
  return (await response.json()) as SessionData;
}

/** The server side of a request: its own client (a server has its own module instance), no fetch. */
function renderOnServer(
  page: (seen: SessionState[]) => ReactNode,
  initialSession: SessionData | null,
  activeTenantId?: string,
) {
  const serverFetch = vi.fn<typeof fetch>(async () => {
    throw new Error('nothing may be fetched while rendering on the server');
  });
  const serverClient = createPortcullisClient({
    baseUrl: `${ORIGIN}/auth`,
    fetch: serverFetch,
    refreshOnFocus: false,
  });
  const seen: SessionState[] = [];
  const html = renderToString(
    <PortcullisProvider
      client={serverClient}
      initialSession={initialSession}
      {...(activeTenantId ? { activeTenantId } : {})}
    >
      {page(seen)}
    </PortcullisProvider>,
  );
  expect(serverFetch).not.toHaveBeenCalled();
  return { html, seen };
}

const roots: Root[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) act(() => root.unmount());
  document.body.innerHTML = '';
  vi.restoreAllMocks();
});

/** Hydrates `html` in the browser; collects every recoverable error and console error. */
async function hydrateInBrowser(html: string, ui: ReactNode) {
  const container = document.createElement('div');
  container.innerHTML = html;
  document.body.append(container);
  const recoverable: unknown[] = [];
  const consoleErrors = vi.spyOn(console, 'error').mockImplementation(() => {});
  await act(async () => {
    roots.push(hydrateRoot(container, ui, { onRecoverableError: (error) => void recoverable.push(error) }));
  });
  return { container, recoverable, consoleErrors };
}

describe('server rendering and hydration', () => {
  it('hydrates a signed-in page without a warning and without asking for the session again', async () => {
    const server = createTestServer();
    const browser = server.browser();
    await signUp(browser.client(), 'ada@example.com', 'Ada');
    const tenant = await browser.client().tenants.create({ name: 'Acme', slug: 'acme' });
    const session = await sessionBodyFor(server, browser.jar);

    const onServer = renderOnServer((seen) => <Page seen={seen} />, session, tenant.id);
    expect(onServer.html).toContain('Hello ada@example.com');
    expect(onServer.html).toContain('loading tenant');

    const client = browser.client();
    const sessionRequestsBefore = browser.count('/session');
    const seen: SessionState[] = [];
    const { container, recoverable, consoleErrors } = await hydrateInBrowser(
      onServer.html,
      <PortcullisProvider client={client} initialSession={session} activeTenantId={tenant.id}>
        <Page seen={seen} />
      </PortcullisProvider>,
    );
    expect(seen[0]).toEqual(onServer.seen[0]);
    expect(client.session.getSnapshot()).toEqual(onServer.seen[0]);

    await vi.waitFor(() => expect(container.textContent).toContain('Acme'));
    await vi.waitFor(() => expect(container.textContent).toContain('1 organizations'));
    await vi.waitFor(() => expect(container.querySelector('button')?.textContent).toBe('Invite member'));
    expect(recoverable).toEqual([]);
    expect(consoleErrors).not.toHaveBeenCalled();
    expect(browser.count('/session') - sessionRequestsBefore).toBe(0);
  });

  it('hydrates a signed-out page (initialSession null) without a warning or a request for private data', async () => {
    const server = createTestServer();
    const browser = server.browser();
    const onServer = renderOnServer((seen) => <Page seen={seen} />, null);
    expect(onServer.html).toContain('Sign in');

    const client = browser.client();
    const seen: SessionState[] = [];
    const { container, recoverable, consoleErrors } = await hydrateInBrowser(
      onServer.html,
      <PortcullisProvider client={client} initialSession={null}>
        <Page seen={seen} />
      </PortcullisProvider>,
    );
    expect(seen[0]).toEqual({ status: 'unauthenticated', data: null, error: null });
    expect(seen[0]).toEqual(onServer.seen[0]);
    // public data still loads signed out
    await vi.waitFor(() => expect(container.textContent).toContain('0 providers'));
    expect(container.textContent).toContain('no invite');
    expect(recoverable).toEqual([]);
    expect(consoleErrors).not.toHaveBeenCalled();
    expect(browser.requests.map((r) => r.path)).toEqual(['/auth/oauth/providers']);
  });

  it('notices when the browser renders another session than the server did (the check above can fail)', async () => {
    const server = createTestServer();
    const browser = server.browser();
    await signUp(browser.client(), 'grace@example.com', 'Grace');
    const session = await sessionBodyFor(server, browser.jar);
    const onServer = renderOnServer((seen) => <Page seen={seen} />, session);

    const { recoverable, consoleErrors } = await hydrateInBrowser(
      onServer.html,
      <PortcullisProvider client={browser.client()} initialSession={null}>
        <Page seen={[]} />
      </PortcullisProvider>,
    );
    expect(recoverable.length + consoleErrors.mock.calls.length).toBeGreaterThan(0);
  });
});
