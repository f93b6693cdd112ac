import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OrganizationSwitcher, useTenant } from '../../src/index.js';
import { createTestServer, renderWithPortcullis } from '../support/test-server.js';
import { ownerOf } from './organization-fixtures.js';

function ActiveName() {
  const { tenant } = useTenant();
  return <p data-testid="active">{tenant?.name ?? 'none'}</p>;
}

async function ownerOfThree() {
  const server = createTestServer();
  const { client, browser, tenant: acme } = await ownerOf(server, 'Acme');
  const beta = await client.tenants.create({ name: 'Beta Labs', slug: 'beta-labs' });
  const core = await client.tenants.create({ name: 'Core Works', slug: 'core-works' });
  return { server, client, browser, acme, beta, core };
}

const menuButton = () => screen.getByRole('button', { name: /^Organization:/ });
const menu = () => screen.getByRole('menu', { hidden: true });

describe('OrganizationSwitcher', () => {
  afterEach(cleanup);

  it('shows the active organization and switches to the one chosen with the mouse', async () => {
    const { client, acme, beta } = await ownerOfThree();
    const onActiveTenantChange = vi.fn();
    const onSwitch = vi.fn();
    renderWithPortcullis(<OrganizationSwitcher onSwitch={onSwitch} />, {
      client,
      activeTenantId: acme.id,
      onActiveTenantChange,
    });
    await waitFor(() => expect(menuButton().textContent).toContain('Acme'));
    expect(menuButton().getAttribute('aria-haspopup')).toBe('menu');
    expect(menuButton().getAttribute('aria-expanded')).toBe('false');
    expect(menu().hidden).toBe(true);

    fireEvent.click(menuButton());
    expect(menuButton().getAttribute('aria-expanded')).toBe('true');
    const items = within(menu()).getAllByRole('menuitemradio');
    expect(items.map((item) => item.textContent)).toEqual([
      expect.stringContaining('Acme'),
      expect.stringContaining('Beta Labs'),
      expect.stringContaining('Core Works'),
    ]);
    expect(items[0]?.getAttribute('aria-checked')).toBe('true');
    expect(items[1]?.getAttribute('aria-checked')).toBe('false');

    fireEvent.click(within(menu()).getByRole('menuitemradio', { name: /Beta Labs/ }));
    expect(onActiveTenantChange).toHaveBeenCalledWith(beta.id);
    expect(onSwitch).toHaveBeenCalledWith(expect.objectContaining({ id: beta.id, slug: 'beta-labs' }));
    expect(menu().hidden).toBe(true);
    expect(document.activeElement).toBe(menuButton());
  });

  it('follows the menu button pattern from the keyboard: arrows, Home, End, letters, Enter, Escape', async () => {
    const { client } = await ownerOfThree();
    renderWithPortcullis(
      <>
        <OrganizationSwitcher />
        <ActiveName />
      </>,
      { client },
    );
    await waitFor(() => expect(menuButton().textContent).toContain('Choose an organization'));
    await waitFor(() =>
      expect(within(menu()).getAllByRole('menuitemradio', { hidden: true })).toHaveLength(3),
    );

    fireEvent.keyDown(menuButton(), { key: 'ArrowDown' });
    expect(document.activeElement?.textContent).toContain('Acme');
    fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowDown' });
    expect(document.activeElement?.textContent).toContain('Beta Labs');
    fireEvent.keyDown(document.activeElement as Element, { key: 'End' });
    expect(document.activeElement?.textContent).toBe('Create organization');
    fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowDown' });
    expect(document.activeElement?.textContent).toContain('Acme');
    fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowUp' });
    expect(document.activeElement?.textContent).toBe('Create organization');
    fireEvent.keyDown(document.activeElement as Element, { key: 'Home' });
    expect(document.activeElement?.textContent).toContain('Acme');
    fireEvent.keyDown(document.activeElement as Element, { key: 'c' });
    expect(document.activeElement?.textContent).toContain('Core Works');

    fireEvent.keyDown(document.activeElement as Element, { key: 'Escape' });
    expect(menu().hidden).toBe(true);
    expect(document.activeElement).toBe(menuButton());
    expect(screen.getByTestId('active').textContent).toBe('none');

    fireEvent.keyDown(menuButton(), { key: 'ArrowUp' });
    expect(document.activeElement?.textContent).toBe('Create organization');
    fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowUp' });
    expect(document.activeElement?.textContent).toContain('Core Works');
    fireEvent.keyDown(document.activeElement as Element, { key: 'Enter' });
    expect(menu().hidden).toBe(true);
    await waitFor(() => expect(screen.getByTestId('active').textContent).toBe('Core Works'));
    expect(menuButton().textContent).toContain('Core Works');
  });

  it('loads the next page from the "More organizations" entry and moves the focus onto it', async () => {
    const { client, browser, acme } = await ownerOfThree();
    renderWithPortcullis(<OrganizationSwitcher pageSize={2} />, { client, activeTenantId: acme.id });
    await waitFor(() =>
      expect(within(menu()).getAllByRole('menuitemradio', { hidden: true })).toHaveLength(2),
    );
    fireEvent.keyDown(menuButton(), { key: 'Enter' });
    fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowDown' });
    fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowDown' });
    expect(document.activeElement?.textContent).toBe('More organizations');
    const before = browser.count('/tenants');
    await act(async () => {
      fireEvent.keyDown(document.activeElement as Element, { key: 'Enter' });
    });
    await waitFor(() =>
      expect(within(menu()).getAllByRole('menuitemradio', { hidden: true })).toHaveLength(3),
    );
    expect(browser.count('/tenants')).toBe(before + 1);
    expect(within(menu()).queryByRole('menuitem', { name: 'More organizations' })).toBeNull();
    expect(menu().hidden).toBe(false);
    await waitFor(() => expect(document.activeElement?.textContent).toContain('Core Works'));
  });

  it('hands "Create organization" to the app when it asks to, and closes on a press outside', async () => {
    const { client, acme } = await ownerOfThree();
    const onCreateOrganization = vi.fn();
    renderWithPortcullis(
      <>
        <OrganizationSwitcher onCreateOrganization={onCreateOrganization} />
        <p>outside</p>
      </>,
      { client, activeTenantId: acme.id },
    );
    await waitFor(() => expect(menuButton().textContent).toContain('Acme'));
    fireEvent.click(menuButton());
    fireEvent.pointerDown(screen.getByText('outside'));
    expect(menu().hidden).toBe(true);
    fireEvent.click(menuButton());
    fireEvent.click(within(menu()).getByRole('menuitem', { name: 'Create organization' }));
    expect(onCreateOrganization).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('creates an organization in its own dialog and switches to it', async () => {
    const { client, acme } = await ownerOfThree();
    const onActiveTenantChange = vi.fn();
    renderWithPortcullis(<OrganizationSwitcher />, { client, activeTenantId: acme.id, onActiveTenantChange });
    await waitFor(() => expect(menuButton().textContent).toContain('Acme'));
    fireEvent.click(menuButton());
    fireEvent.click(within(menu()).getByRole('menuitem', { name: 'Create organization' }));
    const dialog = await screen.findByRole('dialog', { name: 'Create organization' });
    fireEvent.change(within(dialog).getByLabelText('Organization name'), { target: { value: 'Delta Co' } });
    expect((within(dialog).getByLabelText('Slug') as HTMLInputElement).value).toBe('delta-co');
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Create organization' }));
    });
    const created = (await client.tenants.list()).items.find((tenant) => tenant.slug === 'delta-co');
    expect(created).toBeDefined();
    expect(onActiveTenantChange).toHaveBeenCalledWith(created?.id);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(menuButton());
  });
});
