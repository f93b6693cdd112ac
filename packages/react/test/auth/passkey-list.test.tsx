import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PasskeyList } from '../../src/index.js';
import { createTestServer, PASSWORD, renderWithPortcullis, signUp } from '../support/test-server.js';
import { fakeClock, pretendWebAuthn, withSoftPasskeys } from './auth-support.js';

// vitest runs without globals: @testing-library/react cannot register its cleanup itself
afterEach(cleanup);

async function signedIn() {
  const clock = fakeClock();
  const server = createTestServer({ clock });
  const page = server.browser();
  const client = page.client();
  await signUp(client, 'ada@example.com');
  return { clock, server, page, client, initialSession: await client.getSession() };
}

type WithRegister = { passkeys: { register(options?: { name?: string }): Promise<unknown> } };

describe('PasskeyList', () => {
  it('adds a passkey through the ceremony adapter, then shows it, with the first recovery codes', async () => {
    pretendWebAuthn();
    const { client, initialSession } = await signedIn();
    const { calls } = withSoftPasskeys(client);
    const onAdded = vi.fn();
    renderWithPortcullis(<PasskeyList onAdded={onAdded} />, { client, initialSession });
    expect(await screen.findByText('No passkeys yet.')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Add a passkey' }));

    await waitFor(() => expect(screen.getAllByRole('listitem').length).toBeGreaterThan(0));
    expect(calls).toEqual(['register']);
    expect(onAdded).toHaveBeenCalledTimes(1);
    expect((await client.passkeys.list()).items).toHaveLength(1);
    // a passkey is this user's first second factor: the server made recovery codes, shown once
    const codes = await screen.findByRole('region', { name: 'Recovery codes' });
    expect(within(codes).getAllByRole('listitem')).toHaveLength(10);
  });

  it('offers no "Add a passkey" in a browser without WebAuthn', async () => {
    const { client, initialSession } = await signedIn();
    withSoftPasskeys(client);
    renderWithPortcullis(<PasskeyList />, { client, initialSession });
    expect(await screen.findByText('No passkeys yet.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Add a passkey' })).toBeNull();
  });

  it('says clearly when the client has no passkey ceremonies', async () => {
    pretendWebAuthn();
    const { client, initialSession } = await signedIn();
    renderWithPortcullis(<PasskeyList />, { client, initialSession });
    const add = await screen.findByRole('button', { name: 'Add a passkey' });
    fireEvent.click(add);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/withWebAuthn\(\)/);
    expect(add.getAttribute('aria-describedby')).toBe(alert.id);
  });

  it('renames with Enter, cancels with Escape, and puts focus back on Rename', async () => {
    const { client, page, initialSession } = await signedIn();
    withSoftPasskeys(client);
    await (client as unknown as WithRegister).passkeys.register({ name: 'Laptop' });
    renderWithPortcullis(<PasskeyList />, { client, initialSession });

    fireEvent.click(await screen.findByRole('button', { name: 'Rename Laptop' }));
    const name = screen.getByLabelText('Passkey name') as HTMLInputElement;
    expect(name.value).toBe('Laptop');
    fireEvent.change(name, { target: { value: 'Work laptop' } });
    fireEvent.keyDown(name, { key: 'Escape' });
    expect(screen.queryByLabelText('Passkey name')).toBeNull();
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Rename Laptop' })),
    );
    expect(page.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Rename Laptop' }));
    fireEvent.change(screen.getByLabelText('Passkey name'), { target: { value: 'Work laptop' } });
    fireEvent.submit(screen.getByLabelText('Passkey name').closest('form')!);

    expect(await screen.findByText('Work laptop')).toBeTruthy();
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Rename Work laptop' })),
    );
    expect((await client.passkeys.list()).items[0]?.name).toBe('Work laptop');
  });

  it('shows an empty name next to the Passkey name field', async () => {
    const { client, initialSession } = await signedIn();
    withSoftPasskeys(client);
    await (client as unknown as WithRegister).passkeys.register({ name: 'Laptop' });
    renderWithPortcullis(<PasskeyList />, { client, initialSession });
    fireEvent.click(await screen.findByRole('button', { name: 'Rename Laptop' }));
    fireEvent.change(screen.getByLabelText('Passkey name'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Passkey name').getAttribute('aria-invalid')).toBe('true'),
    );
  });

  it('removes a passkey after confirming, asking for the password when the sign-in is older than 5 minutes', async () => {
    const { clock, client, page } = await signedIn();
    withSoftPasskeys(client);
    await (client as unknown as WithRegister).passkeys.register({ name: 'Laptop' });
    clock.advance(6 * 60);
    renderWithPortcullis(<PasskeyList />, { client, initialSession: await client.getSession() });

    fireEvent.click(await screen.findByRole('button', { name: 'Remove' }));
    const question = screen.getByRole('group', { name: /^Remove “Laptop”\?/ });
    fireEvent.click(within(question).getByRole('button', { name: 'Confirm' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    fireEvent.change(within(dialog).getByLabelText('Password'), { target: { value: PASSWORD } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    expect(await screen.findByText('No passkeys yet.')).toBeTruthy();
    expect((await client.passkeys.list()).items).toHaveLength(0);
    expect(page.requests.filter((r) => r.method === 'DELETE')).toHaveLength(2);
  });

  it('steps up with a passkey instead of the password when the client can', async () => {
    pretendWebAuthn();
    const { clock, client } = await signedIn();
    const { calls } = withSoftPasskeys(client);
    await (client as unknown as WithRegister).passkeys.register({ name: 'Laptop' });
    clock.advance(6 * 60);
    renderWithPortcullis(<PasskeyList />, { client, initialSession: await client.getSession() });

    fireEvent.click(await screen.findByRole('button', { name: 'Remove' }));
    fireEvent.click(within(screen.getByRole('group')).getByRole('button', { name: 'Confirm' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Use a passkey' }));

    expect(await screen.findByText('No passkeys yet.')).toBeTruthy();
    expect(calls).toEqual(['register', 'reauthenticate']);
  });

  // review finding: the recovery codes stayed on screen for whoever signed in next
  it('drops the recovery codes shown once when the user signs out', async () => {
    pretendWebAuthn();
    const { client, initialSession } = await signedIn();
    withSoftPasskeys(client);
    renderWithPortcullis(<PasskeyList />, { client, initialSession });
    fireEvent.click(await screen.findByRole('button', { name: 'Add a passkey' }));
    const codes = await screen.findByRole('region', { name: 'Recovery codes' });
    const shown = within(codes)
      .getAllByRole('listitem')
      .map((item) => item.textContent ?? '');
    expect(shown).toHaveLength(10);
    await act(() => client.signOut());
    expect(screen.queryByRole('region', { name: 'Recovery codes' })).toBeNull();
    for (const code of shown) expect(document.body.textContent).not.toContain(code);
  });
});
