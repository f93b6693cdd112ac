import { isPortcullisClientError } from '@portcullis/client';
import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { useInvitations, useOrganizationMembers, useOrganizations, useTenant } from '../../src/index.js';
import { failOnConsoleErrors, probe, renderPage, signedInUser } from './support.js';

failOnConsoleErrors();

function OrganizationNames() {
  const { items } = useOrganizations();
  return <p data-testid="organizations">{items.map((t) => t.name).join(', ')}</p>;
}

describe('useOrganizations', () => {
  it('lists the tenants, and another component shows a created one after one re-read', async () => {
    const { client, requests } = await signedInUser();
    const organizations = probe(() => useOrganizations());
    renderPage(client, [<organizations.Probe key="probe" />, <OrganizationNames key="names" />]);
    await waitFor(() => expect(screen.getByTestId('organizations').textContent).toBe('Acme'));

    await act(() => organizations.result.current.create({ name: 'Globex', slug: 'globex' }));
    expect(screen.getByTestId('organizations').textContent).toBe('Acme, Globex');
    // both components read one cache entry: one list request before, one after
    expect(requests('/tenants')).toBe(2);

    const taken = await organizations.result.current
      .create({ name: 'Globex again', slug: 'globex' })
      .catch((error: unknown) => error);
    expect(isPortcullisClientError(taken, 'slug_taken')).toBe(true);
    expect(requests('/tenants')).toBe(2);
  });

  it('renames a tenant: the active tenant shows the answer at once, the list after a re-read', async () => {
    const { client, tenant, requests } = await signedInUser();
    const page = probe(() => ({ organizations: useOrganizations(), active: useTenant() }));
    renderPage(client, <page.Probe />, { activeTenantId: tenant.id });
    await waitFor(() => expect(page.result.current.active.tenant?.name).toBe('Acme'));
    await waitFor(() => expect(page.result.current.organizations.items).toHaveLength(1));

    await act(() => page.result.current.organizations.update(tenant.id, { name: 'Acme Corp' }));
    expect(page.result.current.active.tenant?.name).toBe('Acme Corp');
    expect(page.result.current.organizations.items.map((t) => t.name)).toEqual(['Acme Corp']);
    expect(requests(`/tenants/${tenant.id}`)).toBe(1);
  });

  it('pages with loadMore, and a burst of loadMore calls appends each page once', async () => {
    const { client } = await signedInUser();
    for (const slug of ['b-corp', 'c-corp', 'd-corp', 'e-corp']) {
      await client.tenants.create({ name: slug, slug });
    }
    const organizations = probe(() => useOrganizations({ limit: 2 }));
    renderPage(client, <organizations.Probe />);
    await waitFor(() => expect(organizations.result.current.items).toHaveLength(2));
    expect(organizations.result.current.hasMore).toBe(true);

    await act(() =>
      Promise.all([organizations.result.current.loadMore(), organizations.result.current.loadMore()]),
    );
    expect(organizations.result.current.items).toHaveLength(4);
    await act(() => organizations.result.current.loadMore());
    expect(organizations.result.current.items).toHaveLength(5);
    expect(new Set(organizations.result.current.items.map((t) => t.id)).size).toBe(5);
    expect(organizations.result.current.hasMore).toBe(false);

    // a refresh starts the list again from its first page
    await act(() => organizations.result.current.refresh());
    expect(organizations.result.current.items).toHaveLength(2);
  });

  it('joins a tenant by accepting an invitation, and lists it', async () => {
    const owner = await signedInUser('ada@example.com');
    const invitation = await owner.client.tenants.invitations.create(owner.tenant.id, { roles: ['member'] });
    const guest = await signedInUser('grace@example.com', owner.server);
    const organizations = probe(() => useOrganizations());
    renderPage(guest.client, <organizations.Probe />);
    await waitFor(() => expect(organizations.result.current.items).toHaveLength(1));

    const membership = await act(() => organizations.result.current.acceptInvitation(invitation.token));
    expect(membership.tenantId).toBe(owner.tenant.id);
    expect(organizations.result.current.items.map((t) => t.id).sort()).toEqual(
      [owner.tenant.id, guest.tenant.id].sort(),
    );
  });
});

describe('useTenant', () => {
  it('keeps the active tenant in state, or hands the change to the app when it lives in the URL', async () => {
    const { client, tenant } = await signedInUser();
    const other = await client.tenants.create({ name: 'Globex', slug: 'globex' });
    const own = probe(() => useTenant());
    const first = renderPage(client, <own.Probe />);
    expect(own.result.current.tenantId).toBeNull();
    act(() => own.result.current.setActiveTenant(other.id));
    await waitFor(() => expect(own.result.current.tenant?.name).toBe('Globex'));
    first.unmount();

    const navigate = vi.fn();
    const routed = probe(() => useTenant());
    renderPage(client, <routed.Probe />, { activeTenantId: tenant.id, onActiveTenantChange: navigate });
    await waitFor(() => expect(routed.result.current.tenant?.name).toBe('Acme'));
    act(() => routed.result.current.setActiveTenant(other.id));
    expect(navigate).toHaveBeenCalledWith(other.id);
    // the URL has not changed yet: the provider's prop decides
    expect(routed.result.current.tenantId).toBe(tenant.id);
  });
});

describe('useOrganizationMembers and useInvitations', () => {
  it('invites, lists the member who accepted, changes their roles, removes them, revokes the invitation', async () => {
    const owner = await signedInUser('ada@example.com');
    const page = probe(() => ({
      members: useOrganizationMembers(),
      invitations: useInvitations(),
    }));
    renderPage(owner.client, <page.Probe />, { activeTenantId: owner.tenant.id });
    await waitFor(() => expect(page.result.current.members.items).toHaveLength(1));
    await waitFor(() => expect(page.result.current.invitations.isLoading).toBe(false));
    expect(page.result.current.invitations.items).toEqual([]);

    const created = await act(() =>
      page.result.current.invitations.create({ roles: ['viewer'], maxUses: 2 }),
    );
    expect(created.token).toBeTruthy();
    expect(page.result.current.invitations.items.map((i) => i.id)).toEqual([created.id]);

    const guest = await signedInUser('grace@example.com', owner.server);
    await guest.client.invitations.accept({ token: created.token });
    await act(() => page.result.current.members.refresh());
    const graceRow = page.result.current.members.items.find((m) => m.user.email === 'grace@example.com');
    expect(graceRow?.roles).toEqual(['viewer']);

    await act(() => page.result.current.members.update(graceRow?.userId ?? '', { roles: ['admin'] }));
    expect(
      page.result.current.members.items.find((m) => m.user.email === 'grace@example.com')?.roles,
    ).toEqual(['admin']);

    const lastOwnerLeaving = await page.result.current.members
      .remove(owner.user.id)
      .catch((error: unknown) => error);
    expect(isPortcullisClientError(lastOwnerLeaving)).toBe(true);
    expect((lastOwnerLeaving as { status: number }).status).toBe(409);

    await act(() => page.result.current.members.remove(graceRow?.userId ?? ''));
    expect(page.result.current.members.items.map((m) => m.user.email)).toEqual(['ada@example.com']);

    await act(() => page.result.current.invitations.revoke(created.id));
    expect(page.result.current.invitations.items.find((i) => i.id === created.id)?.status).toBe('revoked');
  });
});
