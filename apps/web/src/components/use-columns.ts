/**
 * The Explore table's columns for one level and scope, shown as each answers (at 10,000
 * entities the table is usable from the first column on). Fetching and parsing run in a worker
 * (column-source.ts); rounds, order and concurrency in column-loader.ts. A new level or scope
 * starts an empty table; a new time keeps the values until each column's answer replaces them.
 */
import { useEffect, useMemo, useState } from 'react';
import { ColumnLoader } from '../lib/column-loader.js';
import { pageColumnSource } from '../lib/column-source.js';
import type { ColumnQuery } from '../lib/explore-queries.js';
import { loadOrder } from '../lib/explore-queries.js';
import type { TableModel } from '../lib/table-model.js';

export interface ColumnsState {
  readonly model: TableModel;
  /** Changes whenever the model or the loading state does. */
  readonly version: number;
  readonly errors: readonly string[];
  /** Columns not answered yet. */
  readonly pending: number;
  readonly complete: boolean;
}

/** `scopeKey` names the level and scope (a change starts a new table); `sortColumn` goes first. */
export function useColumns(scopeKey: string, queries: readonly ColumnQuery[], by: string, atMs: number, sortColumn: string): ColumnsState {
  const [version, setVersion] = useState(0);
  const loader = useMemo(() => new ColumnLoader(pageColumnSource(), by, () => setVersion((v) => v + 1)), [scopeKey]);
  useEffect(() => () => loader.stop(), [loader]);
  useEffect(() => loader.request(loadOrder(queries, sortColumn), atMs), [loader, queries, atMs]);
  return { model: loader.model, version, errors: loader.errors, pending: loader.pending, complete: loader.complete };
}
