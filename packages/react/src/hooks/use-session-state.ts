import type { SessionState } from '@portcullis/client';
import { use, useEffect, useSyncExternalStore } from 'react';
import { usePortcullis } from '../portcullis-provider.js';

/**
 * The session store's state, re-rendering on change. The first render uses the session the server
 * rendered with, so hydration matches. Fetches `GET /session` once when nothing is known yet
 * (deduplicated by the store across every component and remount).
 *
 * With `suspense: true` a component suspends while the session is `loading` instead of rendering
 * a loading state; a Suspense retry waits for the same request.
 */
export function useSessionState(options: { suspense?: boolean } = {}): SessionState {
  const { client, serverSession } = usePortcullis();
  const store = client.session;
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, () => serverSession);
  useEffect(() => {
    if (state.status === 'loading') void store.refresh();
  }, [store, state.status]);
  if (options.suspense && state.status === 'loading') {
    // the store shares the in-flight request: a retry after the throw adds no second fetch
    return use(store.refresh());
  }
  return state;
}
