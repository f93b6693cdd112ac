import type { PortcullisClient, SessionData, SessionState } from '@portcullis/client';
import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef, useState } from 'react';
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
  // one cache per client and provider: on the server each request renders its own provider, and
  // another client (another server) starts empty
  const [owned, setOwned] = useState(() => ({ client, cache: new ResourceCache() }));
  let cache = owned.cache;
  if (owned.client !== client) {
    cache = new ResourceCache();
    setOwned({ client, cache });
  }
  // in the browser the store adopts the server's session before the first render reads it, so
  // the hydrating render and the store agree; on the server the store is never written (a client
  // created at module scope is shared by every request there)
  const [serverSession] = useState(() => {
    if (initialSession === undefined) return client.session.getServerSnapshot();
    const rendered = stateOf(initialSession);
    if (typeof window === 'undefined') return rendered;
    if (client.session.getSnapshot().status === 'loading') client.session.hydrate(initialSession);
    // the store's own object when it holds the same session: React then finds nothing changed
    // after hydrating, and skips a second render
    const current = client.session.getSnapshot();
    return sameSession(current, rendered) ? current : rendered;
  });
  const [ownTenantId, setOwnTenantId] = useState<string | null>(null);
  const controlled = props.activeTenantId !== undefined;
  const activeTenantId = controlled ? (props.activeTenantId ?? null) : ownTenantId;
  // an inline callback must not give the context a new value (and every consumer a render) each time
  const onActiveTenantChange = useRef(props.onActiveTenantChange);
  useEffect(() => {
    onActiveTenantChange.current = props.onActiveTenantChange;
  });

  // a different user must not see the last one's lists, nor start in the last one's tenant (the
  // app's own URL decides when the tenant is controlled)
  useEffect(() => {
    let userId = client.session.getSnapshot().data?.user.id ?? null;
    return client.session.subscribe(() => {
      const next = client.session.getSnapshot().data?.user.id ?? null;
      if (next !== userId) {
        cache.clear();
        if (userId !== null) setOwnTenantId(null);
      }
      userId = next;
    });
  }, [client, cache]);

  // a server that renders again with another user or session (a server action signed in or out,
  // then router.refresh()) knows better than the store: read it again. Only a change counts: the
  // first render is hydration, and timestamps (last seen) move on every server render
  const renderedSession = useRef(initialSession);
  useEffect(() => {
    const previous = renderedSession.current;
    renderedSession.current = initialSession;
    if (initialSession === undefined || previous === undefined) return;
    if (identityOf(previous) !== identityOf(initialSession)) void client.session.refresh({ force: true });
  }, [client, initialSession]);

  const value = useMemo<PortcullisContextValue>(
    () => ({
      client,
      cache,
      serverSession,
      activeTenantId,
      setActiveTenant(tenantId) {
        if (!controlled) setOwnTenantId(tenantId);
        onActiveTenantChange.current?.(tenantId);
      },
    }),
    [client, cache, serverSession, activeTenantId, controlled],
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

function stateOf(data: SessionData | null): SessionState {
  return data
    ? { status: 'authenticated', data, error: null }
    : { status: 'unauthenticated', data: null, error: null };
}

function identityOf(data: SessionData | null): string {
  return data ? `${data.user.id}/${data.session.id}` : '';
}

function sameSession(a: SessionState, b: SessionState): boolean {
  return a.status === b.status && JSON.stringify(a.data) === JSON.stringify(b.data);
}
