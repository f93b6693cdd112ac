import { memoryStorage } from '@portcullis/core/memory';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { RoleManager } from '../../src/index.js';
import { createTestServer, PASSWORD, renderWithPortcullis } from '../support/test-server.js';
import { adminWorld } from './admin-world.js';

afterEach(cleanup);

const CATALOG = { document: ['read', 'update'] };

const roleItem = (name: string) => {
  const item = screen
    .getAllByRole('listitem')
    .find(
      (li) => li.classList.contains('pc-role') && li.querySelector('.pc-role-name')?.textContent === name,
    );
  if (!item) throw new Error(`no role ${name}`);
  return item;
};
const createForm = () => screen.getByRole('form', { name: 'New role' });
const box = (scope: HTMLElement, name: string) =>
  within(scope).getByRole('checkbox', {
    name: new RegExp(`^${name.replace(/[.*]/g, '\\$&')}(\\s|$)`),
  }) as HTMLInputElement;

describe('RoleManager', () => {
  it('lists the built-in roles read-only with their permissions, and creates a role with the permission editor', async () => {
    const world = await adminWorld({ authorization: { permissions: CATALOG } });
    const created: string[] = [];
    renderWithPortcullis(<RoleManager onCreated={(role) => created.push(role.key)} />, {
      client: world.owner.client(),
      activeTenantId: world.tenantId,
    });
    expect(screen.getByRole('heading', { name: 'Roles' })).toBeTruthy();
    await screen.findByText('Owner');
    for (const name of ['Owner', 'Admin', 'Member', 'Viewer']) {
      const item = roleItem(name);
      expect(within(item).getByText('Built-in')).toBeTruthy();
      expect(within(item).queryByRole('button')).toBeNull();
    }
    expect(within(roleItem('Member')).getByText('member.read')).toBeTruthy();
    expect(within(roleItem('Owner')).getByText('*')).toBeTruthy();

    const form = await screen.findByRole('form', { name: 'New role' });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Café Editors' } });
    // the key follows the name until typed in
    expect((within(form).getByLabelText('Key') as HTMLInputElement).value).toBe('cafe-editors');
    fireEvent.click(box(form, 'document.*'));
    fireEvent.click(box(form, 'member.read'));
    fireEvent.click(within(form).getByRole('button', { name: 'Create role' }));

    const item = await waitFor(() => roleItem('Café Editors'));
    expect(within(item).getByText('cafe-editors')).toBeTruthy();
    expect(within(item).getByText('document.*')).toBeTruthy();
    expect(within(item).getByText('member.read')).toBeTruthy();
    expect(within(item).queryByText('Built-in')).toBeNull();
    expect(created).toEqual(['cafe-editors']);
    const stored = await world.ownerClient.tenants.roles.list(world.tenantId);
    expect(stored.items.find((role) => role.key === 'cafe-editors')?.permissions).toEqual([
      'document.*',
      'member.read',
    ]);
    // the form is empty again
    await waitFor(() =>
      expect((within(createForm()).getByLabelText('Name') as HTMLInputElement).value).toBe(''),
    );
    expect((within(createForm()).getByLabelText('Key') as HTMLInputElement).value).toBe('');
    expect(box(createForm(), 'member.read').checked).toBe(false);
  });

  it('shows a taken key next to the Key field', async () => {
    const world = await adminWorld();
    await world.ownerClient.tenants.roles.create(world.tenantId, {
      key: 'support',
      name: 'Support',
      permissions: [],
    });
    renderWithPortcullis(<RoleManager />, { client: world.owner.client(), activeTenantId: world.tenantId });
    const form = await screen.findByRole('form', { name: 'New role' });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Support desk' } });
    fireEvent.change(within(form).getByLabelText('Key'), { target: { value: 'support' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create role' }));

    const key = within(form).getByLabelText('Key');
    await waitFor(() => expect(key.getAttribute('aria-invalid')).toBe('true'));
    const alert = within(form).getByRole('alert');
    expect(alert.textContent).toBe('Role "support" exists');
    expect(key.getAttribute('aria-describedby')).toContain(alert.id);
  });

  it("shows the catalog's refusal of a permission inside the permission editor, on that permission", async () => {
    // a role written before the app narrowed its catalog: the same database, a stricter server
    const storage = memoryStorage();
    const before = await adminWorld({ storage });
    await before.ownerClient.tenants.roles.create(before.tenantId, {
      key: 'publisher',
      name: 'Publisher',
      permissions: ['document.publish'],
    });
    const after = createTestServer({ storage, authorization: { permissions: CATALOG } });
    const client = after.browser().client();
    await client.signIn({ email: 'owner@example.com', password: PASSWORD });
    renderWithPortcullis(<RoleManager />, { client, activeTenantId: before.tenantId });

    fireEvent.click(await screen.findByRole('button', { name: 'Edit Publisher' }));
    const form = screen.getByRole('form', { name: 'Edit Publisher' });
    const others = within(form).getByRole('group', { name: 'Other permissions' });
    expect(box(others, 'document.publish').checked).toBe(true);
    fireEvent.click(box(form, 'document.read'));
    fireEvent.click(within(form).getByRole('button', { name: 'Save role' }));

    const editor = within(form).getByRole('group', { name: 'Permissions' });
    const alert = await within(editor).findByRole('alert');
    expect(alert.textContent).toBe(
      'document.publish: "publish" is not an action of "document" (read, update)',
    );
    expect(box(others, 'document.publish').getAttribute('aria-invalid')).toBe('true');
    expect(box(form, 'document.read').getAttribute('aria-invalid')).toBeNull();
    // not repeated beside the button
    expect(within(form).getAllByRole('alert')).toHaveLength(1);
  });

  it('edits a custom role ("Save role"), and shows a refusal of the server beside that button', async () => {
    const world = await adminWorld();
    await world.ownerClient.tenants.roles.create(world.tenantId, {
      key: 'closer',
      name: 'Closer',
      permissions: ['tenant.delete'],
    });
    await world.ownerClient.tenants.roles.create(world.tenantId, {
      key: 'helper',
      name: 'Helper',
      permissions: ['member.read'],
    });
    const admin = await world.addMember(['admin']);
    renderWithPortcullis(<RoleManager />, { client: admin.client, activeTenantId: world.tenantId });

    fireEvent.click(await screen.findByRole('button', { name: 'Edit Helper' }));
    const helper = screen.getByRole('form', { name: 'Edit Helper' });
    fireEvent.change(within(helper).getByLabelText('Name'), { target: { value: 'Helpers' } });
    // the admin role holds every tenant permission but these: they cannot be granted
    expect(box(helper, 'tenant.delete').disabled).toBe(true);
    fireEvent.click(box(helper, 'invitation.manage'));
    fireEvent.click(within(helper).getByRole('button', { name: 'Save role' }));
    const saved = await waitFor(() => roleItem('Helpers'));
    expect(within(saved).getByText('invitation.manage')).toBeTruthy();

    // narrowing a role that holds what the admin does not is refused: the server says why
    fireEvent.click(screen.getByRole('button', { name: 'Edit Closer' }));
    const closer = screen.getByRole('form', { name: 'Edit Closer' });
    fireEvent.change(within(closer).getByLabelText('Name'), { target: { value: 'Closers' } });
    const save = within(closer).getByRole('button', { name: 'Save role' });
    fireEvent.click(save);
    const alert = await within(closer).findByRole('alert');
    // (the server names tenant.delete twice today: once from the role, once from the edit)
    expect(alert.textContent).toMatch(/^Cannot grant permissions you do not hold: tenant\.delete/);
    expect(save.getAttribute('aria-describedby')).toBe(alert.id);
    fireEvent.click(within(closer).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('form', { name: 'Edit Closer' })).toBeNull();
    expect(roleItem('Closer')).toBeTruthy();
  });

  it('deletes a custom role after confirming; Escape cancels; a role members hold stays, with the reason', async () => {
    const world = await adminWorld();
    await world.ownerClient.tenants.roles.create(world.tenantId, {
      key: 'temp',
      name: 'Temp',
      permissions: [],
    });
    await world.ownerClient.tenants.roles.create(world.tenantId, {
      key: 'held',
      name: 'Held',
      permissions: [],
    });
    await world.addMember(['held']);
    renderWithPortcullis(<RoleManager />, { client: world.owner.client(), activeTenantId: world.tenantId });
    await screen.findByText('Temp');

    fireEvent.click(within(roleItem('Temp')).getByRole('button', { name: 'Delete' }));
    const question = within(roleItem('Temp')).getByRole('group', { name: /Delete the role "Temp"/ });
    expect(document.activeElement?.textContent).toBe('Cancel');
    fireEvent.keyDown(question, { key: 'Escape' });
    expect(within(roleItem('Temp')).queryByRole('group')).toBeNull();

    fireEvent.click(within(roleItem('Temp')).getByRole('button', { name: 'Delete' }));
    fireEvent.click(within(roleItem('Temp')).getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(screen.queryByText('Temp')).toBeNull());
    expect(
      (await world.ownerClient.tenants.roles.list(world.tenantId)).items.map((r) => r.key),
    ).not.toContain('temp');

    fireEvent.click(within(roleItem('Held')).getByRole('button', { name: 'Delete' }));
    fireEvent.click(within(roleItem('Held')).getByRole('button', { name: 'Confirm' }));
    const alert = await within(roleItem('Held')).findByRole('alert');
    expect(alert.textContent).toBe('Members still hold this role');
  });

  it('shows a member the roles without any control to change them, and a viewer why there is nothing', async () => {
    const world = await adminWorld();
    await world.ownerClient.tenants.roles.create(world.tenantId, {
      key: 'temp',
      name: 'Temp',
      permissions: [],
    });
    const member = await world.addMember(['member']);
    const first = renderWithPortcullis(<RoleManager />, {
      client: member.client,
      activeTenantId: world.tenantId,
    });
    await screen.findByText('Temp');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByRole('form')).toBeNull();
    expect(screen.queryByRole('button')).toBeNull();
    first.unmount();

    const viewer = await world.addMember(['viewer']);
    renderWithPortcullis(<RoleManager />, { client: viewer.client, activeTenantId: world.tenantId });
    expect(
      await screen.findByText('You do not have permission to see the roles of this organization.'),
    ).toBeTruthy();
    expect(viewer.browser.requests.some((r) => r.path.endsWith('/roles'))).toBe(false);
  });
});
