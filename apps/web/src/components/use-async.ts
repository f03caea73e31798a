/**
 * Runs an async loader when its key changes; aborts the previous run; keeps the last data while
 * loading. While `enabled` is false nothing runs (and the state says loading).
 */
import { useEffect, useState } from 'react';

export interface AsyncState<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly loading: boolean;
}

export function useAsync<T>(key: string, load: (signal: AbortSignal) => Promise<T>, enabled = true): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ data: undefined, error: undefined, loading: true });
  useEffect(() => {
    if (!enabled) return;
    const ac = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(ac.signal).then(
      (data) => { if (!ac.signal.aborted) setState({ data, error: undefined, loading: false }); },
      (err: unknown) => { if (!ac.signal.aborted) setState((s) => ({ data: s.data, error: (err as Error).message, loading: false })); },
    );
    return () => ac.abort();
  }, [key, enabled]);
  return state;
}
