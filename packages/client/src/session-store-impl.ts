import { PortcullisClientError } from './client-error.js';
import {
  LOADING,
  type SessionData,
  type SessionState,
  type SessionStore,
  SIGNED_OUT,
  stateOf,
} from './session-store.js';

/** The store plus what only the client itself calls. */
export interface WritableSessionStore extends SessionStore {
  /** Sets the session from an answer that carried it (`null`: signed out). */
  set(data: SessionData | null): void;
  /** Marks the stored answer stale, so the next `refresh()` fetches. */
  invalidate(): void;
  dispose(): void;
}

interface SessionStoreOptions {
  initial: SessionData | null | undefined;
  dedupeMs: number;
  refreshOnFocus: boolean;
  fetchSession(): Promise<SessionData>;
  /** False when there is certainly no session to ask about (token mode without a token). */
  hasCredentials(): boolean;
}

export function createSessionStore(options: SessionStoreOptions): WritableSessionStore {
  let serverState = options.initial === undefined ? LOADING : stateOf(options.initial);
  let state = serverState;
  // a server-provided session counts as a fresh answer: hydration fetches nothing
  let answeredAt = options.initial === undefined ? Number.NEGATIVE_INFINITY : Date.now();
  let inFlight: Promise<SessionState> | null = null;
  let generation = 0;
  const listeners = new Set<() => void>();

  function publish(next: SessionState) {
    if (sameState(state, next)) return;
    state = next;
    for (const listener of [...listeners]) listener();
  }

  const store: WritableSessionStore = {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getSnapshot: () => state,
    getServerSnapshot: () => serverState,
    refresh({ force = false } = {}) {
      if (inFlight) return inFlight;
      if (!force && Date.now() - answeredAt < options.dedupeMs) return Promise.resolve(state);
      if (!options.hasCredentials()) {
        answeredAt = Date.now();
        publish(SIGNED_OUT);
        return Promise.resolve(state);
      }
      const started = generation;
      inFlight = options
        .fetchSession()
        .then(
          (data) => {
            // a sign-in or sign-out that answered meanwhile knows better than this older read
            if (started === generation) publish(stateOf(data));
          },
          (error: unknown) => {
            if (started !== generation) return;
            const signedOut = error instanceof PortcullisClientError && error.status === 401;
            publish(
              signedOut || !(error instanceof PortcullisClientError)
                ? SIGNED_OUT
                : { status: 'unauthenticated', data: null, error },
            );
          },
        )
        .then(() => {
          answeredAt = Date.now();
          inFlight = null;
          return state;
        });
      return inFlight;
    },
    hydrate(data) {
      if (state.status !== 'loading' || inFlight) return;
      serverState = stateOf(data);
      answeredAt = Date.now();
      publish(serverState);
    },
    set(data) {
      generation++;
      answeredAt = Date.now();
      publish(stateOf(data));
    },
    invalidate() {
      generation++;
      answeredAt = Number.NEGATIVE_INFINITY;
    },
    dispose() {
      removeFocusListeners();
      listeners.clear();
    },
  };

  const removeFocusListeners = options.refreshOnFocus ? listenForFocus(() => void store.refresh()) : () => {};
  return store;
}

// focus and online come in bursts (a tab switch fires focus and visibilitychange): one refresh per
// burst, and the store's dedupe window absorbs the rest
function listenForFocus(refresh: () => void): () => void {
  if (typeof window === 'undefined' || typeof document === 'undefined') return () => {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  const debounced = () => {
    if (document.visibilityState === 'hidden') return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 100);
  };
  window.addEventListener('focus', debounced);
  window.addEventListener('online', debounced);
  document.addEventListener('visibilitychange', debounced);
  return () => {
    clearTimeout(timer);
    window.removeEventListener('focus', debounced);
    window.removeEventListener('online', debounced);
    document.removeEventListener('visibilitychange', debounced);
  };
}

function sameState(a: SessionState, b: SessionState): boolean {
  if (a.status !== b.status || a.error !== b.error) return false;
  return a.data === b.data || JSON.stringify(a.data) === JSON.stringify(b.data);
}
