import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionList } from '../../src/index.js';
import { createTestServer, PASSWORD, renderWithPortcullis, signUp } from '../support/test-server.js';

// vitest runs without globals: @testing-library/react cannot register its cleanup itself
afterEach(cleanup);

const MAC_CHROME =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const WINDOWS_FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0';

/** Ada signed in here, and on two more devices, each its own browser. */
async function adaOnThreeDevices() {
  const server = createTestServer();
  const here = server.browser();
  const client = here.client();
  await signUp(client, 'ada@example.com');
  const mac = server.browser().client();
  await mac.signIn(
    { email: 'ada@example.com', password: PASSWORD },
    { headers: { 'user-agent': MAC_CHROME } },
  );
  const windows = server.browser().client();
  await windows.signIn(
    { email: 'ada@example.com', password: PASSWORD },
    { headers: { 'user-agent': WINDOWS_FIREFOX } },
  );
  return { server, here, client, mac, windows, initialSession: await client.getSession() };
}

function row(device: string): HTMLElement {
  return screen.getByText(device).closest('li')!;
}

async function findRow(device: string): Promise<HTMLElement> {
  return (await screen.findByText(device)).closest('li')!;
}

describe('SessionList', () => {
  it('lists the sessions with readable device names, this device first and marked', async () => {
    const { client, initialSession } = await adaOnThreeDevices();
    renderWithPortcullis(<SessionList />, { client, initialSession });

    expect(await screen.findByText('Chrome on macOS')).toBeTruthy();
    const rows = screen.getAllByRole('listitem');
    expect(rows).toHaveLength(3);
    expect(within(rows[0]!).getByText('This device')).toBeTruthy();
    expect(within(rows[0]!).queryByRole('button', { name: 'Revoke' })).toBeNull();
    expect(within(row('Firefox on Windows')).getByRole('button', { name: 'Revoke' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Sessions' })).toBeTruthy();
  });

  it('revokes one session after confirming; that device is signed out', async () => {
    const { client, initialSession, mac, windows } = await adaOnThreeDevices();
    renderWithPortcullis(<SessionList />, { client, initialSession });

    fireEvent.click(
      within(await findRow('Chrome on macOS')).getByRole('button', {
        name: 'Revoke',
      }),
    );
    const question = screen.getByRole('group', { name: 'Sign out Chrome on macOS?' });
    expect(document.activeElement).toBe(within(question).getByRole('button', { name: 'Cancel' }));
    fireEvent.click(within(question).getByRole('button', { name: 'Confirm' }));

    await waitFor(() => expect(screen.queryByText('Chrome on macOS')).toBeNull());
    await expect(mac.call('getSession', [])).rejects.toMatchObject({ status: 401 });
    await expect(windows.call('getSession', [])).resolves.toHaveProperty('user');
  });

  it('cancels with Escape and revokes nothing', async () => {
    const { client, initialSession, here } = await adaOnThreeDevices();
    renderWithPortcullis(<SessionList />, { client, initialSession });
    fireEvent.click(
      within(await findRow('Chrome on macOS')).getByRole('button', {
        name: 'Revoke',
      }),
    );
    fireEvent.keyDown(screen.getByRole('group', { name: 'Sign out Chrome on macOS?' }), { key: 'Escape' });
    expect(screen.queryByRole('group')).toBeNull();
    expect(here.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
    // the focus goes back where it was, not to the page's start
    expect(document.activeElement).toBe(
      within(row('Chrome on macOS')).getByRole('button', { name: 'Revoke' }),
    );
  });

  it('shows a failed revoke next to its own button', async () => {
    const { client, initialSession, mac } = await adaOnThreeDevices();
    renderWithPortcullis(<SessionList />, { client, initialSession });
    const macRow = await findRow('Chrome on macOS');
    await mac.signOut(); // gone already: the server answers 404 for it

    fireEvent.click(within(macRow).getByRole('button', { name: 'Revoke' }));
    fireEvent.click(within(macRow).getByRole('button', { name: 'Confirm' }));

    const alert = await within(macRow).findByRole('alert');
    expect(alert.textContent).toBeTruthy();
    expect(within(macRow).getByRole('button', { name: 'Revoke' }).getAttribute('aria-describedby')).toBe(
      alert.id,
    );
    // the focus is on the button the error describes
    expect(document.activeElement).toBe(within(macRow).getByRole('button', { name: 'Revoke' }));
    expect(within(row('Firefox on Windows')).queryByRole('alert')).toBeNull();
  });

  it('revokes every other session after confirming', async () => {
    const { client, initialSession, mac, windows } = await adaOnThreeDevices();
    renderWithPortcullis(<SessionList />, { client, initialSession });
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke other sessions' }));
    fireEvent.click(
      within(screen.getByRole('group', { name: 'Sign out every other device?' })).getByRole('button', {
        name: 'Confirm',
      }),
    );

    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(1));
    expect(screen.queryByRole('button', { name: 'Revoke other sessions' })).toBeNull();
    await expect(mac.call('getSession', [])).rejects.toMatchObject({ status: 401 });
    await expect(windows.call('getSession', [])).rejects.toMatchObject({ status: 401 });
    await expect(client.call('getSession', [])).resolves.toHaveProperty('user');
  });
});
