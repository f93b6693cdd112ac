import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TotpSetup } from '../../src/index.js';
import { createTestServer, PASSWORD, renderWithPortcullis, signUp } from '../support/test-server.js';
import { fakeClock, totpCode } from './auth-support.js';

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

/** The text of the secret shown beside the QR code, without the grouping spaces. */
function shownSecret(): string {
  return (document.querySelector('code')?.textContent ?? '').replace(/\s+/g, '');
}

describe('TotpSetup', () => {
  it('enrols: QR code and secret, a wrong code next to the Code field, then recovery codes shown once', async () => {
    const { clock, client, initialSession } = await signedIn();
    const onEnabled = vi.fn();
    renderWithPortcullis(<TotpSetup onEnabled={onEnabled} />, { client, initialSession });
    expect(screen.getByRole('heading', { name: 'Two-factor authentication' })).toBeTruthy();

    fireEvent.click(await screen.findByRole('button', { name: 'Set up authenticator app' }));
    const qr = await screen.findByRole('img', { name: 'QR code for your authenticator app' });
    expect(qr.tagName.toLowerCase()).toBe('svg');
    const secret = shownSecret();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);

    const code = screen.getByLabelText('Code');
    const right = totpCode(secret, clock.now());
    fireEvent.change(code, { target: { value: right === '123456' ? '654321' : '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(code.getAttribute('aria-invalid')).toBe('true'));
    const describedBy = code.getAttribute('aria-describedby')!.split(' ');
    expect(describedBy.some((id) => document.getElementById(id)?.getAttribute('role') === 'alert')).toBe(
      true,
    );

    fireEvent.change(code, { target: { value: right } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    const codes = await screen.findByRole('region', { name: 'Recovery codes' });
    const shown = within(codes)
      .getAllByRole('listitem')
      .map((item) => item.textContent);
    expect(shown).toHaveLength(10);
    expect(onEnabled).toHaveBeenCalledTimes(1);

    fireEvent.click(within(codes).getByRole('button', { name: 'Copy' }));
    expect(await within(codes).findByText('Copied')).toBeTruthy();
    expect(await navigator.clipboard.readText()).toBe(`${shown.join('\n')}\n`);

    fireEvent.click(within(codes).getByRole('button', { name: 'I have saved them' }));
    expect(await screen.findByText('10 recovery codes left.')).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Recovery codes' })).toBeNull();
    expect((await client.mfa.status()).totpEnabled).toBe(true);
  });

  it('turns TOTP off after confirming, asking for the password when the sign-in is older than 5 minutes', async () => {
    const { clock, client, page } = await signedIn();
    const { secret } = await client.mfa.totp.setup();
    await client.mfa.totp.confirm({ code: totpCode(secret, clock.now()) });
    clock.advance(6 * 60);
    renderWithPortcullis(<TotpSetup />, { client, initialSession: await client.getSession() });

    fireEvent.click(await screen.findByRole('button', { name: 'Turn off' }));
    const question = screen.getByRole('group', { name: /^Turn off two-factor authentication\?/ });
    fireEvent.click(within(question).getByRole('button', { name: 'Confirm' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    fireEvent.change(within(dialog).getByLabelText('Password'), { target: { value: PASSWORD } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    expect(await screen.findByRole('button', { name: 'Set up authenticator app' })).toBeTruthy();
    expect((await client.mfa.status()).totpEnabled).toBe(false);
    expect(page.count('/mfa/totp', 'DELETE')).toBe(2);
  });

  it('replaces the recovery codes after confirming; the old ones stop working', async () => {
    const { clock, server, client, initialSession } = await signedIn();
    const { secret } = await client.mfa.totp.setup();
    const { recoveryCodes: old } = await client.mfa.totp.confirm({ code: totpCode(secret, clock.now()) });
    renderWithPortcullis(<TotpSetup />, { client, initialSession });

    fireEvent.click(await screen.findByRole('button', { name: 'New recovery codes' }));
    fireEvent.click(
      within(screen.getByRole('group', { name: /^Replace your recovery codes\?/ })).getByRole('button', {
        name: 'Confirm',
      }),
    );
    const codes = await screen.findByRole('region', { name: 'Recovery codes' });
    const fresh = within(codes)
      .getAllByRole('listitem')
      .map((item) => item.textContent!);
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(old[0]);

    const login = server.browser().client();
    const pending = await login.signIn({ email: 'ada@example.com', password: PASSWORD });
    if (!('challengeId' in pending)) throw new Error('expected a second factor');
    await expect(
      login.mfa.verify({ challengeId: pending.challengeId, method: 'recovery_code', code: old[0]! }),
    ).rejects.toMatchObject({ code: 'invalid_mfa_code' });
  });

  it('shows a refused setup next to its button', async () => {
    const { clock, client, initialSession } = await signedIn();
    renderWithPortcullis(<TotpSetup />, { client, initialSession });
    // another tab turned TOTP on meanwhile: this page still shows "off"
    const button = await screen.findByRole('button', { name: 'Set up authenticator app' });
    const { secret } = await client.mfa.totp.setup();
    await client.mfa.totp.confirm({ code: totpCode(secret, clock.now()) });

    fireEvent.click(button);
    const alert = await screen.findByRole('alert');
    expect(button.getAttribute('aria-describedby')).toBe(alert.id);
  });

  // review finding: the secret and the recovery codes stayed on screen for whoever signed in next
  it('drops the secret and the recovery codes shown once when the user changes', async () => {
    const { clock, server, client, initialSession } = await signedIn();
    await signUp(server.browser().client(), 'bob@example.com');
    renderWithPortcullis(<TotpSetup />, { client, initialSession });
    fireEvent.click(await screen.findByRole('button', { name: 'Set up authenticator app' }));
    await screen.findByRole('img', { name: 'QR code for your authenticator app' });
    const adasSecret = shownSecret();

    await act(() => client.signOut());
    await act(() => client.signIn({ email: 'bob@example.com', password: PASSWORD }));
    expect(screen.queryByRole('img', { name: 'QR code for your authenticator app' })).toBeNull();
    expect(document.body.textContent?.replace(/\s+/g, '')).not.toContain(adasSecret);

    fireEvent.click(await screen.findByRole('button', { name: 'Set up authenticator app' }));
    await screen.findByRole('img', { name: 'QR code for your authenticator app' });
    fireEvent.change(screen.getByLabelText('Code'), {
      target: { value: totpCode(shownSecret(), clock.now()) },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
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
