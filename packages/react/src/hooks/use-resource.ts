import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react';
import { usePortcullis } from '../portcullis-provider.js';
import { PUBLIC_KEY_PREFIX, type ResourceEntry } from '../resource-cache.js';
import { useSessionState } from './use-session-state.js';

const IDLE: ResourceEntry<never> = { data: undefined, error: undefined, status: 'idle' };
const noSubscription = () => () => {};

/** What every data hook returns, plus its own actions. */
export interface ResourceResult<T> {
  data: T | undefined;
  /** The last fetch's error (a `PortcullisClientError`), while the old data stays. */
  error: unknown;
  /** True until the first answer (and while the session itself is not known yet). */
  isLoading: boolean;
  /** True while any fetch is under way. */
  isFetching: boolean;
  refresh(): Promise<void>;
}

/**
 * Reads `key` from the provider's cache, fetching it once however many components show it.
 * `key` null: nothing to fetch yet (no tenant chosen). Data that needs a signed-in user (every key
 * not starting with `public:`) is fetched only once the session is known and signed in, and again
 * when the user changes. Fetches start in effects only, never while rendering (on the server
 * nothing is fetched).
 */
export function useResource<T>(key: string | null, fetcher: () => Promise<T>): ResourceResult<T> {
  return useCachedResource(key, fetcher).result;
}

/** {@link useResource}, plus the key it reads now (null while signed out). */
function useCachedResource<T>(
  key: string | null,
  fetcher: () => Promise<T>,
): { result: ResourceResult<T>; activeKey: string | null } {
  const { cache } = usePortcullis();
  const session = useSessionState();
  const userId = session.data?.user.id ?? null;
  const isPublic = key?.startsWith(PUBLIC_KEY_PREFIX) ?? false;
  const activeKey = key !== null && (isPublic || userId !== null) ? key : null;
  const waitingForSession = key !== null && !isPublic && session.status === 'loading';

  // the latest closure (it reads the latest tenant id, limit...) without re-subscribing per render
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const subscribe = useCallback(
    (listener: () => void) => (activeKey ? cache.subscribe(activeKey, listener) : noSubscription()),
    [cache, activeKey],
  );
  const getSnapshot = useCallback(() => (activeKey ? cache.get<T>(activeKey) : IDLE), [cache, activeKey]);
  const entry = useSyncExternalStore(subscribe, getSnapshot, () => IDLE as ResourceEntry<T>);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the provider empties the cache when the user changes, and the same key must then be fetched again for the new user
  useEffect(() => {
    if (activeKey) void cache.load(activeKey, () => fetcherRef.current());
  }, [cache, activeKey, userId]);
  const refresh = useCallback(
    () =>
      activeKey ? cache.load(activeKey, () => fetcherRef.current(), { force: true }) : Promise.resolve(),
    [cache, activeKey],
  );
  return {
    activeKey,
    result: {
      data: entry.data,
      error: entry.error,
      isLoading:
        waitingForSession || (activeKey !== null && entry.data === undefined && entry.status !== 'error'),
      isFetching: entry.status === 'loading',
      refresh,
    },
  };
}

/** A page of a cursor-paged list route. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** What a paged data hook returns. */
export interface PagedResult<T> extends Omit<ResourceResult<Page<T>>, 'data'> {
  items: T[];
  hasMore: boolean;
  /**
   * Fetches the next page and appends it. A second call while one is under way, or a refresh
   * meanwhile, never appends a page twice.
   */
  loadMore(): Promise<void>;
}

/** {@link useResource} over a cursor-paged list: `items` grows with `loadMore()`. */
export function usePagedResource<T>(
  key: string | null,
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
): PagedResult<T> {
  const { cache } = usePortcullis();
  const { result, activeKey } = useCachedResource(key, () => fetchPage(undefined));
  // a scroll handler calls loadMore many times a second: one request per page
  const pending = useRef<{ key: string; promise: Promise<void> } | null>(null);
  const loadMore = useCallback(() => {
    if (!activeKey) return Promise.resolve();
    if (pending.current?.key === activeKey) return pending.current.promise;
    const before = cache.get<Page<T>>(activeKey).data;
    const cursor = before?.nextCursor;
    if (!before || !cursor) return Promise.resolve();
    const promise = fetchPage(cursor)
      .then((next) => {
        // only onto the page it continues: a refresh meanwhile restarted the list
        cache.writeIf<Page<T>>(activeKey, before, {
          items: [...before.items, ...next.items],
          nextCursor: next.nextCursor,
        });
      })
      .finally(() => {
        if (pending.current?.promise === promise) pending.current = null;
      });
    pending.current = { key: activeKey, promise };
    return promise;
  }, [cache, activeKey, fetchPage]);
  return {
    items: result.data?.items ?? [],
    hasMore: Boolean(result.data?.nextCursor),
    error: result.error,
    isLoading: result.isLoading,
    isFetching: result.isFetching,
    refresh: result.refresh,
    loadMore,
  };
}
