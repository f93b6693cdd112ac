import { AsyncLocalStorage } from 'node:async_hooks';
import type { LogFields } from '../ports/logger.js';

// One store per process: a request's bindings reach every log line written while it is served,
// however deep the call (a cache, a storage wrapper) that writes it.
const scope = new AsyncLocalStorage<LogFields>();

/** Runs `fn` with `bindings` added to every log line written inside it (nested scopes add up). */
export function runInLogScope<T>(bindings: LogFields, fn: () => T): T {
  const outer = scope.getStore();
  return scope.run(outer ? { ...outer, ...bindings } : bindings, fn);
}

/** The bindings of the scope the caller runs in (a request id, a trace id), or none. */
export function currentLogScope(): LogFields | undefined {
  return scope.getStore();
}
