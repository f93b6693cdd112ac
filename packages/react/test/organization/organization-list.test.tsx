import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OrganizationList } from '../../src/index.js';
import { createTestServer, renderWithPortcullis, signUp } from '../support/test-server.js';
import { ownerOf } from './organization-fixtures.js';

describe('OrganizationList', () => {
  afterEach(cleanup);

  it('lists the organizations with name and slug, marks the active one, and opens one', async () => {
    const server = createTestServer();
    const { client, tenant: acme } = await ownerOf(server, 'Acme');
    const beta = await client.tenants.create({ name: 'Beta Labs', slug: 'beta-labs' });
    // someone else's organization is not listed
    await ownerOf(server, 'Elsewhere');
    const onOpen = vi.fn();
    const onActiveTenantChange = vi.fn();
    renderWithPortcullis(<OrganizationList onOpen={onOpen} />, {
      client,
      activeTenantId: acme.id,
      onActiveTenantChange,
    });
    const list = await screen.findByRole('list');
    const rows = within(list).getAllByRole('listitem');
    expect(rows).toHaveLength(2);
    expect(rows[0]?.textContent).toContain('acme');
    expect(
      within(rows[0] as HTMLElement)
        .getByRole('button', { name: 'Acme' })
        .getAttribute('aria-current'),
    ).toBe('true');
    expect(within(rows[0] as HTMLElement).getByText('Current')).toBeTruthy();
    expect(rows[1]?.textContent).toContain('beta-labs');
    expect(screen.queryByText('Elsewhere')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Beta Labs' }));
    expect(onActiveTenantChange).toHaveBeenCalledWith(beta.id);
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ id: beta.id }));
  });

  it('renders links when given addresses, and loads more pages on demand', async () => {
    const server = createTestServer();
    const { client, browser } = await ownerOf(server, 'Acme');
    await client.tenants.create({ name: 'Beta Labs', slug: 'beta-labs' });
    await client.tenants.create({ name: 'Core Works', slug: 'core-works' });
    renderWithPortcullis(<OrganizationList pageSize={2} getHref={(tenant) => `/orgs/${tenant.slug}`} />, {
      client,
    });
    await waitFor(() => expect(screen.getAllByRole('link')).toHaveLength(2));
    expect(screen.getByRole('link', { name: 'Acme' }).getAttribute('href')).toBe('/orgs/acme');
    const before = browser.count('/tenants');
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    });
    await waitFor(() => expect(screen.getAllByRole('link')).toHaveLength(3));
    expect(browser.count('/tenants')).toBe(before + 1);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('says so when the user belongs to no organization', async () => {
    const server = createTestServer();
    const client = server.browser().client();
    await signUp(client, 'new@example.com');
    renderWithPortcullis(<OrganizationList />, { client });
    expect(await screen.findByText('You are not a member of any organization yet.')).toBeTruthy();
  });
});
