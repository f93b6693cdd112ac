import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PasswordResetForm, PasswordResetRequest } from '../../src/index.js';
import { createTestServer, PASSWORD, renderWithPortcullis, signUp } from '../support/test-server.js';
import { fill, tokenMailedTo } from './auth-support.js';

// vitest runs without globals: @testing-library/react cannot register its cleanup itself
afterEach(cleanup);

const NEW_PASSWORD = 'a brand new passphrase for this account';

async function mailedResetToken(server: ReturnType<typeof createTestServer>, email: string) {
  await server.browser().client().password.requestReset({ email });
  return tokenMailedTo(server.auth, server.mail, email);
}

describe('PasswordResetRequest', () => {
  it('gives the same confirmation for an existing and an unknown address, and mails only the account', async () => {
    const server = createTestServer();
    await signUp(server.browser().client(), 'ada@example.com');
    const confirmations: string[] = [];
    for (const address of ['ada@example.com', 'nobody@example.com']) {
      const onSent = vi.fn();
      const view = renderWithPortcullis(<PasswordResetRequest onSent={onSent} />, {
        client: server.browser().client(),
        initialSession: null,
      });
      fill('Email', address);
      fireEvent.click(screen.getByRole('button', { name: 'Send reset link' }));
      const status = await screen.findByRole('status');
      confirmations.push(status.textContent!.replace(address, '<address>'));
      expect(onSent).toHaveBeenCalledWith(address);
      view.unmount();
    }
    expect(confirmations[0]).toBe(confirmations[1]);
    expect(await tokenMailedTo(server.auth, server.mail, 'ada@example.com')).toBeTruthy();
    expect(server.mail.some((m) => m.to === 'nobody@example.com')).toBe(false);
  });

  it('shows a malformed address next to the Email field', async () => {
    const server = createTestServer();
    renderWithPortcullis(<PasswordResetRequest />, {
      client: server.browser().client(),
      initialSession: null,
    });
    fill('Email', 'ada at example');
    fireEvent.click(screen.getByRole('button', { name: 'Send reset link' }));
    await waitFor(() => expect(screen.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true'));
    expect(screen.queryByRole('status')).toBeNull();
  });
});

describe('PasswordResetForm', () => {
  it('sets the new password from the emailed token; the old one stops working', async () => {
    const server = createTestServer();
    await signUp(server.browser().client(), 'ada@example.com');
    const token = await mailedResetToken(server, 'ada@example.com');
    const onReset = vi.fn();
    renderWithPortcullis(<PasswordResetForm token={token} onReset={onReset} signInHref="/sign-in" />, {
      client: server.browser().client(),
      initialSession: null,
    });

    fill('New password', NEW_PASSWORD);
    fireEvent.click(screen.getByRole('button', { name: 'Set new password' }));

    expect(await screen.findByRole('heading', { name: 'Password changed' })).toBeTruthy();
    expect(onReset).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/sign-in');
    const client = server.browser().client();
    await expect(client.signIn({ email: 'ada@example.com', password: PASSWORD })).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    await expect(client.signIn({ email: 'ada@example.com', password: NEW_PASSWORD })).resolves.toHaveProperty(
      'user',
    );
  });

  it('shows password_too_short next to the field, and keeps the token usable', async () => {
    const server = createTestServer();
    await signUp(server.browser().client(), 'ada@example.com');
    const token = await mailedResetToken(server, 'ada@example.com');
    renderWithPortcullis(<PasswordResetForm token={token} />, {
      client: server.browser().client(),
      initialSession: null,
    });

    fill('New password', 'short');
    fireEvent.click(screen.getByRole('button', { name: 'Set new password' }));
    const field = screen.getByLabelText('New password');
    await waitFor(() => expect(field.getAttribute('aria-invalid')).toBe('true'));
    const alert = document.getElementById(field.getAttribute('aria-describedby')!);
    expect(alert?.getAttribute('role')).toBe('alert');
    expect(alert?.textContent).toMatch(/^Use at least \d+ characters/);

    fill('New password', NEW_PASSWORD);
    fireEvent.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(await screen.findByRole('heading', { name: 'Password changed' })).toBeTruthy();
  });

  it('says a used link is used and offers a new one', async () => {
    const server = createTestServer();
    await signUp(server.browser().client(), 'ada@example.com');
    const token = await mailedResetToken(server, 'ada@example.com');
    await server.browser().client().password.reset({ token, password: NEW_PASSWORD });
    renderWithPortcullis(<PasswordResetForm token={token} requestNewLinkHref="/forgot-password" />, {
      client: server.browser().client(),
      initialSession: null,
    });

    fill('New password', `${NEW_PASSWORD} again`);
    fireEvent.click(screen.getByRole('button', { name: 'Set new password' }));

    const alert = await screen.findByRole('alert');
    const submit = screen.getByRole('button', { name: 'Set new password' });
    expect(submit.getAttribute('aria-describedby')).toBe(alert.id);
    expect(submit).toHaveProperty('disabled', true);
    expect(screen.getByLabelText('New password').getAttribute('aria-invalid')).toBeNull();
    expect(screen.getByRole('link', { name: 'Send me a new link' }).getAttribute('href')).toBe(
      '/forgot-password',
    );
  });
});
