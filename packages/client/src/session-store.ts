import type { PortcullisClientError } from './client-error.js';
import type { GetSessionResponse } from './generated/routes.js';

/** The signed-in user and session, as `GET /session` answers. */
export type SessionData = GetSessionResponse;

/** What the session store holds: `loading` only until the first answer. */
export type SessionState =
  | { readonly status: 'loading'; readonly data: null; readonly error: null }
  | { readonly status: 'authenticated'; readonly data: SessionData; readonly error: null }
  | {
      readonly status: 'unauthenticated';
      readonly data: null;
      /** Why the last fetch failed, when it failed for another reason than "not signed in". */
      readonly error: PortcullisClientError | null;
    };

/**
 * The session as a store React (`useSyncExternalStore`) or any UI can read: `subscribe`,
 * `getSnapshot`, `getServerSnapshot`. Every call of the client that changes the session updates it.
 */
export interface SessionStore {
  subscribe(listener: () => void): () => void;
  getSnapshot(): SessionState;
  /** The state the server rendered with: the `initialSession` given to the client. */
  getServerSnapshot(): SessionState;
  /**
   * Fetches `GET /session`, once however many callers ask at the same time, and not again within
   * `dedupeMs` of the last answer unless `force`. While one read is in flight every caller gets
   * the same promise (React's `use()` can suspend on it without a second request).
   */
  refresh(options?: { force?: boolean }): Promise<SessionState>;
  /**
   * Adopts the session the server rendered with when the store has no answer yet (`loading`),
   * as a fresh answer: no request. A store that already knows the session keeps what it knows.
   * (`initialSession` does the same when the client is created in the browser.)
   */
  hydrate(data: SessionData | null): void;
}

export const LOADING: SessionState = { status: 'loading', data: null, error: null };
export const SIGNED_OUT: SessionState = { status: 'unauthenticated', data: null, error: null };

export function stateOf(data: SessionData | null): SessionState {
  return data ? { status: 'authenticated', data, error: null } : SIGNED_OUT;
}
