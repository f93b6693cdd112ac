import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CreateOrganization, OrganizationList, suggestSlug } from '../../src/index.js';
import { createTestServer, renderWithPortcullis, signUp } from '../support/test-server.js';
import { ownerOf } from './organization-fixtures.js';

const nameField = () => screen.getByLabelText('Organization name') as HTMLInputElement;
const slugField = () => screen.getByLabelText('Slug') as HTMLInputElement;
const submit = () => screen.getByRole('button', { name: 'Create organization' });

describe('suggestSlug', () => {
  it('turns a name into a slug the server accepts', () => {
    expect(suggestSlug('Acme Research Ltd')).toBe('acme-research-ltd');
    expect(suggestSlug('  Émile & Co. ')).toBe('emile-co');
    expect(suggestSlug('---')).toBe('');
    expect(suggestSlug(`${'a'.repeat(62)} b`)).toBe('a'.repeat(62));
  });
});

describe('CreateOrganization', () => {
  afterEach(cleanup);

  it('suggests the slug from the name until it is edited, creates the tenant and makes it active', async () => {
    const server = createTestServer();
    const browser = server.browser();
    const client = browser.client();
    await signUp(client, 'ada@example.com');
    const onCreated = vi.fn();
    const onActiveTenantChange = vi.fn();
    renderWithPortcullis(
      <>
        <CreateOrganization onCreated={onCreated} />
        <OrganizationList />
      </>,
      { client, onActiveTenantChange },
    );
    expect(screen.getByRole('heading', { name: 'Create organization' })).toBeTruthy();
    fireEvent.change(nameField(), { target: { value: 'Ünïcode Ventures' } });
    expect(slugField().value).toBe('unicode-ventures');
    fireEvent.change(slugField(), { target: { value: 'unicode' } });
    fireEvent.change(nameField(), { target: { value: 'Unicode Ventures' } });
    expect(slugField().value).toBe('unicode');
    await act(async () => {
      fireEvent.click(submit());
    });
    await waitFor(() => expect(onCreated).toHaveBeenCalledTimes(1));
    const tenant = onCreated.mock.calls[0]?.[0];
    expect(tenant).toMatchObject({ name: 'Unicode Ventures', slug: 'unicode', status: 'active' });
    expect(onActiveTenantChange).toHaveBeenCalledWith(tenant.id);
    // the list elsewhere on the page learnt of it
    expect(await screen.findByRole('button', { name: 'Unicode Ventures' })).toBeTruthy();
    const members = await client.tenants.members.list(tenant.id);
    expect(members.items.map((member) => member.roles)).toEqual([['owner']]);
  });

  it('reports a taken slug beside the slug field', async () => {
    const server = createTestServer();
    await ownerOf(server, 'Acme');
    const browser = server.browser();
    const client = browser.client();
    await signUp(client, 'grace@example.com');
    const onCreated = vi.fn();
    renderWithPortcullis(<CreateOrganization onCreated={onCreated} />, { client });
    fireEvent.change(nameField(), { target: { value: 'Acme' } });
    await act(async () => {
      fireEvent.click(submit());
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('That address is taken. Choose another.');
    expect(slugField().getAttribute('aria-invalid')).toBe('true');
    expect(slugField().getAttribute('aria-describedby')?.split(' ')).toContain(alert.id);
    expect(nameField().getAttribute('aria-invalid')).toBeNull();
    expect(onCreated).not.toHaveBeenCalled();
    expect(browser.count('/tenants', 'POST')).toBe(1);

    // with another slug the next attempt succeeds, and the complaint goes
    fireEvent.change(slugField(), { target: { value: 'acme-two' } });
    await act(async () => {
      fireEvent.click(submit());
    });
    await waitFor(() => expect(onCreated).toHaveBeenCalledTimes(1));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it("shows the server's complaint about a malformed slug and an empty name beside each field", async () => {
    const server = createTestServer();
    const client = server.browser().client();
    await signUp(client, 'ada@example.com');
    renderWithPortcullis(<CreateOrganization />, { client });
    fireEvent.change(slugField(), { target: { value: '-Bad Slug-' } });
    await act(async () => {
      fireEvent.click(submit());
    });
    await waitFor(() => expect(slugField().getAttribute('aria-invalid')).toBe('true'));
    const slugError = document.getElementById(
      slugField().getAttribute('aria-describedby')?.split(' ')[1] ?? '',
    );
    expect(slugError?.getAttribute('role')).toBe('alert');
    expect(slugError?.textContent).toMatch(/lower-case letters, digits and inner hyphens/i);
    expect(nameField().getAttribute('aria-invalid')).toBe('true');
  });

  it('disables the button while the request is under way, so a double click creates one', async () => {
    const server = createTestServer();
    const browser = server.browser();
    const client = browser.client();
    await signUp(client, 'ada@example.com');
    const onCreated = vi.fn();
    renderWithPortcullis(<CreateOrganization onCreated={onCreated} />, { client });
    fireEvent.change(nameField(), { target: { value: 'Once' } });
    await act(async () => {
      fireEvent.click(submit());
      fireEvent.click(submit());
    });
    await waitFor(() => expect(onCreated).toHaveBeenCalledTimes(1));
    expect(browser.count('/tenants', 'POST')).toBe(1);
  });
});
