import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { isPortcullisClientError } from '@portcullis/client';
import { oidcProvider } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SoftAuthenticator } from '../../../../test-support/soft-authenticator.js';
import {
  useAuth,
  useOAuthAccounts,
  useOAuthProviders,
  usePasskeys,
  useSessions,
  useTotp,
  useUser,
} from '../../src/index.js';
import { createTestServer, ORIGIN, PASSWORD } from '../support/test-server.js';
import { failOnConsoleErrors, probe, renderPage, signedInUser } from './support.js';

failOnConsoleErrors();

/** The authenticator app: oathtool, a TOTP implementation nobody here wrote (CI installs it). */
function appCode(secret: string): string {
  return execFileSync('oathtool', ['--totp', '--base32', secret]).toString().trim();
}

describe('useAuth and useUser', () => {
  it('signs up, signs out and signs in, with a wrong password rejected with its code', async () => {
    const server = createTestServer();
    const browser = server.browser();
    const client = browser.client();
    const auth = probe(() => ({ ...useAuth(), user: useUser() }));
    renderPage(client, <auth.Probe />);
    await waitFor(() => expect(auth.result.current.status).toBe('unauthenticated'));
    expect(auth.result.current.isSignedIn).toBe(false);

    await act(() =>
      auth.result.current.signUp({ email: 'ada@example.com', password: PASSWORD, name: 'Ada' }),
    );
    expect(auth.result.current.isSignedIn).toBe(true);
    expect(auth.result.current.user?.name).toBe('Ada');
    expect(auth.result.current.session?.current).toBe(true);

    await act(() => auth.result.current.signOut());
    expect(auth.result.current.status).toBe('unauthenticated');
    expect(auth.result.current.user).toBeNull();

    const wrong = await auth.result.current
      .signIn({ email: 'ada@example.com', password: 'not the password at all' })
      .catch((error: unknown) => error);
    expect(isPortcullisClientError(wrong, 'invalid_credentials')).toBe(true);
    expect(auth.result.current.isSignedIn).toBe(false);

    await act(() => auth.result.current.signIn({ email: 'ada@example.com', password: PASSWORD }));
    expect(auth.result.current.user?.email).toBe('ada@example.com');
    // every change came with the session in its answer: one read at start, none since
    expect(browser.count('/session')).toBe(1);
  });
});

describe('useSessions', () => {
  it('lists the sessions and re-reads them after revoking one and after revoking the others', async () => {
    const { server, client, requests } = await signedInUser();
    // two more devices of the same user (a phone, a tablet)
    await server.browser().client().signIn({ email: 'ada@example.com', password: PASSWORD });
    await server.browser().client().signIn({ email: 'ada@example.com', password: PASSWORD });
    const sessions = probe(() => useSessions());
    renderPage(client, <sessions.Probe />);
    await waitFor(() => expect(sessions.result.current.sessions).toHaveLength(3));
    expect(requests('/sessions')).toBe(1);

    const other = sessions.result.current.sessions.find((s) => !s.current);
    await act(() => sessions.result.current.revoke(other?.id ?? ''));
    expect(sessions.result.current.sessions).toHaveLength(2);
    expect(requests('/sessions')).toBe(2);

    await act(() => sessions.result.current.revokeOthers());
    expect(sessions.result.current.sessions.map((s) => s.current)).toEqual([true]);
    expect(requests('/sessions')).toBe(3);
  });
});

describe('usePasskeys', () => {
  it('lists a passkey after a registration ceremony, renames it and removes it', async () => {
    const { client, requests } = await signedInUser();
    const passkeys = probe(() => usePasskeys());
    renderPage(client, <passkeys.Probe />);
    await waitFor(() => expect(passkeys.result.current.isLoading).toBe(false));
    expect(passkeys.result.current.passkeys).toEqual([]);

    // the ceremony the WebAuthn entry of the client runs, with a software authenticator
    const authenticator = new SoftAuthenticator({ origin: ORIGIN });
    const { options } = await client.passkeys.registrationOptions({});
    const response = await authenticator.create(options as never);
    await client.passkeys.verifyRegistration({ response: response as never, name: 'Laptop' });
    await act(() => passkeys.result.current.invalidate());
    expect(passkeys.result.current.passkeys.map((p) => p.name)).toEqual(['Laptop']);

    const id = passkeys.result.current.passkeys[0]?.id ?? '';
    await act(() => passkeys.result.current.rename(id, 'Work laptop'));
    expect(passkeys.result.current.passkeys.map((p) => p.name)).toEqual(['Work laptop']);

    await act(() => passkeys.result.current.remove(id));
    expect(passkeys.result.current.passkeys).toEqual([]);
    expect(requests('/passkeys')).toBe(4);
  });
});

describe('useTotp', () => {
  it('sets up, confirms and turns off TOTP, the status following each step', async () => {
    const { client } = await signedInUser();
    const totp = probe(() => useTotp());
    renderPage(client, <totp.Probe />);
    await waitFor(() => expect(totp.result.current.status?.totpEnabled).toBe(false));

    const { secret, otpauthUri } = await totp.result.current.setup();
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const code = appCode(secret);
    const confirmed = await act(() => totp.result.current.confirm(code));
    expect(confirmed.recoveryCodes.length).toBeGreaterThan(0);
    expect(totp.result.current.status).toMatchObject({
      totpEnabled: true,
      recoveryCodesRemaining: confirmed.recoveryCodes.length,
    });

    const wrong = await totp.result.current.confirm('000000').catch((error: unknown) => error);
    expect(isPortcullisClientError(wrong)).toBe(true);

    await act(() => totp.result.current.disable());
    expect(totp.result.current.status?.totpEnabled).toBe(false);
  });
});

describe('useOAuthProviders and useOAuthAccounts', () => {
  const oauth = {
    providers: {
      acme: oidcProvider({
        issuer: 'https://idp.example.com',
        clientId: 'portcullis',
        clientSecret: 'a-client-secret',
        name: 'Acme SSO',
      }),
    },
  };

  it('lists the providers signed out, and keeps them (no second request) across sign-in and sign-out', async () => {
    const server = createTestServer({ oauth });
    const browser = server.browser();
    await server.browser().client().signUp({ email: 'ada@example.com', password: PASSWORD });
    const client = browser.client();
    function Buttons() {
      const { data } = useOAuthProviders();
      return (
        <ul>
          {data?.map((provider) => (
            <li key={provider.id}>{`Continue with ${provider.name}`}</li>
          ))}
        </ul>
      );
    }
    const auth = probe(() => useAuth());
    renderPage(client, [<Buttons key="buttons" />, <auth.Probe key="auth" />]);
    expect(await screen.findByText('Continue with Acme SSO')).toBeTruthy();
    await act(() => auth.result.current.signIn({ email: 'ada@example.com', password: PASSWORD }));
    await act(() => auth.result.current.signOut());
    expect(screen.getByText('Continue with Acme SSO')).toBeTruthy();
    expect(browser.count('/oauth/providers')).toBe(1);
  });

  it('lists linked accounts and unlinks one', async () => {
    const storage = memoryStorage();
    const server = createTestServer({ storage, oauth });
    const { client, user, requests } = await signedInUser('ada@example.com', server);
    await storage.oauthAccounts.create({
      id: randomUUID(),
      userId: user.id,
      provider: 'acme',
      subject: 'sub-ada',
      email: 'ada@idp.example.com',
      createdAt: new Date(),
    });
    const accounts = probe(() => useOAuthAccounts());
    renderPage(client, <accounts.Probe />);
    await waitFor(() => expect(accounts.result.current.accounts).toHaveLength(1));
    expect(accounts.result.current.accounts[0]).toMatchObject({
      provider: 'acme',
      email: 'ada@idp.example.com',
    });

    await act(() => accounts.result.current.unlink(accounts.result.current.accounts[0]?.id ?? ''));
    expect(accounts.result.current.accounts).toEqual([]);
    expect(requests('/oauth/accounts')).toBe(2);
  });
});
