import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InviteMemberModal, invitationLink, PendingInvitations } from '../../src/index.js';
import { createTestServer, PASSWORD, renderWithPortcullis, signUp } from '../support/test-server.js';
import { memberOf, ownerOf, verifyEmail } from './organization-fixtures.js';

const ACCEPT_URL = 'https://app.example/invitations/accept';
const openDialog = () => {
  fireEvent.click(screen.getByRole('button', { name: 'Invite member' }));
  return within(screen.getByRole('dialog', { name: 'Invite member' }));
};

describe('InviteMemberModal', () => {
  afterEach(cleanup);

  it('creates an invitation and shows its link once, which works and copies', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme');
    const onInvited = vi.fn();
    renderWithPortcullis(
      <>
        <InviteMemberModal acceptUrl={ACCEPT_URL} onInvited={onInvited} />
        <PendingInvitations />
      </>,
      { client, activeTenantId: tenant.id },
    );
    expect(screen.queryByRole('dialog')).toBeNull();
    const dialog = openDialog();
    const role = dialog.getByLabelText('Role') as HTMLSelectElement;
    await waitFor(() => expect(role.value).toBe('member'));
    fireEvent.change(dialog.getByLabelText('Email'), { target: { value: 'grace@example.com' } });
    fireEvent.change(role, { target: { value: 'admin' } });
    await act(async () => {
      fireEvent.click(dialog.getByRole('button', { name: 'Send invitation' }));
    });
    const link = (await dialog.findByLabelText('Invitation link')) as HTMLInputElement;
    expect(link.value).toMatch(/^https:\/\/app\.example\/invitations\/accept\?token=[\w-]{40,}$/);
    expect(onInvited).toHaveBeenCalledWith(
      expect.objectContaining({ email: 'grace@example.com', roles: ['admin'] }),
      link.value,
    );
    // the list beside it learnt of the invitation
    expect(await screen.findByText('grace@example.com')).toBeTruthy();

    await act(async () => {
      fireEvent.click(dialog.getByRole('button', { name: 'Copy link' }));
    });
    expect(await dialog.findByText('Copied.')).toBeTruthy();
    expect(await navigator.clipboard.readText()).toBe(link.value);

    // the token in the link is the invitation's: grace (verified) accepts it as an admin
    const token = new URL(link.value).searchParams.get('token') as string;
    const grace = server.browser().client();
    await signUp(grace, 'grace@example.com');
    await verifyEmail(server, grace, 'grace@example.com');
    const membership = await grace.invitations.accept({ token });
    expect(membership).toMatchObject({ tenantId: tenant.id, roles: ['admin'] });

    // closing forgets the link: opening again shows an empty form
    fireEvent.click(dialog.getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    const again = openDialog();
    expect(again.queryByLabelText('Invitation link')).toBeNull();
    expect((again.getByLabelText('Email') as HTMLInputElement).value).toBe('');
  });

  it('creates an open link when the email is left empty, and makes a relative acceptUrl absolute', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme');
    renderWithPortcullis(<InviteMemberModal acceptUrl="/join?from=invite" />, {
      client,
      activeTenantId: tenant.id,
    });
    const dialog = openDialog();
    await waitFor(() => expect((dialog.getByLabelText('Role') as HTMLSelectElement).value).toBe('member'));
    await act(async () => {
      fireEvent.click(dialog.getByRole('button', { name: 'Send invitation' }));
    });
    const link = new URL(((await dialog.findByLabelText('Invitation link')) as HTMLInputElement).value);
    expect(link.origin).toBe(window.location.origin);
    expect(link.pathname).toBe('/join');
    expect(link.searchParams.get('from')).toBe('invite');
    const { items } = await client.tenants.invitations.list(tenant.id);
    expect(items).toMatchObject([{ email: null, roles: ['member'], status: 'pending' }]);
    expect(invitationLink('https://x.example/a?token=old', 'new')).toBe('https://x.example/a?token=new');
  });

  it('shows a role the caller cannot grant (403) beside Send invitation, and a bad email beside Email', async () => {
    const server = createTestServer();
    const { client: owner, tenant } = await ownerOf(server, 'Acme');
    const admin = await memberOf(server, owner, tenant, 'admin@example.com', ['admin']);
    renderWithPortcullis(<InviteMemberModal acceptUrl={ACCEPT_URL} />, {
      client: admin.client,
      activeTenantId: tenant.id,
    });
    const dialog = openDialog();
    const role = dialog.getByLabelText('Role') as HTMLSelectElement;
    await waitFor(() => expect(role.value).toBe('member'));
    fireEvent.change(role, { target: { value: 'owner' } });
    const send = dialog.getByRole('button', { name: 'Send invitation' });
    await act(async () => {
      fireEvent.click(send);
    });
    const alert = await dialog.findByRole('alert');
    expect(alert.textContent).toMatch(/^Cannot grant permissions you do not hold: /);
    expect(send.getAttribute('aria-describedby')).toBe(alert.id);
    expect(dialog.queryByLabelText('Invitation link')).toBeNull();

    fireEvent.change(role, { target: { value: 'member' } });
    const email = dialog.getByLabelText('Email');
    fireEvent.change(email, { target: { value: 'not an address' } });
    await act(async () => {
      fireEvent.click(send);
    });
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    const emailAlert = dialog.getByRole('alert');
    expect(email.getAttribute('aria-describedby')?.split(' ')).toContain(emailAlert.id);
    expect(send.getAttribute('aria-describedby')).toBeNull();
    // the only invitation is the one the admin joined by
    expect((await owner.tenants.invitations.list(tenant.id)).items.map((i) => i.status)).toEqual([
      'exhausted',
    ]);
  });

  it('closes with Escape (the dialog is cancelled) and with Cancel', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme');
    renderWithPortcullis(<InviteMemberModal acceptUrl={ACCEPT_URL} />, { client, activeTenantId: tenant.id });
    openDialog();
    const dialog = screen.getByRole('dialog');
    expect(dialog.getAttribute('aria-labelledby')).toBe(within(dialog).getByRole('heading').id);
    // a browser fires `cancel` on the open <dialog> when Escape is pressed
    fireEvent(dialog, new Event('cancel', { cancelable: true }));
    expect(screen.queryByRole('dialog')).toBeNull();
    openDialog().getByRole('button', { name: 'Cancel' }).click();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  // review finding: the link stayed in the dialog for whoever signed in next
  it('drops the invitation link shown once when another user signs in', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme');
    await signUp(server.browser().client(), 'mallory@example.com');
    renderWithPortcullis(<InviteMemberModal acceptUrl={ACCEPT_URL} />, { client, activeTenantId: tenant.id });
    const dialog = openDialog();
    await waitFor(() => expect((dialog.getByLabelText('Role') as HTMLSelectElement).value).toBe('member'));
    await act(async () => {
      fireEvent.click(dialog.getByRole('button', { name: 'Send invitation' }));
    });
    const link = ((await dialog.findByLabelText('Invitation link')) as HTMLInputElement).value;
    expect(link).toContain('token=');

    await act(() => client.signOut());
    await act(() => client.signIn({ email: 'mallory@example.com', password: PASSWORD }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByDisplayValue(link)).toBeNull();
    // opened again, it is a new, empty form
    expect(openDialog().queryByLabelText('Invitation link')).toBeNull();
  });
});
