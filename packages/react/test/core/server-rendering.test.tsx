// @vitest-environment node
// The server side alone: no window, no document, as in a Next.js server component's render.

import { Writable } from 'node:stream';
import { createPortcullisClient, type SessionData } from '@portcullis/client';
import { Suspense } from 'react';
import { renderToPipeableStream, renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import {
  PermissionGate,
  PortcullisProvider,
  useApiKeys,
  useAuth,
  useInvitations,
  useOAuthAccounts,
  useOAuthProviders,
  useOrganizationMembers,
  useOrganizations,
  usePasskeys,
  usePermission,
  usePermissionCatalog,
  usePermissions,
  usePolicies,
  useRoles,
  useSessions,
  useTenant,
  useTotp,
  useUser,
} from '../../src/index.js';
import { createTestServer, ORIGIN, signUp } from '../support/test-server.js';

/** Every hook of the package, on one page. */
function EveryHook() {
  const { status, user } = useAuth();
  const name = useUser()?.name;
  useOrganizations();
  useOrganizationMembers();
  useInvitations();
  useRoles();
  usePolicies();
  usePermissionCatalog();
  useApiKeys();
  useSessions();
  usePasskeys();
  useTotp();
  useOAuthProviders();
  useOAuthAccounts();
  const { tenantId } = useTenant();
  usePermission('tenant.read');
  usePermissions([{ action: 'tenant.read' }, { action: 'member.read' }]);
  return (
    <main>
      <p>{`${status} ${user?.email ?? ''} ${name ?? ''} ${tenantId ?? ''}`}</p>
      <PermissionGate action="invitation.manage" loading={<span>checking</span>}>
        <span>invite</span>
      </PermissionGate>
    </main>
  );
}

/** A client made at module scope, as apps do: one instance serves every request on the server. */
function moduleScopeClient() {
  const fetch = vi.fn<typeof globalThis.fetch>(async () => {
    throw new Error('the server rendered a fetch');
  });
  const client = createPortcullisClient({ baseUrl: `${ORIGIN}/auth`, fetch });
  const subscribe = vi.spyOn(client.session, 'subscribe');
  return { client, fetch, subscribe };
}

async function aSession(): Promise<SessionData> {
  const server = createTestServer();
  const browser = server.browser();
  await signUp(browser.client(), 'ada@example.com', 'Ada');
  return (await browser.client().getSession()) as SessionData;
}

describe('rendering on the server', () => {
  it('fetches nothing, subscribes to nothing and writes nothing into a shared client, whatever the session', async () => {
    const { client, fetch, subscribe } = moduleScopeClient();
    const session = await aSession();
    const tenantId = '0190aaaa-0000-7000-8000-000000000000';
    const signedIn = renderToString(
      <PortcullisProvider client={client} initialSession={session} activeTenantId={tenantId}>
        <EveryHook />
      </PortcullisProvider>,
    );
    const signedOut = renderToString(
      <PortcullisProvider client={client} initialSession={null} activeTenantId={tenantId}>
        <EveryHook />
      </PortcullisProvider>,
    );
    const unknown = renderToString(
      <PortcullisProvider client={client}>
        <EveryHook />
      </PortcullisProvider>,
    );
    // each request renders its own session, though the client is shared
    expect(signedIn).toContain(`authenticated ada@example.com Ada ${tenantId}`);
    expect(signedIn).toContain('checking');
    expect(signedOut).toContain(`unauthenticated   ${tenantId}`);
    expect(signedOut).not.toContain('checking');
    expect(unknown).toContain('loading');
    expect(fetch).not.toHaveBeenCalled();
    expect(subscribe).not.toHaveBeenCalled();
    expect(client.session.getSnapshot().status).toBe('loading');
  });

  it('leaves a component that suspends on an unknown session to the browser, without a fetch', async () => {
    const { client, fetch } = moduleScopeClient();
    function Email() {
      const { user } = useAuth({ suspense: true });
      return <p>{user?.email}</p>;
    }
    const errors: unknown[] = [];
    // the streaming renderer Next.js uses: it reports the boundary's error and renders the fallback
    const html = await new Promise<string>((resolve, reject) => {
      let out = '';
      const sink = new Writable({
        write(chunk, _encoding, done) {
          out += String(chunk);
          done();
        },
        final(done) {
          resolve(out);
          done();
        },
      });
      const stream = renderToPipeableStream(
        <PortcullisProvider client={client}>
          <Suspense fallback={<p>waiting for the browser</p>}>
            <Email />
          </Suspense>
        </PortcullisProvider>,
        {
          onError: (error) => void errors.push(error),
          onAllReady: () => stream.pipe(sink),
          onShellError: reject,
        },
      );
    });
    expect(html).toContain('waiting for the browser');
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('pass initialSession');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('renders a suspending component on the server when the session is known', () => {
    const { client, fetch } = moduleScopeClient();
    function Email() {
      const { user } = useAuth({ suspense: true });
      return <p>{user?.email ?? 'signed out'}</p>;
    }
    const html = renderToString(
      <PortcullisProvider client={client} initialSession={null}>
        <Suspense fallback={<p>waiting</p>}>
          <Email />
        </Suspense>
      </PortcullisProvider>,
    );
    expect(html).toContain('signed out');
    expect(fetch).not.toHaveBeenCalled();
  });
});
