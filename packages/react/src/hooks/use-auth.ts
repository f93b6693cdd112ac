import type {
  PortcullisClient,
  SessionData,
  SignInBody,
  SignInResponse,
  SignUpBody,
  SignUpResponse,
} from '@portcullis/client';
import { useMemo } from 'react';
import { usePortcullis } from '../portcullis-provider.js';
import { useSessionState } from './use-session-state.js';

/** What {@link useAuth} returns. */
export interface AuthState {
  status: 'loading' | 'authenticated' | 'unauthenticated';
  isLoading: boolean;
  isSignedIn: boolean;
  user: SessionData['user'] | null;
  session: SessionData['session'] | null;
  /** Password sign-in; answers `{ mfaRequired, challengeId, methods }` when a second factor is due. */
  signIn(body: SignInBody): Promise<SignInResponse>;
  signUp(body: SignUpBody): Promise<SignUpResponse>;
  signOut(): Promise<void>;
  /** Re-reads the session (`force` skips the dedupe window). */
  refresh(options?: { force?: boolean }): Promise<unknown>;
  client: PortcullisClient;
}

/**
 * The session and the calls that change it. Every component using it re-renders when the
 * session changes (sign-in, sign-out, a revoked session noticed by any call).
 *
 * @example
 * const { isSignedIn, user, signOut } = useAuth();
 * if (!isSignedIn) return <LoginForm />;
 * return <button onClick={() => signOut()}>Sign out {user.email}</button>;
 */
export function useAuth(options: { suspense?: boolean } = {}): AuthState {
  const { client } = usePortcullis();
  const state = useSessionState(options);
  // the provider empties the data cache when the user changes (a sign-out that failed changes
  // nothing, and must not leave the page's lists blank)
  const actions = useMemo(
    () => ({
      signIn: (body: SignInBody) => client.signIn(body),
      signUp: (body: SignUpBody) => client.signUp(body),
      async signOut() {
        await client.signOut();
      },
      refresh: (refreshOptions?: { force?: boolean }) => client.session.refresh(refreshOptions),
    }),
    [client],
  );
  return {
    status: state.status,
    isLoading: state.status === 'loading',
    isSignedIn: state.status === 'authenticated',
    user: state.data?.user ?? null,
    session: state.data?.session ?? null,
    ...actions,
    client,
  };
}

/** The signed-in user, or null (also while loading: check `useAuth().isLoading` to tell). */
export function useUser(): SessionData['user'] | null {
  return useSessionState().data?.user ?? null;
}
