import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react';
import { usePortcullis } from '../portcullis-provider.js';
import type { ResourceEntry } from '../resource-cache.js';

const IDLE: ResourceEntry<never> = { data: undefined, error: undefined, status: 'idle' };
const noSubscription = () => () => {};

/** What every data hook returns, plus its own actions. */
export interface ResourceResult<T> {
  data: T | undefined;
  /** The last fetch's error (a `PortcullisClientError`), while the old data stays. */
  error: unknown;
  /** True until the first answer. */
  isLoading: boolean;
  /** True while any fetch is under way. */
  isFetching: boolean;
  refresh(): Promise<void>;
}

/**
 * Reads `key` from the provider's cache, fetching it once however many components show it.
 * `key` null: nothing to fetch yet (no tenant chosen, signed out).
 */
export function useResource<T>(key: string | null, fetcher: () => Promise<T>): ResourceResult<T> {
  const { cache } = usePortcullis();
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const subscribe = useCallback(
    (listener: () => void) => (key ? cache.subscribe(key, listener) : noSubscription()),
    [cache, key],
  );
  const getSnapshot = useCallback(() => (key ? cache.get<T>(key) : IDLE), [cache, key]);
  const entry = useSyncExternalStore(subscribe, getSnapshot, () => IDLE as ResourceEntry<T>);
  useEffect(() => {
    if (key) void cache.load(key, () => fetcherRef.current());
  }, [cache, key]);
  const refresh = useCallback(
    () => (key ? cache.load(key, () => fetcherRef.current(), { force: true }) : Promise.resolve()),
    [cache, key],
  );
  return {
    data: entry.data,
    error: entry.error,
    isLoading: key !== null && entry.data === undefined && entry.status !== 'error',
    isFetching: entry.status === 'loading',
    refresh,
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
  /** Fetches the next page and appends it. */
  loadMore(): Promise<void>;
}

/** {@link useResource} over a cursor-paged list: `items` grows with `loadMore()`. */
export function usePagedResource<T>(
  key: string | null,
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
): PagedResult<T> {
  const { cache } = usePortcullis();
  const result = useResource(key, () => fetchPage(undefined));
  const loadMore = useCallback(async () => {
    if (!key) return;
    const cursor = cache.get<Page<T>>(key).data?.nextCursor;
    if (!cursor) return;
    const next = await fetchPage(cursor);
    cache.write<Page<T>>(key, (page) => ({
      items: [...(page?.items ?? []), ...next.items],
      nextCursor: next.nextCursor,
    }));
  }, [cache, key, fetchPage]);
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
