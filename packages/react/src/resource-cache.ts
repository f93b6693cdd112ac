/**
 * What the data hooks read: one entry per key (`members:<tenantId>:50`), fetched once however many
 * components mount it, kept until a mutation invalidates it. Deliberately small: the lists an auth
 * UI shows are short and change when this UI changes them.
 *
 * Keys are `:`-separated segments. Keys starting with {@link PUBLIC_KEY_PREFIX} hold data that is
 * the same for every visitor (the OAuth providers): they survive {@link ResourceCache.clear}.
 */
export interface ResourceEntry<T = unknown> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly status: 'idle' | 'loading' | 'success' | 'error';
}

/** Keys of data that does not depend on who is signed in. */
export const PUBLIC_KEY_PREFIX = 'public:';

const IDLE: ResourceEntry = { data: undefined, error: undefined, status: 'idle' };

interface Slot {
  entry: ResourceEntry;
  promise: Promise<void> | null;
  fetcher: (() => Promise<unknown>) | null;
  listeners: Set<() => void>;
  stale: boolean;
  /**
   * Bumped by every fetch, write, invalidation and clear: an answer that started before any of
   * them is older than what the slot holds, and is dropped.
   */
  version: number;
}

export class ResourceCache {
  readonly #slots = new Map<string, Slot>();

  #slot(key: string): Slot {
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = { entry: IDLE, promise: null, fetcher: null, listeners: new Set(), stale: true, version: 0 };
      this.#slots.set(key, slot);
    }
    return slot;
  }

  get<T>(key: string): ResourceEntry<T> {
    return (this.#slots.get(key)?.entry ?? IDLE) as ResourceEntry<T>;
  }

  subscribe(key: string, listener: () => void): () => void {
    const slot = this.#slot(key);
    slot.listeners.add(listener);
    return () => {
      slot.listeners.delete(listener);
    };
  }

  /** Fetches `key` unless a fetch is under way or the data is fresh; concurrent callers share one. */
  load(key: string, fetcher: () => Promise<unknown>, { force = false } = {}): Promise<void> {
    const slot = this.#slot(key);
    slot.fetcher = fetcher;
    if (slot.promise) return slot.promise;
    if (!force && !slot.stale) return Promise.resolve();
    slot.stale = false;
    const version = ++slot.version;
    this.#set(slot, { data: slot.entry.data, error: undefined, status: 'loading' });
    const promise = fetcher().then(
      (data) => {
        if (slot.version === version) this.#set(slot, { data, error: undefined, status: 'success' });
      },
      (error: unknown) => {
        if (slot.version === version) this.#set(slot, { data: slot.entry.data, error, status: 'error' });
      },
    );
    slot.promise = promise.finally(() => {
      if (slot.version === version) slot.promise = null;
    });
    return slot.promise;
  }

  /**
   * Replaces a key's data with an answer that carried the new state. A fetch still under way
   * started before it, so its answer is dropped.
   */
  write<T>(key: string, update: (data: T | undefined) => T): void {
    const slot = this.#slot(key);
    const data = update(slot.entry.data as T | undefined);
    this.#supersede(slot);
    slot.stale = false;
    this.#set(slot, { data, error: undefined, status: 'success' });
  }

  /**
   * Writes `next` only if the key still holds `expected` (the data a follow-up fetch such as the
   * next page was based on); answers whether it did. A refresh or a second "load more" that
   * landed meanwhile wins.
   */
  writeIf<T>(key: string, expected: T | undefined, next: T): boolean {
    const slot = this.#slots.get(key);
    if (!slot || slot.entry.data !== expected || slot.promise) return false;
    this.write<T>(key, () => next);
    return true;
  }

  /**
   * Marks stale every key `prefix` names and re-fetches those a component shows; the old data
   * stays on screen meanwhile. A prefix ending in `:` matches every key starting with it; any
   * other prefix matches whole segments (`roles:t1` matches `roles:t1` and `roles:t1:x`, never
   * `roles:t10`).
   */
  invalidate(prefix: string): Promise<void> {
    const reloads: Promise<void>[] = [];
    for (const [key, slot] of this.#slots) {
      if (!matches(key, prefix)) continue;
      this.#supersede(slot);
      if (slot.listeners.size > 0 && slot.fetcher) reloads.push(this.load(key, slot.fetcher));
    }
    return Promise.all(reloads).then(() => undefined);
  }

  /**
   * Forgets everything but public data (the signed-in user changed: the next one must not see the
   * last one's lists). Answers still under way are dropped; keys nobody shows are deleted, so a
   * long-lived page does not accumulate them. Components showing a key fetch again when their
   * hook sees the new user.
   */
  clear(): void {
    for (const [key, slot] of this.#slots) {
      if (key.startsWith(PUBLIC_KEY_PREFIX)) continue;
      this.#supersede(slot);
      if (slot.listeners.size === 0) this.#slots.delete(key);
      else this.#set(slot, IDLE);
    }
  }

  #supersede(slot: Slot) {
    slot.stale = true;
    slot.promise = null;
    slot.version++;
  }

  #set(slot: Slot, entry: ResourceEntry) {
    slot.entry = entry;
    for (const listener of [...slot.listeners]) listener();
  }
}

function matches(key: string, prefix: string): boolean {
  if (prefix.endsWith(':')) return key.startsWith(prefix);
  return key === prefix || key.startsWith(`${prefix}:`);
}
