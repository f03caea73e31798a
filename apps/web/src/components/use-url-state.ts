/** The app state held in the URL: read on load and on back/forward, written on every change. */
import { useCallback, useEffect, useState } from 'react';
import { formatState, parseState } from '../lib/url-state.js';
import type { AppState } from '../lib/url-state.js';

export interface UrlState {
  readonly state: AppState;
  readonly problems: readonly string[];
  /** Applies a change; `push` adds a history entry (navigation), else the entry is replaced (typing). */
  readonly update: (change: Partial<AppState>, push?: boolean) => void;
}

export function useUrlState(): UrlState {
  const [parsed, setParsed] = useState(() => parseState(window.location.search));
  useEffect(() => {
    const onPop = (): void => setParsed(parseState(window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const update = useCallback((change: Partial<AppState>, push = true) => {
    setParsed((prev) => {
      const state = { ...prev.state, ...change };
      const url = `${window.location.pathname}${formatState(state)}`;
      if (push) window.history.pushState(null, '', url);
      else window.history.replaceState(null, '', url);
      return { state, problems: [] };
    });
  }, []);
  return { state: parsed.state, problems: parsed.problems, update };
}

/** Milliseconds now, refreshed every `intervalMs` while `live`. */
export function useNow(live: boolean, intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return;
    setNow(Date.now());
    const id = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(id);
  }, [live, intervalMs]);
  return now;
}
