import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChangePasswordForm } from '../../src/index.js';
import { createTestServer, PASSWORD, renderWithPortcullis, signUp } from '../support/test-server.js';
import { fakeClock, fill } from './auth-support.js';

// vitest runs without globals: @testing-library/react cannot register its cleanup itself
afterEach(cleanup);

const NEW_PASSWORD = 'a brand new passphrase for this account';

async function signedIn(config: Parameters<typeof createTestServer>[0] = {}) {
  const server = createTestServer(config);
  const page = server.browser();
  const client = page.client();
  await signUp(client, 'ada@example.com');
  const elsewhere = server.browser().client();
  await elsewhere.signIn({ email: 'ada@example.com', password: PASSWORD });
  return { server, page, client, elsewhere, initialSession: await client.getSession() };
}

function submit(current: string, next: string) {
  fill('Current password', current);
  fill('New password', next);
  fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
}

describe('ChangePasswordForm', () => {
  it('changes the password and signs the other devices out', async () => {
    const { server, client, elsewhere, initialSession } = await signedIn();
    const onChanged = vi.fn();
    renderWithPortcullis(<ChangePasswordForm onChanged={onChanged} />, { client, initialSession });

    submit(PASSWORD, NEW_PASSWORD);

    expect((await screen.findByRole('status')).textContent).toBe(
      'Your password is changed, and 1 other session was signed out.',
    );
    expect(onChanged).toHaveBeenCalledWith({ revokedSessions: 1 });
    expect((screen.getByLabelText('Current password') as HTMLInputElement).value).toBe('');
    await expect(elsewhere.call('getSession', [])).rejects.toMatchObject({ status: 401 });
    await expect(client.call('getSession', [])).resolves.toHaveProperty('user');
    const later = server.browser().client();
    await expect(later.signIn({ email: 'ada@example.com', password: NEW_PASSWORD })).resolves.toHaveProperty(
      'user',
    );
  });

  it('keeps the other devices when asked to', async () => {
    const { client, elsewhere, initialSession } = await signedIn();
    renderWithPortcullis(<ChangePasswordForm />, { client, initialSession });
    fireEvent.click(screen.getByLabelText('Sign out of my other devices'));
    submit(PASSWORD, NEW_PASSWORD);
    expect((await screen.findByRole('status')).textContent).toBe('Your password is changed.');
    await expect(elsewhere.call('getSession', [])).resolves.toHaveProperty('user');
  });

  it('shows a wrong current password next to that field', async () => {
    const { client, initialSession } = await signedIn();
    renderWithPortcullis(<ChangePasswordForm />, { client, initialSession });
    submit('not my password at all', NEW_PASSWORD);

    const current = screen.getByLabelText('Current password');
    await waitFor(() => expect(current.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(current.getAttribute('aria-describedby')!)?.textContent).toBe(
      'The current password is not right.',
    );
    expect(screen.getByLabelText('New password').getAttribute('aria-invalid')).toBeNull();
  });

  it('shows a too short new password next to that field', async () => {
    const { client, initialSession } = await signedIn();
    renderWithPortcullis(<ChangePasswordForm />, { client, initialSession });
    submit(PASSWORD, 'short');
    const next = screen.getByLabelText('New password');
    await waitFor(() => expect(next.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(next.getAttribute('aria-describedby')!)?.textContent).toMatch(
      /^Use at least/,
    );
  });

  it('asks for the password again when the sign-in is too old, then retries the change once', async () => {
    const clock = fakeClock();
    const { client, page, initialSession } = await signedIn({ clock });
    clock.advance(6 * 60);
    renderWithPortcullis(<ChangePasswordForm />, { client, initialSession });

    submit(PASSWORD, NEW_PASSWORD);
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    expect(screen.getByRole('button', { name: 'Change password' })).toHaveProperty('disabled', true);

    fireEvent.change(within(dialog).getByLabelText('Password'), { target: { value: 'not my password' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    const password = within(dialog).getByLabelText('Password');
    await waitFor(() => expect(password.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(password.getAttribute('aria-describedby')!)?.textContent).toBe(
      'That password is not right.',
    );

    fireEvent.change(password, { target: { value: PASSWORD } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    expect((await screen.findByRole('status')).textContent).toMatch(/^Your password is changed/);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(page.count('/password/change', 'POST')).toBe(2);
    expect(page.count('/reauthenticate', 'POST')).toBe(2);
  });

  it('cancelling the prompt (Escape) leaves the password and says why next to the button', async () => {
    const clock = fakeClock();
    const { client, page, initialSession } = await signedIn({ clock });
    clock.advance(6 * 60);
    renderWithPortcullis(<ChangePasswordForm />, { client, initialSession });

    submit(PASSWORD, NEW_PASSWORD);
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    // what the browser fires on a modal <dialog> when Escape is pressed
    fireEvent(dialog, new Event('cancel', { cancelable: true }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/confirm it is you/i);
    expect(screen.getByRole('button', { name: 'Change password' }).getAttribute('aria-describedby')).toBe(
      alert.id,
    );
    expect(page.count('/password/change', 'POST')).toBe(1);
    expect(page.count('/reauthenticate', 'POST')).toBe(0);
  });
});
