import { useCallback, useRef, useState } from 'react';

/** What {@link useAsyncAction} returns. */
export interface AsyncAction<Args extends unknown[], Result> {
  /** Runs the action; resolves its result, or `undefined` when it failed (the error is in `error`). */
  run(...args: Args): Promise<Result | undefined>;
  isPending: boolean;
  /** The last run's error (usually a `PortcullisClientError`), shown next to the control. */
  error: unknown;
  reset(): void;
}

/**
 * One control's call to the server: pending state (to disable the control), and the error to show
 * beside it. A second run while one is pending is ignored (a double click sends one request).
 */
export function useAsyncAction<Args extends unknown[], Result>(
  action: (...args: Args) => Promise<Result>,
): AsyncAction<Args, Result> {
  const [isPending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const pending = useRef(false);
  const latest = useRef(action);
  latest.current = action;
  const run = useCallback(async (...args: Args) => {
    if (pending.current) return undefined;
    pending.current = true;
    setPending(true);
    setError(undefined);
    try {
      return await latest.current(...args);
    } catch (caught) {
      setError(caught);
      return undefined;
    } finally {
      pending.current = false;
      setPending(false);
    }
  }, []);
  const reset = useCallback(() => setError(undefined), []);
  return { run, isPending, error, reset };
}
