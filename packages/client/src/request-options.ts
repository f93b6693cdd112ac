/** Per-call options every method takes last. */
export interface RequestOptions {
  /** Aborts the request. */
  signal?: AbortSignal;
  /** Extra request headers (never `cookie` or `authorization`: the transport sets those). */
  headers?: Record<string, string>;
}
