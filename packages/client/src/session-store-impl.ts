import { PortcullisClientError } from './client-error.js';
import { LOADING, type SessionData, type SessionState, type SessionStore, stateOf } from './session-store.js';

/** The store plus what only the client itself calls. */
export interface WritableSessionStore extends SessionStore {
  /**
   * `GET /session` through the store's dedupe: the answer of the read in flight, or the last one
   * within `dedupeMs`, else a new read. Rejects with `unauthenticated` when signed out.
   */
  read(options?: { force?: boolean }): Promise<SessionData>;
  /** Sets the session from an answer that carried it (`null`: signed out). */
  set(data: SessionData | null): void;
  /** Marks the stored answer stale (and any read in flight outdated), so the next read fetches. */
  invalidate(): void;
  dispose(): void;
}

export interface SessionStoreOptions {
  initial: SessionData | null | undefined;
  dedupeMs: number;
  refreshOnFocus: boolean;
  fetchSession(): Promise<SessionData>;
  /** Resolves when the transport knows whether it holds credentials. */
  ready(): Promise<void>;
  /** False when there is certainly no session to ask about (token mode without a token). */
  hasCredentials(): boolean;
}

/** A settled read: the session (`null`: signed out), or why there is none. */
interface Answer {
  data: SessionData | null;
  error?: PortcullisClientError;
}

const FOCUS_DEBOUNCE_MS = 100;

export function createSessionStore(options: SessionStoreOptions): WritableSessionStore {
  let serverState = options.initial === undefined ? LOADING : stateOf(options.initial);
  let state = serverState;
  // a server-provided session counts as a fresh answer: hydration fetches nothing
  let answer: Answer | null = options.initial === undefined ? null : { data: options.initial };
  let answeredAt = Date.now();
  // every set() or invalidate() starts a generation: a read begun before it answers too late
  let generation = 0;
  let inFlight: {
    generation: number;
    promise: Promise<SessionData | null>;
    /** What `refresh()` answers while this read is in flight: one promise for every caller. */
    settled: Promise<SessionState>;
  } | null = null;
  const listeners = new Set<() => void>();

  function publish(next: SessionState) {
    if (sameState(state, next)) return;
    state = next;
    for (const listener of [...listeners]) listener();
  }

  function settle(settled: Answer) {
    answer = settled;
    answeredAt = Date.now();
    // a 401 is an answer ("not signed in"), not a failure the UI should show
    publish(stateOf(settled.data));
  }

  function fail(error: unknown) {
    if (error instanceof PortcullisClientError && error.status === 401) {
      settle({ data: null, error });
      return;
    }
    // no answer (the network, a 5xx): not remembered, and no reason to sign a signed-in user out
    if (state.status === 'authenticated') return;
    const reason =
      error instanceof PortcullisClientError
        ? error
        : new PortcullisClientError('network_error', { status: 0, cause: error });
    publish({ status: 'unauthenticated', data: null, error: reason });
  }

  function current() {
    return inFlight && inFlight.generation === generation ? inFlight : null;
  }

  function load(force: boolean): Promise<SessionData | null> {
    const shared = current();
    if (shared) return shared.promise;
    if (!force && answer && Date.now() - answeredAt < options.dedupeMs) {
      return answer.error ? Promise.reject(answer.error) : Promise.resolve(answer.data);
    }
    const started = generation;
    const promise = options
      .ready()
      .then(() => (options.hasCredentials() ? options.fetchSession() : null))
      .then(
        (data) => {
          if (started === generation) settle({ data });
          return data;
        },
        (error: unknown) => {
          if (started === generation) fail(error);
          throw error;
        },
      )
      .finally(() => {
        if (inFlight?.promise === promise) inFlight = null;
      });
    const settled = promise.then(
      () => state,
      () => state,
    );
    inFlight = { generation: started, promise, settled };
    return promise;
  }

  const store: WritableSessionStore = {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    getSnapshot: () => state,
    getServerSnapshot: () => serverState,
    refresh({ force = false } = {}) {
      const loading = load(force);
      const shared = current();
      if (shared?.promise === loading) return shared.settled;
      return loading.then(
        () => state,
        () => state,
      );
    },
    async read({ force = false } = {}) {
      const data = await load(force);
      if (data) return data;
      throw new PortcullisClientError('unauthenticated', { status: 401, detail: 'not signed in' });
    },
    hydrate(data) {
      if (answer || state.status !== 'loading') return;
      answer = { data };
      answeredAt = Date.now();
      // what the server rendered with, from now on the server snapshot too
      serverState = stateOf(data);
      publish(serverState);
    },
    set(data) {
      generation++;
      settle({ data });
    },
    invalidate() {
      generation++;
      answer = null;
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
    timer = setTimeout(refresh, FOCUS_DEBOUNCE_MS);
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
