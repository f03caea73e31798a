/**
 * The Explore table's column queries, shown as each answers: at 10,000 entities the columns take
 * the server seconds each, and the table is usable (rows, sort, search) from the first one on.
 * A new level or scope starts empty; a new time window keeps the previous values until each
 * column's new answer replaces them (no flicker in live mode).
 */
import { useEffect, useState } from 'react';
import type { ColumnId, ColumnQuery } from '../lib/explore-queries.js';
import { instantQuery } from '../lib/prom-client.js';
import type { ColumnResult } from '../lib/table.js';

export interface ColumnsState {
  readonly results: ReadonlyMap<ColumnId, ColumnResult>;
  readonly errors: readonly string[];
  /** Queries not answered yet for the current key. */
  readonly pending: number;
}

/**
 * `scopeKey` identifies the level and scope (a change clears the table); `key` everything the
 * queries depend on.
 */
export function useColumns(scopeKey: string, key: string, queries: readonly ColumnQuery[], by: string, atMs: number): ColumnsState {
  const [state, setState] = useState<ColumnsState & { scopeKey: string }>({ scopeKey, results: new Map(), errors: [], pending: queries.length });
  useEffect(() => {
    const ac = new AbortController();
    setState((s) => ({ scopeKey, results: s.scopeKey === scopeKey ? s.results : new Map(), errors: [], pending: queries.length }));
    for (const q of queries) {
      instantQuery(q.expr, atMs, ac.signal).then(
        (r) => {
          if (ac.signal.aborted) return;
          const col: ColumnResult = new Map(r.result.map((s) => [s.metric[by] ?? '', Number(s.value[1])]));
          setState((s) => ({ ...s, results: new Map(s.results).set(q.id, col), pending: s.pending - 1 }));
        },
        (err: unknown) => {
          if (ac.signal.aborted) return;
          setState((s) => ({ ...s, errors: [...s.errors, `${q.id}: ${(err as Error).message}`], pending: s.pending - 1 }));
        },
      );
    }
    return () => ac.abort();
  }, [key]);
  // Until the effect has run for a new scope, show nothing of the old one.
  return state.scopeKey === scopeKey ? state : { results: new Map(), errors: [], pending: queries.length };
}
