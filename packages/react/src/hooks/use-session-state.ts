import type { SessionState } from '@portcullis/client';
import { use, useEffect, useSyncExternalStore } from 'react';
import { usePortcullis } from '../portcullis-provider.js';

/**
 * The session store's state, re-rendering on change. The first render uses the session the server
 * rendered with, so hydration matches. Fetches `GET /session` once when nothing is known yet
 * (deduplicated by the store across every component and remount), from an effect: never while
 * rendering on the server.
 *
 * With `suspense: true` a component suspends while the session is `loading` instead of rendering
 * a loading state; a Suspense retry waits for the same request. On the server a suspending
 * component cannot wait for the browser's cookie: without an `initialSession` its boundary is
 * left to the client (React renders the fallback there and retries in the browser).
 */
export function useSessionState(options: { suspense?: boolean } = {}): SessionState {
  const { client, serverSession } = usePortcullis();
  const store = client.session;
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, () => serverSession);
  useEffect(() => {
    if (state.status === 'loading') void store.refresh();
  }, [store, state.status]);
  if (!options.suspense) return state;
  if (state.status === 'loading' && typeof window === 'undefined') {
    // React's way to render a boundary on the client only: throw while rendering on the server
    throw new Error(
      'Portcullis: the session is unknown while rendering on the server; pass initialSession to <PortcullisProvider> to render this on the server',
    );
  }
  // `use` on every render, not only while loading: React replays a suspended component when its
  // promise settles and needs the same call there. The store shares the request in flight, so a
  // retry adds no second fetch; a known state is an already-settled thenable that never suspends.
  return use(state.status === 'loading' ? store.refresh() : settled(state));
}

/**
 * A thenable React reads synchronously: it marks the thenables it has seen with `status` and
 * `value`, and one that arrives marked fulfilled is used without suspending. One per state object,
 * so a re-render hands React the same one.
 */
const settledStates = new WeakMap<SessionState, PromiseLike<SessionState>>();
function settled(state: SessionState): PromiseLike<SessionState> {
  let thenable = settledStates.get(state);
  if (!thenable) {
    thenable = Object.assign(Promise.resolve(state), { status: 'fulfilled', value: state });
    settledStates.set(state, thenable);
  }
  return thenable;
}
