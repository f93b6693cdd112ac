import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MagicLinkVerification } from '../../src/index.js';
import { createTestServer, renderWithPortcullis, signUp } from '../support/test-server.js';
import { fakeClock, tokenMailedTo, totpCode, userWithTotp } from './auth-support.js';

// vitest runs without globals: @testing-library/react cannot register its cleanup itself
afterEach(cleanup);

async function mailedMagicLink(server: ReturnType<typeof createTestServer>, redirectTo?: string) {
  await server
    .browser()
    .client()
    .magicLink.request({ email: 'ada@example.com', ...(redirectTo ? { redirectTo } : {}) });
  return tokenMailedTo(server.auth, server.mail, 'ada@example.com');
}

describe('MagicLinkVerification', () => {
  it("signs in with the link's token and hands over the allowlisted redirect", async () => {
    const server = createTestServer({ emailLinks: { redirectAllowlist: ['/dashboard'] } });
    await signUp(server.browser().client(), 'ada@example.com');
    const token = await mailedMagicLink(server, '/dashboard');
    const client = server.browser().client();
    const onSignedIn = vi.fn();
    renderWithPortcullis(<MagicLinkVerification token={token} onSignedIn={onSignedIn} />, {
      client,
      initialSession: null,
    });

    await waitFor(() => expect(onSignedIn).toHaveBeenCalledTimes(1));
    expect(onSignedIn.mock.calls[0]![0].user.email).toBe('ada@example.com');
    expect(onSignedIn.mock.calls[0]![1]).toBe('/dashboard');
    expect(await screen.findByText('You are signed in.')).toBeTruthy();
  });

  it('says a used link cannot sign in, with the way back', async () => {
    const server = createTestServer();
    await signUp(server.browser().client(), 'ada@example.com');
    const token = await mailedMagicLink(server);
    await server.browser().client().magicLink.verify({ token });
    const onSignedIn = vi.fn();
    renderWithPortcullis(
      <MagicLinkVerification token={token} onSignedIn={onSignedIn} signInHref="/sign-in" />,
      {
        client: server.browser().client(),
        initialSession: null,
      },
    );

    expect((await screen.findByRole('alert')).textContent).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Back to sign in' }).getAttribute('href')).toBe('/sign-in');
    expect(onSignedIn).not.toHaveBeenCalled();
  });

  it('asks for the second factor when the account has one', async () => {
    const clock = fakeClock();
    const server = createTestServer({ clock });
    const { secret } = await userWithTotp(server, clock);
    const token = await mailedMagicLink(server);
    const client = server.browser().client();
    const onSignedIn = vi.fn();
    renderWithPortcullis(<MagicLinkVerification token={token} onSignedIn={onSignedIn} />, {
      client,
      initialSession: null,
    });

    fireEvent.change(await screen.findByLabelText('Code'), {
      target: { value: totpCode(secret, clock.now()) },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));

    await waitFor(() => expect(onSignedIn).toHaveBeenCalledTimes(1));
    expect(client.session.getSnapshot().data?.user.email).toBe('ada@example.com');
  });
});
