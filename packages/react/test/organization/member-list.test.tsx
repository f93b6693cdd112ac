import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemberList, PermissionGate } from '../../src/index.js';
import { createTestServer, renderWithPortcullis } from '../support/test-server.js';
import { memberOf, ownerOf } from './organization-fixtures.js';

const table = () => screen.getByRole('table');
const rowOf = (email: string) => {
  const row = within(table())
    .getAllByRole('row')
    .find((candidate) => candidate.textContent?.includes(email));
  if (!row) throw new Error(`no row for ${email}`);
  return within(row);
};
// a gate on the same permission shares its answer: once it shows, the list has it too
const answered = (action: string) => (
  <PermissionGate action={action} fallback={<p>{`${action} answered`}</p>}>
    <p>{`${action} answered`}</p>
  </PermissionGate>
);

describe('MemberList', () => {
  afterEach(cleanup);

  it('lists name, email, roles in words and the date joined', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme', 'ada@example.com');
    await memberOf(server, client, tenant, 'grace@example.com', ['admin', 'member']);
    renderWithPortcullis(<MemberList />, { client, activeTenantId: tenant.id });
    expect(await screen.findByRole('heading', { name: 'Members' })).toBeTruthy();
    await waitFor(() => expect(within(table()).getAllByRole('row')).toHaveLength(3));
    expect(
      within(table())
        .getAllByRole('columnheader')
        .map((cell) => cell.textContent),
    ).toEqual(['Name', 'Email', 'Roles', 'Joined', 'Actions']);
    const ada = rowOf('ada@example.com');
    expect(ada.getByText('Owner of Acme')).toBeTruthy();
    expect(ada.getByText('You')).toBeTruthy();
    await waitFor(() => expect(ada.getByText('Owner')).toBeTruthy());
    const grace = rowOf('grace@example.com');
    expect(grace.getByText('Admin')).toBeTruthy();
    expect(grace.getByText('Member')).toBeTruthy();
    const joined = grace.getByRole('cell', { name: /\d{4}/ }).querySelector('time');
    expect(joined?.getAttribute('dateTime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('removes a member after confirming, and Cancel keeps them', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme', 'ada@example.com');
    await memberOf(server, client, tenant, 'grace@example.com');
    renderWithPortcullis(<MemberList />, { client, activeTenantId: tenant.id });
    const remove = await waitFor(() => rowOf('grace@example.com').getByRole('button', { name: 'Remove' }));
    fireEvent.click(remove);
    const question = rowOf('grace@example.com').getByRole('group', { name: /Remove grace\?/ });
    fireEvent.keyDown(question, { key: 'Escape' });
    expect(rowOf('grace@example.com').queryByRole('group')).toBeNull();
    expect((await client.tenants.members.list(tenant.id)).items).toHaveLength(2);

    fireEvent.click(rowOf('grace@example.com').getByRole('button', { name: 'Remove' }));
    await act(async () => {
      fireEvent.click(rowOf('grace@example.com').getByRole('button', { name: 'Confirm' }));
    });
    await waitFor(() => expect(screen.queryByText('grace@example.com')).toBeNull());
    expect((await client.tenants.members.list(tenant.id)).items.map((m) => m.user.email)).toEqual([
      'ada@example.com',
    ]);
  });

  it('offers Remove only to those with member.remove, and Leave on their own row', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme', 'ada@example.com');
    const grace = await memberOf(server, client, tenant, 'grace@example.com', ['member']);
    renderWithPortcullis(
      <>
        <MemberList />
        {answered('member.remove')}
      </>,
      { client: grace.client, activeTenantId: tenant.id },
    );
    await screen.findByText('member.remove answered');
    await waitFor(() => expect(within(table()).getAllByRole('row')).toHaveLength(3));
    expect(rowOf('ada@example.com').queryByRole('button')).toBeNull();
    expect(rowOf('grace@example.com').getByRole('button', { name: 'Leave' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Remove' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Change roles' })).toBeNull();
  });

  it('does not offer Leave to the last owner, and says why', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme', 'ada@example.com');
    await memberOf(server, client, tenant, 'grace@example.com');
    renderWithPortcullis(
      <>
        <MemberList />
        {answered('member.remove')}
      </>,
      { client, activeTenantId: tenant.id },
    );
    await screen.findByText('member.remove answered');
    await waitFor(() => expect(within(table()).getAllByRole('row')).toHaveLength(3));
    expect(rowOf('ada@example.com').queryByRole('button', { name: 'Leave' })).toBeNull();
    expect(rowOf('ada@example.com').queryByRole('button', { name: 'Remove' })).toBeNull();
    expect(screen.getByText(/You are the only owner of this organization/)).toBeTruthy();
  });

  it('lets an owner leave when another owner remains', async () => {
    const server = createTestServer();
    const { client: ada, tenant } = await ownerOf(server, 'Acme', 'ada@example.com');
    const grace = await memberOf(server, ada, tenant, 'grace@example.com', ['owner']);
    const onLeft = vi.fn();
    const onActiveTenantChange = vi.fn();
    renderWithPortcullis(<MemberList onLeft={onLeft} />, {
      client: grace.client,
      activeTenantId: tenant.id,
      onActiveTenantChange,
    });
    const leave = await waitFor(() => rowOf('grace@example.com').getByRole('button', { name: 'Leave' }));
    expect(screen.queryByText(/You are the only owner/)).toBeNull();
    fireEvent.click(leave);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    });
    expect(await screen.findByText('You left this organization.')).toBeTruthy();
    expect(onLeft).toHaveBeenCalledTimes(1);
    expect(onActiveTenantChange).toHaveBeenCalledWith(null);
    expect((await ada.tenants.members.list(tenant.id)).items.map((m) => m.user.email)).toEqual([
      'ada@example.com',
    ]);
  });

  it("shows the server's last_owner refusal beside Leave when the other owner left meanwhile", async () => {
    const server = createTestServer();
    const { client: ada, tenant } = await ownerOf(server, 'Acme', 'ada@example.com');
    const grace = await memberOf(server, ada, tenant, 'grace@example.com', ['owner']);
    renderWithPortcullis(<MemberList />, { client: ada, activeTenantId: tenant.id });
    const leave = await waitFor(() => rowOf('ada@example.com').getByRole('button', { name: 'Leave' }));
    // in another browser, the other owner leaves first
    const me = await grace.client.getSession();
    await grace.client.tenants.members.remove(tenant.id, me.user.id);
    fireEvent.click(leave);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    });
    const alert = await waitFor(() => rowOf('ada@example.com').getByRole('alert'));
    expect(alert.textContent).toMatch(/last "owner" cannot be removed/);
    expect(
      rowOf('ada@example.com').getByRole('button', { name: 'Leave' }).getAttribute('aria-describedby'),
    ).toBe(alert.id);
    expect((await ada.tenants.members.list(tenant.id)).items).toHaveLength(1);
  });

  it("shows a refusal to remove someone beyond the caller's permissions beside that Remove", async () => {
    const server = createTestServer();
    const { client: ada, tenant } = await ownerOf(server, 'Acme', 'ada@example.com');
    await memberOf(server, ada, tenant, 'olga@example.com', ['owner']);
    const admin = await memberOf(server, ada, tenant, 'admin@example.com', ['admin']);
    renderWithPortcullis(<MemberList />, { client: admin.client, activeTenantId: tenant.id });
    const remove = await waitFor(() => rowOf('olga@example.com').getByRole('button', { name: 'Remove' }));
    fireEvent.click(remove);
    await act(async () => {
      fireEvent.click(rowOf('olga@example.com').getByRole('button', { name: 'Confirm' }));
    });
    const alert = await waitFor(() => rowOf('olga@example.com').getByRole('alert'));
    expect(alert.textContent).toMatch(/^Cannot grant permissions you do not hold/);
    expect(rowOf('ada@example.com').queryByRole('alert')).toBeNull();
    expect((await ada.tenants.members.list(tenant.id)).items).toHaveLength(3);
  });
});
