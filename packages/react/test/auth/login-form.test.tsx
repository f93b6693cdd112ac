import { githubProvider } from '@portcullis/core';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LoginForm } from '../../src/index.js';
import { createTestServer, PASSWORD, renderWithPortcullis, signUp } from '../support/test-server.js';
import {
  fakeClock,
  fill,
  pretendWebAuthn,
  tokenMailedTo,
  totpCode,
  userWithTotp,
  withSoftPasskeys,
} from './auth-support.js';

// vitest runs without globals: @testing-library/react cannot register its cleanup itself
afterEach(cleanup);

describe('LoginForm', () => {
  it('signs in with email and password and hands over the new session', async () => {
    const server = createTestServer();
    await signUp(server.browser().client(), 'ada@example.com');
    const page = server.browser();
    const client = page.client();
    const onSignedIn = vi.fn();
    renderWithPortcullis(<LoginForm onSignedIn={onSignedIn} />, { client, initialSession: null });

    fill('Email', 'ada@example.com');
    fill('Password', PASSWORD);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() => expect(onSignedIn).toHaveBeenCalledTimes(1));
    expect(onSignedIn.mock.calls[0]![0].user.email).toBe('ada@example.com');
    expect(client.session.getSnapshot().status).toBe('authenticated');
    expect(page.count('/login', 'POST')).toBe(1);
  });

  it('shows a wrong password next to the Sign in button, without saying which part was wrong', async () => {
    const server = createTestServer();
    await signUp(server.browser().client(), 'ada@example.com');
    const client = server.browser().client();
    const onSignedIn = vi.fn();
    renderWithPortcullis(<LoginForm onSignedIn={onSignedIn} />, { client, initialSession: null });

    fill('Email', 'ada@example.com');
    fill('Password', 'not the password at all');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('The email or password is not right.');
    expect(screen.getByRole('button', { name: 'Sign in' }).getAttribute('aria-describedby')).toBe(alert.id);
    expect(onSignedIn).not.toHaveBeenCalled();
  });

  it('names the field the server rejected', async () => {
    const server = createTestServer();
    const client = server.browser().client();
    renderWithPortcullis(<LoginForm />, { client, initialSession: null });

    fill('Email', 'not an address');
    fill('Password', PASSWORD);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() => expect(screen.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true'));
    const email = screen.getByLabelText('Email');
    const described = document.getElementById(email.getAttribute('aria-describedby')!);
    expect(described?.getAttribute('role')).toBe('alert');
    expect(described?.textContent).toMatch(/email/i);
    expect(screen.getByLabelText('Password').getAttribute('aria-invalid')).toBeNull();
  });

  it('says how long to wait when the server rate-limits sign-ins', async () => {
    const server = createTestServer({
      rateLimit: { rules: { signInIdentifier: { limit: 1, windowSeconds: 60 } } },
    });
    await signUp(server.browser().client(), 'ada@example.com');
    const client = server.browser().client();
    renderWithPortcullis(<LoginForm />, { client, initialSession: null });

    fill('Email', 'ada@example.com');
    fill('Password', 'wrong password number one');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByText('The email or password is not right.');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(
      (await screen.findByText(/^Too many attempts\. Try again in (\d+ seconds?|1 minute)\.$/)).getAttribute(
        'role',
      ),
    ).toBe('alert');
  });

  it('says how long to wait when the account is locked after failed passwords', async () => {
    const server = createTestServer({ lockout: { freeAttempts: 2 } });
    await signUp(server.browser().client(), 'ada@example.com');
    const page = server.browser();
    renderWithPortcullis(<LoginForm />, { client: page.client(), initialSession: null });

    fill('Email', 'ada@example.com');
    fill('Password', 'wrong password number one');
    const locked = /^Too many attempts\. Try again in \d+ seconds?\.$/;
    for (let attempt = 1; attempt <= 4 && !screen.queryByText(locked); attempt++) {
      fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
      await waitFor(() => expect(page.count('/login', 'POST')).toBe(attempt));
      await waitFor(() =>
        expect(screen.getByRole('button', { name: 'Sign in' })).toHaveProperty('disabled', false),
      );
    }

    const alert = screen.getByText(locked);
    expect(alert.getAttribute('role')).toBe('alert');
    expect(screen.getByRole('button', { name: 'Sign in' }).getAttribute('aria-describedby')).toBe(alert.id);
  });

  it('asks for the second factor, shows a wrong code next to the Code field, then signs in with the right one', async () => {
    const clock = fakeClock();
    const server = createTestServer({ clock });
    const { secret } = await userWithTotp(server, clock);
    const client = server.browser().client();
    const onSignedIn = vi.fn();
    renderWithPortcullis(<LoginForm onSignedIn={onSignedIn} />, { client, initialSession: null });

    fill('Email', 'ada@example.com');
    fill('Password', PASSWORD);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const code = await screen.findByLabelText('Code');
    expect(onSignedIn).not.toHaveBeenCalled();
    expect(client.session.getSnapshot().status).toBe('unauthenticated');

    fireEvent.change(code, {
      target: { value: '000000' === totpCode(secret, clock.now()) ? '111111' : '000000' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(code.getAttribute('aria-invalid')).toBe('true'));
    const describedBy = code.getAttribute('aria-describedby')!.split(' ');
    const alert = describedBy
      .map((id) => document.getElementById(id))
      .find((el) => el?.getAttribute('role') === 'alert');
    expect(alert?.textContent).toBeTruthy();

    fireEvent.change(code, { target: { value: totpCode(secret, clock.now()) } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledTimes(1));
    expect(client.session.getSnapshot().data?.user.email).toBe('ada@example.com');
  });

  it('takes a recovery code in the same Code field', async () => {
    const clock = fakeClock();
    const server = createTestServer({ clock });
    const { recoveryCodes } = await userWithTotp(server, clock);
    const page = server.browser();
    const client = page.client();
    const onSignedIn = vi.fn();
    renderWithPortcullis(<LoginForm onSignedIn={onSignedIn} />, { client, initialSession: null });

    fill('Email', 'ada@example.com');
    fill('Password', PASSWORD);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    fireEvent.change(await screen.findByLabelText('Code'), { target: { value: recoveryCodes[0] } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));

    await waitFor(() => expect(onSignedIn).toHaveBeenCalledTimes(1));
    expect((await client.mfa.status()).recoveryCodesRemaining).toBe(recoveryCodes.length - 1);
  });

  it('offers "Start over" when the second-factor challenge has expired', async () => {
    const clock = fakeClock();
    const server = createTestServer({ clock });
    const { secret } = await userWithTotp(server, clock);
    const client = server.browser().client();
    renderWithPortcullis(<LoginForm />, { client, initialSession: null });

    fill('Email', 'ada@example.com');
    fill('Password', PASSWORD);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const code = await screen.findByLabelText('Code');
    clock.advance(60 * 60);
    fireEvent.change(code, { target: { value: totpCode(secret, clock.now()) } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));

    await screen.findByRole('alert');
    expect(screen.getByRole('button', { name: 'Verify' })).toHaveProperty('disabled', true);
    fireEvent.click(screen.getByRole('button', { name: 'Start over' }));
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('ada@example.com');
  });

  it('signs in with a passkey through the ceremony adapter', async () => {
    pretendWebAuthn();
    const server = createTestServer();
    const owner = server.browser().client();
    await signUp(owner, 'ada@example.com');
    const { authenticator } = withSoftPasskeys(owner);
    await (owner.passkeys as unknown as { register(o: object): Promise<unknown> }).register({
      name: 'Laptop',
    });

    const client = server.browser().client();
    const { calls } = withSoftPasskeys(client, authenticator);
    const onSignedIn = vi.fn();
    renderWithPortcullis(<LoginForm onSignedIn={onSignedIn} />, { client, initialSession: null });
    fireEvent.click(await screen.findByRole('button', { name: 'Sign in with a passkey' }));

    await waitFor(() => expect(onSignedIn).toHaveBeenCalledTimes(1));
    expect(calls).toEqual(['signIn']);
    expect(client.session.getSnapshot().data?.user.email).toBe('ada@example.com');
  });

  it('offers the passkey for the second step when the server does', async () => {
    pretendWebAuthn();
    const clock = fakeClock();
    const server = createTestServer({ clock });
    const { owner } = await userWithTotp(server, clock);
    const { authenticator } = withSoftPasskeys(owner);
    await (owner.passkeys as unknown as { register(o: object): Promise<unknown> }).register({
      name: 'Laptop',
    });

    const client = server.browser().client();
    const { calls } = withSoftPasskeys(client, authenticator);
    const onSignedIn = vi.fn();
    renderWithPortcullis(<LoginForm onSignedIn={onSignedIn} />, { client, initialSession: null });
    fill('Email', 'ada@example.com');
    fill('Password', PASSWORD);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByLabelText('Code')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Sign in with a passkey' }));

    await waitFor(() => expect(onSignedIn).toHaveBeenCalledTimes(1));
    expect(calls).toEqual(['completeWithPasskey']);
    expect(client.session.getSnapshot().data?.user.email).toBe('ada@example.com');
  });

  it('hides the passkey button in a browser without WebAuthn', async () => {
    const server = createTestServer();
    const client = server.browser().client();
    withSoftPasskeys(client);
    renderWithPortcullis(<LoginForm />, { client, initialSession: null });
    expect(await screen.findByRole('button', { name: 'Email me a sign-in link' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Sign in with a passkey' })).toBeNull();
  });

  it('mails a magic link and shows the same confirmation for an unknown address', async () => {
    const server = createTestServer();
    await signUp(server.browser().client(), 'ada@example.com');
    for (const address of ['ada@example.com', 'nobody@example.com']) {
      const client = server.browser().client();
      const view = renderWithPortcullis(<LoginForm />, { client, initialSession: null });
      fill('Email', address);
      fireEvent.click(screen.getByRole('button', { name: 'Email me a sign-in link' }));
      const status = await screen.findByRole('status');
      expect(status.textContent).toContain(address);
      expect(screen.getByRole('heading', { name: 'Check your email' })).toBeTruthy();
      view.unmount();
    }
    expect(await tokenMailedTo(server.auth, server.mail, 'ada@example.com')).toMatch(/^[\w-]{20,}$/);
    expect(server.mail.filter((m) => m.to === 'nobody@example.com')).toHaveLength(0);
  });

  it('shows a missing email for the magic link next to the Email field', async () => {
    const server = createTestServer();
    const client = server.browser().client();
    renderWithPortcullis(<LoginForm />, { client, initialSession: null });
    fireEvent.click(screen.getByRole('button', { name: 'Email me a sign-in link' }));
    await waitFor(() => expect(screen.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true'));
    expect(screen.queryByRole('heading', { name: 'Check your email' })).toBeNull();
  });

  it('links each configured OAuth provider to its start route', async () => {
    const server = createTestServer({
      oauth: {
        providers: { github: githubProvider({ clientId: 'client-id', clientSecret: 'client-secret' }) },
      },
      emailLinks: { redirectAllowlist: ['/dashboard'] },
    });
    const page = server.browser();
    renderWithPortcullis(<LoginForm redirectTo="/dashboard" />, {
      client: page.client(),
      initialSession: null,
    });
    const link = await screen.findByRole('link', { name: 'Continue with GitHub' });
    const href = link.getAttribute('href')!;
    expect(new URL(href).pathname).toBe('/auth/oauth/github');
    expect(new URL(href).searchParams.get('redirectTo')).toBe('/dashboard');

    const started = await page.fetch(href, { redirect: 'manual' });
    expect(started.status).toBe(302);
    expect(started.headers.get('location')).toMatch(/^https:\/\/github\.com\/login\/oauth\/authorize\?/);
    expect(within(link.parentElement!).queryByRole('alert')).toBeNull();
  });
});
