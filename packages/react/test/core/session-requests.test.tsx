import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { StrictMode, Suspense } from 'react';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import {
  PermissionGate,
  PortcullisProvider,
  useAuth,
  useOrganizations,
  useSessionState,
  useSessions,
  useUser,
} from '../../src/index.js';
import { createTestServer, signUp } from '../support/test-server.js';

// any React warning (a conditional use(), an update outside act, a hydration warning) fails the test
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

async function signedInBrowser(options: { refreshOnFocus?: boolean } = {}) {
  const server = createTestServer();
  const browser = server.browser();
  await signUp(browser.client(), 'ada@example.com', 'Ada');
  const tenant = await browser.client().tenants.create({ name: 'Acme', slug: 'acme' });
  // the page's own client starts knowing nothing: its first render is `loading`
  const client = browser.client({ refreshOnFocus: options.refreshOnFocus ?? false });
  // the set-up's own reads (creating a tenant re-reads the session) are not the page's
  const before = browser.count('/session');
  return { client, tenant, browser, sessionRequests: () => browser.count('/session') - before };
}

function Email() {
  const { status, user } = useAuth();
  return <p>{status === 'authenticated' ? user?.email : status}</p>;
}

/** Many different consumers of the session, as a real page has (header, menu, lists, gates). */
function ManyConsumers({ tenantId }: { tenantId: string }) {
  return (
    <>
      {['header', 'menu', 'a', 'b', 'c', 'd', 'e', 'f'].map((place) => (
        <Email key={place} />
      ))}
      <UserName />
      <StateLabel />
      <Organizations />
      <SessionCount />
      <PermissionGate action="member.invite" tenantId={tenantId}>
        <p>may invite</p>
      </PermissionGate>
    </>
  );
}
function UserName() {
  return <p>{useUser()?.name ?? ''}</p>;
}
function StateLabel() {
  return <p>{useSessionState().status}</p>;
}
function Organizations() {
  const { items } = useOrganizations();
  return <p>{items.map((t) => t.name).join(',')}</p>;
}
function SessionCount() {
  return <p>{`${useSessions().sessions.length} sessions`}</p>;
}

describe('GET /session requests', () => {
  it('sends exactly one when many components mount at once (in StrictMode, which mounts them twice)', async () => {
    const { sessionRequests, client, tenant, browser } = await signedInBrowser();
    render(
      <StrictMode>
        <PortcullisProvider client={client}>
          <ManyConsumers tenantId={tenant.id} />
        </PortcullisProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getAllByText('ada@example.com')).toHaveLength(8));
    expect(await screen.findByText('Acme')).toBeTruthy();
    expect(await screen.findByText('may invite')).toBeTruthy();
    expect(await screen.findByText('1 sessions')).toBeTruthy();
    expect(sessionRequests()).toBe(1);
    // the data hooks too: one request per list
    expect(browser.count('/tenants')).toBe(1);
    expect(browser.count('/sessions')).toBe(1);
  });

  it('sends none again when the page unmounts and remounts within the dedupe window', async () => {
    const { sessionRequests, client, tenant } = await signedInBrowser();
    const page = (
      <PortcullisProvider client={client}>
        <ManyConsumers tenantId={tenant.id} />
      </PortcullisProvider>
    );
    const first = render(page);
    await waitFor(() => expect(screen.getAllByText('ada@example.com')).toHaveLength(8));
    first.unmount();
    render(page);
    expect(screen.getAllByText('ada@example.com')).toHaveLength(8);
    expect(await screen.findByText('may invite')).toBeTruthy();
    expect(sessionRequests()).toBe(1);
  });

  it('shares the request in flight with a page that remounts before it answered', async () => {
    const { sessionRequests, client } = await signedInBrowser();
    const first = render(
      <PortcullisProvider client={client}>
        <Email />
      </PortcullisProvider>,
    );
    expect(screen.getByText('loading')).toBeTruthy();
    first.unmount();
    render(
      <PortcullisProvider client={client}>
        <Email />
        <Email />
      </PortcullisProvider>,
    );
    await waitFor(() => expect(screen.getAllByText('ada@example.com')).toHaveLength(2));
    expect(sessionRequests()).toBe(1);
  });

  it('sends exactly one more for a burst of focus, visibilitychange and online after the dedupe window', async () => {
    const { sessionRequests, client, tenant } = await signedInBrowser({ refreshOnFocus: true });
    render(
      <PortcullisProvider client={client}>
        <ManyConsumers tenantId={tenant.id} />
      </PortcullisProvider>,
    );
    await waitFor(() => expect(screen.getAllByText('ada@example.com')).toHaveLength(8));
    expect(sessionRequests()).toBe(1);

    const burst = () => {
      window.dispatchEvent(new Event('focus'));
      document.dispatchEvent(new Event('visibilitychange'));
      window.dispatchEvent(new Event('online'));
      window.dispatchEvent(new Event('focus'));
    };
    // within the dedupe window (default 2 s) a burst costs nothing
    burst();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sessionRequests()).toBe(1);

    // only the clock is faked: the handler and the store's debounce keep real timers
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 5_000 });
    burst();
    await waitFor(() => expect(sessionRequests()).toBe(2));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sessionRequests()).toBe(2);
    expect(screen.getAllByText('ada@example.com')).toHaveLength(8);
  });

  it('sends one for Suspense boundaries whose components suspend on the session and retry', async () => {
    const { sessionRequests, client } = await signedInBrowser();
    let renders = 0;
    let fallbacks = 0;
    function SuspendingEmail() {
      renders++;
      const { user } = useAuth({ suspense: true });
      return <p>{`suspended for ${user?.email}`}</p>;
    }
    function Waiting() {
      fallbacks++;
      return <p>waiting</p>;
    }
    // suspending work must run in an awaited act
    await act(async () => {
      render(
        <PortcullisProvider client={client}>
          <Suspense fallback={<Waiting />}>
            <SuspendingEmail />
          </Suspense>
          <Suspense fallback={<Waiting />}>
            <SuspendingEmail />
            <Email />
          </Suspense>
        </PortcullisProvider>,
      );
    });
    await waitFor(() => expect(screen.getAllByText('suspended for ada@example.com')).toHaveLength(2));
    // both boundaries did suspend, and their components rendered again on the retry
    expect(fallbacks).toBeGreaterThanOrEqual(2);
    expect(renders).toBeGreaterThanOrEqual(4);
    expect(sessionRequests()).toBe(1);
    await act(() => client.signOut());
    expect(screen.getAllByText('suspended for undefined')).toHaveLength(2);
    expect(sessionRequests()).toBe(1);
  });
});
