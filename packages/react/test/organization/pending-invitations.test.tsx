import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { PendingInvitations } from '../../src/index.js';
import { createTestServer, renderWithPortcullis } from '../support/test-server.js';
import { memberOf, ownerOf } from './organization-fixtures.js';

const itemOf = (text: string) => {
  const item = screen.getAllByRole('listitem').find((candidate) => candidate.textContent?.includes(text));
  if (!item) throw new Error(`no invitation showing ${text}`);
  return within(item);
};

describe('PendingInvitations', () => {
  afterEach(cleanup);

  it('lists pending invitations with email or open link, roles in words and expiry; not used or revoked ones', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme');
    await memberOf(server, client, tenant, 'used@example.com');
    const revoked = await client.tenants.invitations.create(tenant.id, {
      email: 'gone@example.com',
      roles: ['member'],
    });
    await client.tenants.invitations.revoke(tenant.id, revoked.id);
    const emailed = await client.tenants.invitations.create(tenant.id, {
      email: 'grace@example.com',
      roles: ['admin'],
    });
    await client.tenants.invitations.create(tenant.id, { roles: ['viewer', 'member'], maxUses: 5 });
    renderWithPortcullis(<PendingInvitations />, { client, activeTenantId: tenant.id });
    expect(screen.getByRole('heading', { name: 'Pending invitations' })).toBeTruthy();
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(2));
    const grace = itemOf('grace@example.com');
    await waitFor(() => expect(grace.getByText('Admin')).toBeTruthy());
    expect(grace.getByText(/^Expires /).getAttribute('dateTime')).toBe(emailed.expiresAt);
    const open = itemOf('Open link');
    expect(open.getByText('Viewer')).toBeTruthy();
    expect(open.getByText('Member')).toBeTruthy();
    expect(open.getByText(/Used 0 of 5 times/)).toBeTruthy();
    expect(screen.queryByText('gone@example.com')).toBeNull();
  });

  it('revokes after confirming, and the link stops working', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme');
    const invitation = await client.tenants.invitations.create(tenant.id, {
      email: 'grace@example.com',
      roles: ['member'],
    });
    renderWithPortcullis(<PendingInvitations />, { client, activeTenantId: tenant.id });
    const revoke = await waitFor(() => itemOf('grace@example.com').getByRole('button', { name: 'Revoke' }));
    fireEvent.click(revoke);
    const question = itemOf('grace@example.com').getByRole('group', {
      name: /Revoke the invitation to grace@example\.com\?/,
    });
    fireEvent.click(within(question).getByRole('button', { name: 'Cancel' }));
    expect((await client.tenants.invitations.list(tenant.id)).items[0]?.status).toBe('pending');

    fireEvent.click(itemOf('grace@example.com').getByRole('button', { name: 'Revoke' }));
    await act(async () => {
      fireEvent.click(itemOf('grace@example.com').getByRole('button', { name: 'Confirm' }));
    });
    await waitFor(() => expect(screen.queryByText('grace@example.com')).toBeNull());
    expect(screen.getByText('No pending invitations.')).toBeTruthy();
    const stored = (await client.tenants.invitations.list(tenant.id)).items.find(
      (i) => i.id === invitation.id,
    );
    expect(stored?.status).toBe('revoked');
  });

  it('shows the refusal beside Revoke when someone else revoked it first', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme');
    const admin = await memberOf(server, client, tenant, 'admin@example.com', ['admin']);
    const invitation = await client.tenants.invitations.create(tenant.id, {
      email: 'grace@example.com',
      roles: ['member'],
    });
    renderWithPortcullis(<PendingInvitations />, { client, activeTenantId: tenant.id });
    const revoke = await waitFor(() => itemOf('grace@example.com').getByRole('button', { name: 'Revoke' }));
    await admin.client.tenants.invitations.revoke(tenant.id, invitation.id);
    fireEvent.click(revoke);
    await act(async () => {
      fireEvent.click(itemOf('grace@example.com').getByRole('button', { name: 'Confirm' }));
    });
    const alert = await waitFor(() => itemOf('grace@example.com').getByRole('alert'));
    expect(alert.textContent).toBe('No such pending invitation');
    expect(
      itemOf('grace@example.com').getByRole('button', { name: 'Revoke' }).getAttribute('aria-describedby'),
    ).toBe(alert.id);
  });

  it('marks an invitation past its expiry as expired', async () => {
    // the server's clock runs a day behind the browser's: a one-minute invitation reads as expired here
    const dayAgo = Date.now() - 86_400_000;
    const server = createTestServer({ clock: { now: () => new Date(dayAgo) } });
    const { client, tenant } = await ownerOf(server, 'Acme');
    await client.tenants.invitations.create(tenant.id, {
      email: 'late@example.com',
      roles: ['member'],
      expiresInSeconds: 60,
    });
    await client.tenants.invitations.create(tenant.id, {
      email: 'soon@example.com',
      roles: ['member'],
      expiresInSeconds: 30 * 86_400,
    });
    renderWithPortcullis(<PendingInvitations />, { client, activeTenantId: tenant.id });
    await waitFor(() => expect(itemOf('late@example.com').getByText(/^Expired /)).toBeTruthy());
    expect(itemOf('soon@example.com').getByText(/^Expires /)).toBeTruthy();
  });

  it('shows why the list cannot be read by a member without invitation.manage', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme');
    const member = await memberOf(server, client, tenant, 'grace@example.com');
    renderWithPortcullis(<PendingInvitations />, { client: member.client, activeTenantId: tenant.id });
    expect((await screen.findByRole('alert')).textContent).toBe('Missing permission invitation.manage');
    expect(screen.queryByText('No pending invitations.')).toBeNull();
  });
});
