import type { Member } from '@portcullis/client';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemberList, MemberRoleManager } from '../../src/index.js';
import { createTestServer, renderWithPortcullis } from '../support/test-server.js';
import { memberOf, ownerOf } from './organization-fixtures.js';

async function memberRecord(client: Parameters<typeof memberOf>[1], tenantId: string, email: string) {
  const { items } = await client.tenants.members.list(tenantId);
  return items.find((member) => member.user.email === email) as Member;
}

const box = (name: string) => screen.getByRole('checkbox', { name }) as HTMLInputElement;

describe('MemberRoleManager', () => {
  afterEach(cleanup);

  it("replaces a member's roles with the boxes ticked", async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme');
    await memberOf(server, client, tenant, 'grace@example.com', ['member']);
    const grace = await memberRecord(client, tenant.id, 'grace@example.com');
    const onSaved = vi.fn();
    renderWithPortcullis(<MemberRoleManager member={grace} onSaved={onSaved} />, {
      client,
      activeTenantId: tenant.id,
    });
    const group = await screen.findByRole('group', { name: 'Roles' });
    await waitFor(() =>
      expect(
        within(group)
          .getAllByRole('checkbox')
          .map((b) => b.parentElement?.textContent)
          .sort(),
      ).toEqual(['Admin', 'Member', 'Owner', 'Viewer']),
    );
    expect(box('Member').checked).toBe(true);
    expect(box('Admin').checked).toBe(false);
    const save = screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);

    fireEvent.click(box('Admin'));
    fireEvent.click(box('Member'));
    await act(async () => {
      fireEvent.click(save);
    });
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(['admin']));
    expect((await memberRecord(client, tenant.id, 'grace@example.com')).roles).toEqual(['admin']);
    expect(screen.getByText('Roles saved.')).toBeTruthy();
  });

  it('shows the refusal to grant a role beyond your own permissions beside Save', async () => {
    const server = createTestServer();
    const { client: owner, tenant } = await ownerOf(server, 'Acme');
    const admin = await memberOf(server, owner, tenant, 'admin@example.com', ['admin']);
    await memberOf(server, owner, tenant, 'grace@example.com', ['member']);
    const grace = await memberRecord(owner, tenant.id, 'grace@example.com');
    renderWithPortcullis(<MemberRoleManager member={grace} />, {
      client: admin.client,
      activeTenantId: tenant.id,
    });
    await waitFor(() => expect(box('Owner')).toBeTruthy());
    fireEvent.click(box('Owner'));
    const save = screen.getByRole('button', { name: 'Save' });
    await act(async () => {
      fireEvent.click(save);
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/^Cannot grant permissions you do not hold: /);
    expect(save.getAttribute('aria-describedby')).toBe(alert.id);
    expect(screen.getByRole('group', { name: 'Roles' }).getAttribute('aria-describedby')).toBe(alert.id);
    expect((await memberRecord(owner, tenant.id, 'grace@example.com')).roles).toEqual(['member']);
    // changing the choice clears the complaint
    fireEvent.click(box('Owner'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says why the last owner cannot be demoted, and that a member needs a role', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme', 'ada@example.com');
    const ada = await memberRecord(client, tenant.id, 'ada@example.com');
    renderWithPortcullis(<MemberRoleManager member={ada} />, { client, activeTenantId: tenant.id });
    await waitFor(() => expect(box('Owner').checked).toBe(true));
    fireEvent.click(box('Owner'));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    });
    expect((await screen.findByRole('alert')).textContent).toBe('At least one role');

    fireEvent.click(box('Admin'));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    });
    expect((await screen.findByRole('alert')).textContent).toMatch(
      /last "owner" cannot be removed or demoted/,
    );
    expect((await memberRecord(client, tenant.id, 'ada@example.com')).roles).toEqual(['owner']);
  });

  it('opens from the member list in a dialog, and the list shows the new roles', async () => {
    const server = createTestServer();
    const { client, tenant } = await ownerOf(server, 'Acme');
    await memberOf(server, client, tenant, 'grace@example.com', ['member']);
    renderWithPortcullis(<MemberList />, { client, activeTenantId: tenant.id });
    const row = await waitFor(() => {
      const found = screen.getAllByRole('row').find((r) => r.textContent?.includes('grace@example.com'));
      if (!found) throw new Error('no row yet');
      return within(found);
    });
    fireEvent.click(await waitFor(() => row.getByRole('button', { name: 'Change roles' })));
    const dialog = screen.getByRole('dialog', { name: 'Roles of grace' });
    await waitFor(() => expect(within(dialog).getAllByRole('checkbox')).toHaveLength(4));
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Viewer' }));
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Member' }));
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(row.getByText('Viewer')).toBeTruthy());
    expect(row.queryByText('Member')).toBeNull();
  });
});
