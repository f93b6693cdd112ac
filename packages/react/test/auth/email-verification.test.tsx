import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmailVerification } from '../../src/index.js';
import { createTestServer, renderWithPortcullis, signUp } from '../support/test-server.js';
import { fakeClock, tokenMailedTo } from './auth-support.js';

// vitest runs without globals: @testing-library/react cannot register its cleanup itself
afterEach(cleanup);

/** A signed-in user who asked for a verification link, and its token. */
async function unverifiedUser(server: ReturnType<typeof createTestServer>) {
  const browser = server.browser();
  const client = browser.client();
  await signUp(client, 'ada@example.com');
  await client.email.requestVerification({});
  const token = await tokenMailedTo(server.auth, server.mail, 'ada@example.com');
  return { browser, client, token };
}

describe('EmailVerification', () => {
  it('verifies the token once as the page shows (also under StrictMode) and updates the session', async () => {
    const server = createTestServer();
    const { browser, client, token } = await unverifiedUser(server);
    const onVerified = vi.fn();
    renderWithPortcullis(
      <StrictMode>
        <EmailVerification token={token} onVerified={onVerified} continueHref="/dashboard" />
      </StrictMode>,
      { client },
    );

    expect((await screen.findByText('Your email address is verified.')).tagName).toBe('OUTPUT');
    expect(onVerified).toHaveBeenCalledTimes(1);
    expect(browser.count('/email/verify', 'POST')).toBe(1);
    await waitFor(() => expect(client.session.getSnapshot().data?.user.emailVerifiedAt).toBeTruthy());
    expect(screen.getByRole('link', { name: 'Continue' }).getAttribute('href')).toBe('/dashboard');
  });

  it('waits for "Verify" when autoVerify is off', async () => {
    const server = createTestServer();
    const { browser, token } = await unverifiedUser(server);
    renderWithPortcullis(<EmailVerification token={token} autoVerify={false} />, {
      client: server.browser().client(),
      initialSession: null,
    });
    const verify = await screen.findByRole('button', { name: 'Verify' });
    expect(browser.count('/email/verify', 'POST')).toBe(0);
    fireEvent.click(verify);
    expect(await screen.findByText('Your email address is verified.')).toBeTruthy();
  });

  it('says an expired link expired, and mails a new one to the signed-in user', async () => {
    const clock = fakeClock();
    const server = createTestServer({ clock });
    const { client, token } = await unverifiedUser(server);
    clock.advance(2 * 86_400);
    await client.session.refresh({ force: true });
    const mailsBefore = server.mail.length;
    renderWithPortcullis(<EmailVerification token={token} />, { client });

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBeTruthy();
    fireEvent.click(await screen.findByRole('button', { name: 'Resend verification email' }));
    expect((await screen.findByRole('status')).textContent).toContain('ada@example.com');
    const fresh = await tokenMailedTo(server.auth, server.mail, 'ada@example.com');
    expect(server.mail.length).toBeGreaterThan(mailsBefore);
    expect(fresh).not.toBe(token);
  });

  it("without a token, shows the signed-in user's unverified address with a resend that reports its error beside it", async () => {
    const server = createTestServer({
      rateLimit: { rules: { emailLink: { limit: 1, windowSeconds: 600 } } },
    });
    const client = server.browser().client();
    await signUp(client, 'ada@example.com');
    await client.email.requestVerification({});
    renderWithPortcullis(<EmailVerification />, { client });

    expect((await screen.findByText('ada@example.com')).tagName).toBe('STRONG');
    const resend = screen.getByRole('button', { name: 'Resend verification email' });
    fireEvent.click(resend);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/^Too many attempts\. Try again in/);
    expect(resend.getAttribute('aria-describedby')).toBe(alert.id);
  });

  it('without a token, says a verified address is verified and offers no resend', async () => {
    const server = createTestServer();
    const { client, token } = await unverifiedUser(server);
    await client.email.verify({ token });
    renderWithPortcullis(<EmailVerification />, { client });
    expect(await screen.findByText('Your email address is verified.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Resend verification email' })).toBeNull();
  });
});
