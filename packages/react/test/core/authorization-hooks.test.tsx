import { isPortcullisClientError } from '@portcullis/client';
import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import {
  PermissionGate,
  useApiKeys,
  usePermission,
  usePermissionCatalog,
  usePermissions,
  usePolicies,
  useRoles,
} from '../../src/index.js';
import { createTestServer } from '../support/test-server.js';
import { failOnConsoleErrors, probe, renderPage, signedInUser } from './support.js';

failOnConsoleErrors();

// the app's own permissions, beside the built-in tenant ones
const config = { authorization: { permissions: { invoice: ['read', 'update'], report: ['export'] } } };

describe('useRoles', () => {
  it('lists the default roles, creates, updates and deletes a custom one; errors carry their code', async () => {
    const { client, tenant, requests } = await signedInUser('ada@example.com', createTestServer(config));
    const roles = probe(() => useRoles());
    renderPage(client, <roles.Probe />, { activeTenantId: tenant.id });
    await waitFor(() => expect(roles.result.current.roles.length).toBeGreaterThan(0));
    expect(roles.result.current.roles.map((r) => r.key)).toEqual(
      expect.arrayContaining(['owner', 'admin', 'member', 'viewer']),
    );

    const created = await act(() =>
      roles.result.current.create({ key: 'billing', name: 'Billing', permissions: ['invoice.read'] }),
    );
    expect(roles.result.current.roles.find((r) => r.key === 'billing')?.permissions).toEqual([
      'invoice.read',
    ]);

    const taken = await roles.result.current
      .create({ key: 'billing', name: 'Billing again', permissions: [] })
      .catch((error: unknown) => error);
    expect(isPortcullisClientError(taken)).toBe(true);
    expect((taken as { status: number }).status).toBe(409);

    await act(() =>
      roles.result.current.update(created.id, { permissions: ['invoice.read', 'invoice.update'] }),
    );
    expect(roles.result.current.roles.find((r) => r.key === 'billing')?.permissions).toEqual([
      'invoice.read',
      'invoice.update',
    ]);

    await act(() => roles.result.current.remove(created.id));
    expect(roles.result.current.roles.find((r) => r.key === 'billing')).toBeUndefined();
    expect(requests(`/tenants/${tenant.id}/roles`)).toBe(4);
  });
});

describe('usePolicies and usePermission', () => {
  it('takes a permission away with a deny policy and gives it back when the policy goes: the gates follow', async () => {
    const { client, tenant, requests } = await signedInUser('ada@example.com', createTestServer(config));
    const page = probe(() => ({
      policies: usePolicies(),
      invite: usePermission('invitation.manage'),
      both: usePermissions([{ action: 'invitation.manage' }, { action: 'invoice.read' }]),
    }));
    renderPage(
      client,
      [
        <page.Probe key="probe" />,
        <PermissionGate key="gate" action="invitation.manage" fallback={<p>cannot invite</p>}>
          <p>can invite</p>
        </PermissionGate>,
      ],
      { activeTenantId: tenant.id },
    );
    expect(await screen.findByText('can invite')).toBeTruthy();
    await waitFor(() => expect(page.result.current.both.allowed).toEqual([true, true]));
    expect(page.result.current.invite.allowed).toBe(true);
    await waitFor(() => expect(page.result.current.policies.isLoading).toBe(false));

    const policy = await act(() =>
      page.result.current.policies.create({
        effect: 'deny',
        actions: ['invitation.manage'],
        resource: '*',
        description: 'No invitations this week',
      }),
    );
    expect(screen.getByText('cannot invite')).toBeTruthy();
    expect(page.result.current.invite.allowed).toBe(false);
    expect(page.result.current.both.allowed).toEqual([false, true]);
    expect(page.result.current.policies.policies.map((p) => p.description)).toEqual([
      'No invitations this week',
    ]);

    const invalid = await page.result.current.policies
      .create({ effect: 'deny', actions: ['invitation.manage'], resource: '*', condition: { nope: [] } })
      .catch((error: unknown) => error);
    expect(isPortcullisClientError(invalid, 'invalid_policy')).toBe(true);

    await act(() => page.result.current.policies.remove((policy as { id: string }).id));
    expect(screen.getByText('can invite')).toBeTruthy();
    expect(page.result.current.both.allowed).toEqual([true, true]);
    expect(page.result.current.policies.policies).toEqual([]);
    expect(requests(`/tenants/${tenant.id}/policies`)).toBe(3);
  });

  it('answers nothing and asks nothing without a tenant', async () => {
    const { client, requests, tenant } = await signedInUser();
    const gate = probe(() => usePermission('invitation.manage'));
    renderPage(client, <gate.Probe />);
    await waitFor(() => expect(requests('/session')).toBe(1));
    expect(gate.result.current).toEqual({ allowed: undefined, isLoading: false, error: undefined });
    expect(requests(`/tenants/${tenant.id}/authorize`, 'POST')).toBe(0);
  });
});

describe('usePermissionCatalog', () => {
  it('lists the app permissions beside the built-in ones', async () => {
    const { client } = await signedInUser('ada@example.com', createTestServer(config));
    const catalog = probe(() => usePermissionCatalog());
    renderPage(client, <catalog.Probe />);
    await waitFor(() => expect(catalog.result.current.data).toBeDefined());
    const resources = catalog.result.current.data?.resources ?? [];
    expect(resources.find((r) => r.resource === 'invoice')?.actions).toEqual(['read', 'update']);
    expect(resources.find((r) => r.resource === 'invitation')?.actions).toEqual(['manage']);
  });
});

describe('useApiKeys', () => {
  it('creates a key shown once, rotates and revokes it, the list following each step', async () => {
    const { client, tenant, requests } = await signedInUser('ada@example.com', createTestServer(config));
    const keys = probe(() => useApiKeys());
    renderPage(client, <keys.Probe />, { activeTenantId: tenant.id });
    await waitFor(() => expect(keys.result.current.isLoading).toBe(false));
    expect(keys.result.current.items).toEqual([]);

    const created = await act(() =>
      keys.result.current.create({ name: 'CI deploys', environment: 'test', permissions: ['invoice.read'] }),
    );
    expect(created.key).toMatch(/^pc_test_/);
    expect(keys.result.current.items.map((k) => [k.name, k.state])).toEqual([['CI deploys', 'active']]);
    expect(JSON.stringify(keys.result.current.items)).not.toContain(created.key);

    const beyond = await keys.result.current
      .create({ name: 'Too much', permissions: ['nothing.here'] })
      .catch((error: unknown) => error);
    expect(isPortcullisClientError(beyond)).toBe(true);

    const rotated = await act(() => keys.result.current.rotate(created.id, { overlapSeconds: 0 }));
    expect(rotated.key).not.toBe(created.key);
    expect(Object.fromEntries(keys.result.current.items.map((k) => [k.id, k.state]))).toEqual({
      [rotated.id]: 'active',
      [created.id]: 'expired',
    });

    // a revoked key leaves the list
    await act(() => keys.result.current.revoke(rotated.id));
    expect(keys.result.current.items.map((k) => k.id)).toEqual([created.id]);
    expect(requests(`/tenants/${tenant.id}/api-keys`)).toBe(4);
  });
});
