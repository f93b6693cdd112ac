import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { UserProfile } from '../../src/index.js';
import { createTestServer, renderWithPortcullis, signUp } from '../support/test-server.js';
import { tokenMailedTo } from './auth-support.js';

// vitest runs without globals: @testing-library/react cannot register its cleanup itself
afterEach(cleanup);

describe('UserProfile', () => {
  it('shows name, email status and every part, from the server-rendered session without a /session request', async () => {
    const server = createTestServer();
    const page = server.browser();
    const client = page.client();
    await signUp(client, 'ada@example.com', 'Ada Lovelace');
    const initialSession = await client.getSession();
    const before = page.count('/session');
    renderWithPortcullis(<UserProfile />, { client, initialSession });

    expect(screen.getByText('Ada Lovelace')).toBeTruthy();
    expect(screen.getByText('Not verified')).toBeTruthy();
    for (const heading of ['Profile', 'Sessions', 'Password', 'Two-factor authentication', 'Passkeys']) {
      expect(screen.getByRole('heading', { name: heading })).toBeTruthy();
    }
    expect(await screen.findByText('This device')).toBeTruthy();
    expect(await screen.findByRole('button', { name: 'Set up authenticator app' })).toBeTruthy();
    expect(page.count('/session')).toBe(before);
  });

  it('mails a new verification link from the profile', async () => {
    const server = createTestServer();
    const client = server.browser().client();
    await signUp(client, 'ada@example.com');
    renderWithPortcullis(
      <UserProfile sections={{ sessions: false, password: false, twoFactor: false, passkeys: false }} />,
      {
        client,
        initialSession: await client.getSession(),
      },
    );
    expect(screen.queryByRole('heading', { name: 'Sessions' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Resend verification email' }));
    expect((await screen.findByRole('status')).textContent).toBe('A verification link is on its way.');
    expect(await tokenMailedTo(server.auth, server.mail, 'ada@example.com')).toBeTruthy();
  });

  it('says "Verified" for a verified address and offers no resend', async () => {
    const server = createTestServer();
    const client = server.browser().client();
    await signUp(client, 'ada@example.com');
    await client.email.requestVerification({});
    await client.email.verify({ token: await tokenMailedTo(server.auth, server.mail, 'ada@example.com') });
    renderWithPortcullis(
      <UserProfile sections={{ sessions: false, password: false, twoFactor: false, passkeys: false }} />,
      {
        client,
        initialSession: await client.getSession(),
      },
    );
    expect(screen.getByText('Verified')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Resend verification email' })).toBeNull();
  });

  it('asks a signed-out visitor to sign in', async () => {
    const server = createTestServer();
    renderWithPortcullis(<UserProfile />, { client: server.browser().client(), initialSession: null });
    expect(screen.getByText('Sign in to see your profile.')).toBeTruthy();
  });
});
