import type {
  ConfirmTotpResponse,
  GetMfaStatusResponse,
  ListOAuthAccountsResponse,
  ListOAuthProvidersResponse,
  Passkey,
  RegenerateRecoveryCodesResponse,
  Session,
  SetupTotpResponse,
} from '@portcullis/client';
import { useMemo } from 'react';
import { usePortcullis } from '../portcullis-provider.js';
import { type ResourceResult, useResource } from './use-resource.js';

/** The signed-in user's active sessions (`current` marks this one), and revoking them. */
export function useSessions(): Omit<ResourceResult<Session[]>, 'data'> & {
  sessions: Session[];
  revoke(sessionId: string): Promise<void>;
  revokeOthers(): Promise<void>;
} {
  const { client, cache } = usePortcullis();
  const result = useResource('sessions', async () => (await client.sessions.list()).items);
  const actions = useMemo(
    () => ({
      async revoke(sessionId: string) {
        await client.sessions.revoke(sessionId);
        await cache.invalidate('sessions');
      },
      async revokeOthers() {
        await client.sessions.revokeOthers();
        await cache.invalidate('sessions');
      },
    }),
    [client, cache],
  );
  const { data, ...rest } = result;
  return { ...rest, sessions: data ?? [], ...actions };
}

/** The signed-in user's passkeys, and renaming or deleting one. Registering: `client.passkeys.register()`. */
export function usePasskeys(): Omit<ResourceResult<Passkey[]>, 'data'> & {
  passkeys: Passkey[];
  rename(passkeyId: string, name: string): Promise<void>;
  remove(passkeyId: string): Promise<void>;
  /** Re-reads the list (after a registration ceremony). */
  invalidate(): Promise<void>;
} {
  const { client, cache } = usePortcullis();
  const result = useResource('passkeys', async () => (await client.passkeys.list()).items);
  const actions = useMemo(
    () => ({
      async rename(passkeyId: string, name: string) {
        await client.passkeys.rename(passkeyId, { name });
        await cache.invalidate('passkeys');
      },
      async remove(passkeyId: string) {
        await client.passkeys.delete(passkeyId);
        await cache.invalidate('passkeys');
      },
      invalidate: () => cache.invalidate('passkeys'),
    }),
    [client, cache],
  );
  const { data, ...rest } = result;
  return { ...rest, passkeys: data ?? [], ...actions };
}

/** TOTP and recovery codes: status, setup (secret + `otpauth://` URI), confirm, disable, new codes. */
export function useTotp(): Omit<ResourceResult<GetMfaStatusResponse>, 'data'> & {
  status: GetMfaStatusResponse | undefined;
  setup(): Promise<SetupTotpResponse>;
  /** Confirms setup with a code; answers the recovery codes, shown once. */
  confirm(code: string): Promise<ConfirmTotpResponse>;
  disable(): Promise<void>;
  regenerateRecoveryCodes(): Promise<RegenerateRecoveryCodesResponse>;
} {
  const { client, cache } = usePortcullis();
  const result = useResource('mfa', () => client.mfa.status());
  const actions = useMemo(
    () => ({
      setup: () => client.mfa.totp.setup(),
      async confirm(code: string) {
        const answer = await client.mfa.totp.confirm({ code });
        await cache.invalidate('mfa');
        return answer;
      },
      async disable() {
        await client.mfa.totp.disable();
        await cache.invalidate('mfa');
      },
      async regenerateRecoveryCodes() {
        const answer = await client.mfa.recoveryCodes.regenerate();
        await cache.invalidate('mfa');
        return answer;
      },
    }),
    [client, cache],
  );
  const { data, ...rest } = result;
  return { ...rest, status: data, ...actions };
}

/**
 * The sign-in providers configured on the server (`GET /oauth/providers`), for OAuth buttons.
 * The same for every visitor: fetched signed out too, and kept across sign-in and sign-out.
 */
export function useOAuthProviders(): ResourceResult<ListOAuthProvidersResponse['providers']> {
  const { client } = usePortcullis();
  return useResource('public:oauthProviders', async () => (await client.oauth.providers()).providers);
}

/** The signed-in user's linked OAuth accounts, and unlinking one. */
export function useOAuthAccounts(): Omit<ResourceResult<ListOAuthAccountsResponse['accounts']>, 'data'> & {
  accounts: ListOAuthAccountsResponse['accounts'];
  unlink(accountId: string): Promise<void>;
} {
  const { client, cache } = usePortcullis();
  const result = useResource('oauthAccounts', async () => (await client.oauth.accounts.list()).accounts);
  const actions = useMemo(
    () => ({
      async unlink(accountId: string) {
        await client.oauth.accounts.unlink(accountId);
        await cache.invalidate('oauthAccounts');
      },
    }),
    [client, cache],
  );
  const { data, ...rest } = result;
  return { ...rest, accounts: data ?? [], ...actions };
}
