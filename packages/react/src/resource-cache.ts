/**
 * What the data hooks read: one entry per key (`members:<tenantId>`), fetched once however many
 * components mount it, kept until a mutation invalidates its prefix. Deliberately small: the
 * lists an auth UI shows are short and change when this UI changes them.
 */
export interface ResourceEntry<T = unknown> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly status: 'idle' | 'loading' | 'success' | 'error';
}

const IDLE: ResourceEntry = { data: undefined, error: undefined, status: 'idle' };

interface Slot {
  entry: ResourceEntry;
  promise: Promise<void> | null;
  fetcher: (() => Promise<unknown>) | null;
  listeners: Set<() => void>;
  stale: boolean;
  /** Bumped by every fetch and invalidation: an older answer never overwrites a newer state. */
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
    return () => slot.listeners.delete(listener);
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

  /** Replaces a key's data (an answer that carried the new state). */
  write<T>(key: string, update: (data: T | undefined) => T): void {
    const slot = this.#slot(key);
    this.#set(slot, { data: update(slot.entry.data as T | undefined), error: undefined, status: 'success' });
  }

  /**
   * Marks every key starting with `prefix` stale and re-fetches those a component shows; the
   * old data stays on screen meanwhile.
   */
  invalidate(prefix: string): Promise<void> {
    const reloads: Promise<void>[] = [];
    for (const [key, slot] of this.#slots) {
      if (!key.startsWith(prefix)) continue;
      slot.stale = true;
      slot.promise = null;
      slot.version++;
      if (slot.listeners.size > 0 && slot.fetcher) reloads.push(this.load(key, slot.fetcher));
    }
    return Promise.all(reloads).then(() => undefined);
  }

  /** Forgets everything (sign-out: the next user must not see the last one's lists). */
  clear(): void {
    for (const slot of this.#slots.values()) {
      slot.stale = true;
      slot.promise = null;
      slot.version++;
      this.#set(slot, IDLE);
    }
  }

  #set(slot: Slot, entry: ResourceEntry) {
    slot.entry = entry;
    for (const listener of [...slot.listeners]) listener();
  }
}
