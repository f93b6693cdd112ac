import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import {
  PermissionGate,
  useApiKeys,
  useAuth,
  useInvitations,
  useOrganizationMembers,
  useOrganizations,
  usePasskeys,
  usePermissionCatalog,
  usePolicies,
  useRoles,
  useSessions,
  useTenant,
  useTotp,
} from '../../src/index.js';
import { ResourceCache } from '../../src/resource-cache.js';
import { createTestServer, PASSWORD } from '../support/test-server.js';
import { failOnConsoleErrors, probe, renderPage, signedInUser } from './support.js';

failOnConsoleErrors();

/** A fetch the test answers when it wants: to play answers arriving out of order. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve, fetcher: () => promise };
}

describe('the resource cache', () => {
  it('drops an answer that started before an invalidation, whichever arrives last', async () => {
    for (const order of [
      [0, 1],
      [1, 0],
    ]) {
      const cache = new ResourceCache();
      const answers: Array<(value: string) => void> = [];
      const fetcher = () => new Promise<string>((resolve) => answers.push(resolve));
      cache.subscribe('members:t1:50', () => {});
      const reads = [cache.load('members:t1:50', fetcher)];
      // a mutation invalidates while the first read is under way: the re-read starts at once
      reads.push(cache.invalidate('members:t1'));
      expect(answers).toHaveLength(2);
      const values = ['before the change', 'after the change'];
      for (const index of order) answers[index]?.(values[index] ?? '');
      await Promise.all(reads);
      expect(cache.get('members:t1:50').data).toBe('after the change');
    }
  });

  it('keeps a written answer over a read that was under way when it was written', async () => {
    const cache = new ResourceCache();
    const read = deferred<{ name: string }>();
    const loading = cache.load('tenant:t1', read.fetcher);
    cache.write('tenant:t1', () => ({ name: 'Renamed' }));
    read.resolve({ name: 'Old name' });
    await loading;
    expect(cache.get('tenant:t1')).toMatchObject({ data: { name: 'Renamed' }, status: 'success' });
  });

  it('appends a next page only onto the page it continues', async () => {
    const cache = new ResourceCache();
    const page: { items: number[]; nextCursor: string | null } = { items: [1, 2], nextCursor: 'c2' };
    await cache.load('tenants:2', async () => page);
    expect(cache.writeIf('tenants:2', page, { items: [1, 2, 3, 4], nextCursor: null })).toBe(true);
    // a second "load more" of the same page, or one after a refresh, appends nothing
    expect(cache.writeIf('tenants:2', page, { items: [1, 2, 3, 4, 3, 4], nextCursor: null })).toBe(false);
    expect(cache.get('tenants:2').data).toEqual({ items: [1, 2, 3, 4], nextCursor: null });
  });

  it('invalidates whole key segments: roles of t1 are not roles of t10', async () => {
    const cache = new ResourceCache();
    for (const key of [
      'roles:t1',
      'roles:t10',
      'perm:t1:one:x',
      'perm:t10:one:x',
      'tenants:50',
      'tenant:t1',
    ]) {
      await cache.load(key, async () => key);
    }
    await cache.invalidate('roles:t1');
    await cache.invalidate('perm:t1');
    await cache.invalidate('tenants:');
    const stale = (key: string) =>
      cache.load(key, async () => 'reloaded').then(() => cache.get(key).data === 'reloaded');
    expect(await stale('roles:t1')).toBe(true);
    expect(await stale('perm:t1:one:x')).toBe(true);
    expect(await stale('tenants:50')).toBe(true);
    expect(await stale('roles:t10')).toBe(false);
    expect(await stale('perm:t10:one:x')).toBe(false);
    expect(await stale('tenant:t1')).toBe(false);
  });

  it('forgets private data on clear, drops answers under way, keeps public data', async () => {
    const cache = new ResourceCache();
    const shown: string[] = [];
    cache.subscribe('members:t1:50', () => shown.push(String(cache.get('members:t1:50').status)));
    await cache.load('members:t1:50', async () => ['ada']);
    await cache.load('sessions', async () => ['s1']);
    await cache.load('public:oauthProviders', async () => ['acme']);
    const late = deferred<string[]>();
    const loading = cache.load('apiKeys:t1:50', late.fetcher);
    cache.clear();
    late.resolve(['a key of the last user']);
    await loading;
    expect(cache.get('members:t1:50')).toMatchObject({ data: undefined, status: 'idle' });
    expect(cache.get('sessions').data).toBeUndefined();
    expect(cache.get('apiKeys:t1:50').data).toBeUndefined();
    expect(cache.get('public:oauthProviders').data).toEqual(['acme']);
    expect(shown.at(-1)).toBe('idle');
  });
});

/** Every private data hook at once, and what it asks for. */
function EveryPrivateHook() {
  useOrganizations();
  useOrganizationMembers();
  useInvitations();
  useRoles();
  usePolicies();
  useApiKeys();
  useSessions();
  usePasskeys();
  useTotp();
  useTenant();
  usePermissionCatalog();
  return (
    <PermissionGate action="tenant.read" loading={<p>checking</p>} fallback={<p>not allowed</p>}>
      <p>allowed</p>
    </PermissionGate>
  );
}

describe('hooks and the signed-in user', () => {
  it('ask nothing but the session while signed out, even with a tenant chosen', async () => {
    const server = createTestServer();
    const browser = server.browser();
    renderPage(browser.client(), <EveryPrivateHook />, {
      activeTenantId: '0190aaaa-0000-7000-8000-000000000000',
    });
    expect(screen.getByText('checking')).toBeTruthy();
    expect(await screen.findByText('not allowed')).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(browser.requests.map((r) => r.path)).toEqual(['/auth/session']);
  });

  it('wait for the session before asking for anything else', async () => {
    const { browser, client, tenant } = await signedInUser();
    const before = browser.requests.length;
    renderPage(client, <EveryPrivateHook />, { activeTenantId: tenant.id });
    // while the session is unknown a gate shows its loading state, not its fallback
    expect(screen.getByText('checking')).toBeTruthy();
    expect(await screen.findByText('allowed')).toBeTruthy();
    await waitFor(() => expect(browser.requests.length - before).toBeGreaterThan(10));
    const paths = browser.requests.slice(before).map((r) => r.path);
    expect(paths[0]).toBe('/auth/session');
    expect(paths.filter((p) => p === '/auth/session')).toHaveLength(1);
  });

  it('never show one user the last one’s lists, and fetch again for the next user', async () => {
    const server = createTestServer();
    const ada = await signedInUser('ada@example.com', server);
    await signedInUser('grace@example.com', server);
    const rendered: string[] = [];
    function Organizations() {
      const { user } = useAuth();
      const { items } = useOrganizations();
      const line = `${user?.email ?? 'nobody'}: ${items.map((t) => t.slug).join(',')}`;
      rendered.push(line);
      return <p>{line}</p>;
    }
    const auth = probe(() => useAuth());
    renderPage(ada.client, [<Organizations key="list" />, <auth.Probe key="auth" />]);
    expect(await screen.findByText('ada@example.com: acme-ada')).toBeTruthy();

    // straight from one user to the next, without signing out in between
    await act(() => auth.result.current.signIn({ email: 'grace@example.com', password: PASSWORD }));
    expect(await screen.findByText('grace@example.com: acme-grace')).toBeTruthy();
    await act(() => auth.result.current.signOut());
    expect(screen.getByText('nobody:')).toBeTruthy();
    await act(() => auth.result.current.signIn({ email: 'ada@example.com', password: PASSWORD }));
    expect(await screen.findByText('ada@example.com: acme-ada')).toBeTruthy();

    expect(rendered.filter((line) => line.startsWith('grace') && line.includes('acme-ada'))).toEqual([]);
    expect(rendered.filter((line) => line.startsWith('ada') && line.includes('acme-grace'))).toEqual([]);
    expect(rendered.filter((line) => line.startsWith('nobody') && line.includes('acme'))).toEqual([]);
  });
});
