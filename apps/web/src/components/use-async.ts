/**
 * Runs an async loader when its key changes; keeps the last data while loading. A new key aborts
 * the running load, unless both share a `group` (live mode: only the clock moved), in which case
 * the running load finishes and the newest key runs after it (lib/latest-run.ts). While `enabled`
 * is false nothing runs (and the state says loading).
 */
import { useEffect, useRef, useState } from 'react';
import { LatestRun } from '../lib/latest-run.js';

export interface AsyncState<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly loading: boolean;
}

export function useAsync<T>(key: string, load: (signal: AbortSignal) => Promise<T>, enabled = true, group?: string): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ data: undefined, error: undefined, loading: true });
  const runner = useRef<LatestRun<T> | undefined>(undefined);
  useEffect(() => {
    const r = new LatestRun<T>(
      () => setState((s) => (s.loading ? s : { ...s, loading: true })),
      (res) => setState((s) => (res.error === undefined ? { data: res.data, error: undefined, loading: r.waitingKey !== undefined } : { data: s.data, error: res.error, loading: r.waitingKey !== undefined })),
    );
    runner.current = r;
    return () => r.stop();
  }, []);
  useEffect(() => {
    if (!enabled) return;
    runner.current?.request(key, group ?? key, load);
  }, [key, enabled]);
  return state;
}
