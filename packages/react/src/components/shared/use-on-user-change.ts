import { useState } from 'react';
import { useSessionState } from '../../hooks/use-session-state.js';

/**
 * Calls `onChange` when the signed-in user changes under a mounted component: a sign-out, or
 * another user signing in. The components that show a secret once (a new API key, an invitation
 * link, a TOTP secret, recovery codes) drop it here: the next person at the screen must not see it.
 *
 * It runs while rendering (React's "adjust state when a prop changes"), so the secret is gone
 * before the next user's first frame: `onChange` may only set the calling component's own state.
 * The first answer about the session (leaving `loading`) is no change.
 */
export function useOnUserChange(onChange: () => void): void {
  const state = useSessionState();
  const userId = state.status === 'loading' ? undefined : (state.data?.user.id ?? null);
  const [seen, setSeen] = useState(userId);
  if (userId !== undefined && userId !== seen) {
    setSeen(userId);
    if (seen !== undefined) onChange();
  }
}
