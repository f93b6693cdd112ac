import type { PortcullisClient, SessionData, SessionState } from '@portcullis/client';
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import { ResourceCache } from './resource-cache.js';

interface PortcullisContextValue {
  client: PortcullisClient;
  cache: ResourceCache;
  /** The session state the server rendered with (server snapshot of every session hook). */
  serverSession: SessionState;
  activeTenantId: string | null;
  setActiveTenant(tenantId: string | null): void;
}

const PortcullisContext = createContext<PortcullisContextValue | null>(null);

/** Props of {@link PortcullisProvider}. */
export interface PortcullisProviderProps {
  /** A client from `createPortcullisClient`. */
  client: PortcullisClient;
  /**
   * The session the server rendered with (from `getInitialSession()` of `@portcullis/nextjs`, or
   * the body of `GET /session`), `null` when signed out. With it, hydration fetches nothing and
   * the first client render equals the server's.
   */
  initialSession?: SessionData | null;
  /**
   * The active tenant, when the app keeps it in the URL (`/orgs/[tenantId]/…`): pass it, and
   * navigate in `onActiveTenantChange`. Without it the provider keeps it in React state.
   */
  activeTenantId?: string | null;
  /** Called by `setActiveTenant`, e.g. to push the new tenant's URL. */
  onActiveTenantChange?: (tenantId: string | null) => void;
  children?: ReactNode;
}

/**
 * Makes a Portcullis client available to the hooks and components below it.
 *
 * @example
 * const client = createPortcullisClient({ baseUrl: '/api/auth' });
 *
 * export function Providers({ session, children }) {
 *   return (
 *     <PortcullisProvider client={client} initialSession={session}>
 *       {children}
 *     </PortcullisProvider>
 *   );
 * }
 */
export function PortcullisProvider(props: PortcullisProviderProps) {
  const { client, initialSession, children } = props;
  // one cache per client and provider: on the server each request renders its own provider
  const [cache] = useState(() => new ResourceCache());
  const [serverSession] = useState(() =>
    initialSession === undefined ? client.session.getServerSnapshot() : stateOf(initialSession),
  );
  // in the browser the store adopts the server's session before the first render reads it, so
  // the hydrating render and the store agree; on the server the store is never written (a client
  // created at module scope is shared by every request there)
  useState(() => {
    if (typeof window !== 'undefined' && initialSession !== undefined) hydrate(client, initialSession);
  });
  const [ownTenantId, setOwnTenantId] = useState<string | null>(null);
  const controlled = props.activeTenantId !== undefined;
  const activeTenantId = controlled ? (props.activeTenantId ?? null) : ownTenantId;
  const { onActiveTenantChange } = props;

  // a different user must not see the last one's lists
  // (not when the first session answer arrives: the lists fetched meanwhile went out with the
  // same cookie, and clearing them would drop their answers with nothing left to fetch them again)
  useEffect(() => {
    let userId = userIdOf(client.session.getSnapshot());
    return client.session.subscribe(() => {
      const next = userIdOf(client.session.getSnapshot());
      if (next === undefined) return;
      if (userId !== undefined && next !== userId) cache.clear();
      userId = next;
    });
  }, [client, cache]);

  const value = useMemo<PortcullisContextValue>(
    () => ({
      client,
      cache,
      serverSession,
      activeTenantId,
      setActiveTenant(tenantId) {
        if (!controlled) setOwnTenantId(tenantId);
        onActiveTenantChange?.(tenantId);
      },
    }),
    [client, cache, serverSession, activeTenantId, controlled, onActiveTenantChange],
  );
  return <PortcullisContext.Provider value={value}>{children}</PortcullisContext.Provider>;
}

/** The provider's context; throws outside a {@link PortcullisProvider}. */
export function usePortcullis(): PortcullisContextValue {
  const value = useContext(PortcullisContext);
  if (!value) throw new Error('Portcullis hooks and components need a <PortcullisProvider> above them');
  return value;
}

/** The client of the nearest {@link PortcullisProvider}. */
export function usePortcullisClient(): PortcullisClient {
  return usePortcullis().client;
}

/** The signed-in user's id, null when signed out, undefined while not known yet. */
function userIdOf(state: SessionState): string | null | undefined {
  if (state.status === 'loading') return undefined;
  return state.data?.user.id ?? null;
}

function stateOf(data: SessionData | null): SessionState {
  return data
    ? { status: 'authenticated', data, error: null }
    : { status: 'unauthenticated', data: null, error: null };
}

function hydrate(client: PortcullisClient, data: SessionData | null) {
  if (client.session.getSnapshot().status === 'loading') client.session.hydrate(data);
}
