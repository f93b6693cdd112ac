import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { OrganizationSettings, PermissionGate } from '../../src/index.js';
import { createTestServer, renderWithPortcullis } from '../support/test-server.js';
import { memberOf, ownerOf } from './organization-fixtures.js';

const details = () =>
  within(screen.getByRole('heading', { name: 'Organization settings' }).parentElement as HTMLElement);

describe('OrganizationSettings', () => {
  afterEach(cleanup);

  it('renames the organization and shows its slug, id and status', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme');
    renderWithPortcullis(<OrganizationSettings />, { client, activeTenantId: tenant.id });
    const name = (await screen.findByLabelText('Organization name')) as HTMLInputElement;
    expect(name.value).toBe('Acme');
    expect(details().getByText(tenant.id)).toBeTruthy();
    expect(details().getByText('acme')).toBeTruthy();
    expect(details().getByText('Active')).toBeTruthy();
    const save = screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);

    fireEvent.change(name, { target: { value: 'Acme Research' } });
    expect(save.disabled).toBe(false);
    await act(async () => {
      fireEvent.click(save);
    });
    await waitFor(() => expect(screen.getByText('Saved.')).toBeTruthy());
    expect((await client.tenants.get(tenant.id)).name).toBe('Acme Research');
    expect(name.value).toBe('Acme Research');
  });

  it("shows the server's complaint about the name beside the field", async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme');
    renderWithPortcullis(<OrganizationSettings />, { client, activeTenantId: tenant.id });
    const name = (await screen.findByLabelText('Organization name')) as HTMLInputElement;
    fireEvent.change(name, { target: { value: '   ' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    });
    const alert = await screen.findByRole('alert');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(name.getAttribute('aria-describedby')).toBe(alert.id);
    expect(alert.textContent).toMatch(/>=1 characters/);
    expect((await client.tenants.get(tenant.id)).name).toBe('Acme');
  });

  it('offers renaming to admins but suspending only to owners, and neither to members', async () => {
    const server = createTestServer();
    const { client: owner, tenant } = await ownerOf(server, 'Acme');
    const admin = await memberOf(server, owner, tenant, 'admin@example.com', ['admin']);
    const member = await memberOf(server, owner, tenant, 'member@example.com', ['member']);

    // a gate on the same permission shares the answer: once it shows its fallback, so has the form
    const page = (
      <>
        <OrganizationSettings />
        <PermissionGate action="tenant.suspend" fallback={<p>answered</p>}>
          <p>answered</p>
        </PermissionGate>
      </>
    );
    const asAdmin = renderWithPortcullis(page, { client: admin.client, activeTenantId: tenant.id });
    expect(await screen.findByLabelText('Organization name')).toBeTruthy();
    await screen.findByText('answered');
    expect(screen.queryByRole('button', { name: 'Suspend organization' })).toBeNull();
    asAdmin.unmount();

    renderWithPortcullis(page, { client: member.client, activeTenantId: tenant.id });
    await waitFor(() => expect(details().getByText('Acme')).toBeTruthy());
    await screen.findByText('answered');
    expect(screen.queryByLabelText('Organization name')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Save' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Suspend organization' })).toBeNull();
  });

  it('suspends after confirming, and reactivates', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme');
    renderWithPortcullis(<OrganizationSettings />, { client, activeTenantId: tenant.id });
    const suspend = await screen.findByRole('button', { name: 'Suspend organization' });
    fireEvent.click(suspend);
    const question = screen.getByRole('group', { name: /Suspend Acme\?/ });
    expect(document.activeElement).toBe(within(question).getByRole('button', { name: 'Cancel' }));
    fireEvent.click(within(question).getByRole('button', { name: 'Cancel' }));
    expect((await client.tenants.get(tenant.id)).status).toBe('active');

    fireEvent.click(screen.getByRole('button', { name: 'Suspend organization' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    });
    await waitFor(() => expect(details().getByText('Suspended')).toBeTruthy());
    expect((await client.tenants.get(tenant.id)).status).toBe('suspended');
    // nothing is allowed in a suspended tenant: the rename form goes with the permission answers
    await waitFor(() => expect(screen.queryByLabelText('Organization name')).toBeNull());

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Reactivate' }));
    });
    await waitFor(() => expect(details().getByText('Active')).toBeTruthy());
    expect((await client.tenants.get(tenant.id)).status).toBe('active');
    expect(await screen.findByLabelText('Organization name')).toBeTruthy();
  });

  it('shows a refused reactivation beside the Reactivate button', async () => {
    const server = createTestServer();
    const { client: owner, tenant } = await ownerOf(server, 'Acme');
    const admin = await memberOf(server, owner, tenant, 'admin@example.com', ['admin']);
    await owner.tenants.update(tenant.id, { status: 'suspended' });
    renderWithPortcullis(<OrganizationSettings />, { client: admin.client, activeTenantId: tenant.id });
    const reactivate = await screen.findByRole('button', { name: 'Reactivate' });
    await act(async () => {
      fireEvent.click(reactivate);
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Missing permission tenant.suspend');
    expect(reactivate.getAttribute('aria-describedby')).toBe(alert.id);
    expect((await owner.tenants.get(tenant.id)).status).toBe('suspended');
  });
});
