/**
 * The entities of one level in the scope, one row each, with CPU (and % of request and limit),
 * memory (% of limit), restarts, network, latency and errors. Sort by any column, search and
 * filter (`cpu>0.5 mem%>80`), click to drill down. The table is held by column in typed arrays
 * (table-model.ts) and only the rows on screen are rendered, so 10,000 stay smooth.
 */
import { useEffect, useMemo, useState } from 'react';
import { columnQueries } from '../lib/explore-queries.js';
import { formatValue } from '../lib/format.js';
import type { Unit } from '../lib/format.js';
import { parseSearch } from '../lib/table.js';
import type { ParsedSearch, Row, RowKey } from '../lib/table.js';
import type { ViewProps } from './App.js';
import { useColumns } from './use-columns.js';

interface Column {
  readonly key: RowKey | 'name';
  readonly title: string;
  readonly unit: Unit;
  readonly bar?: boolean;
  readonly hint: string;
}

const COLUMNS: readonly Column[] = [
  { key: 'cpu', title: 'CPU', unit: 'cores', hint: 'cores used (rate of container_cpu_usage_seconds_total)' },
  { key: 'cpuPctReq', title: '% req', unit: 'percent', bar: true, hint: 'CPU used, % of the CPU request' },
  { key: 'cpuPctLim', title: '% lim', unit: 'percent', bar: true, hint: 'CPU used, % of the CPU limit' },
  { key: 'mem', title: 'Memory', unit: 'bytes', hint: 'working set' },
  { key: 'memPctLim', title: '% lim', unit: 'percent', bar: true, hint: 'working set, % of the memory limit' },
  { key: 'restarts', title: 'Restarts', unit: 'count', hint: 'container restarts in the time range' },
  { key: 'net', title: 'Network', unit: 'bytesPerS', hint: 'received + transmitted' },
  { key: 'latency', title: 'Latency', unit: 'seconds', hint: 'p95 request latency (histogram); the mean where a service has no buckets' },
  { key: 'errors', title: 'Errors', unit: 'ratio', hint: 'share of 5xx responses' },
];

const ROW_HEIGHT_PX = 30;
const VIEW_ROWS = 14;
/** Rows rendered: the view and 5 above and below it. */
const SLOTS = VIEW_ROWS + 10;
const NO_SEARCH: ParsedSearch = { text: '', filters: [], errors: [] };

interface Props extends ViewProps {
  readonly by: string;
  readonly scope: Readonly<Record<string, string>>;
  readonly title: string;
  readonly rateMs: number;
  readonly onOpen: (name: string) => void;
  /** Called once every column query of this level and scope has answered. */
  readonly onComplete?: () => void;
}

export function EntityTable({ state, window: win, update, by, scope, title, rateMs, onOpen, onComplete }: Props): React.JSX.Element {
  const scopeKey = JSON.stringify([by, scope]);
  const queries = useMemo(() => columnQueries({ by, scope, rateMs, rangeMs: win.endMs - win.startMs }), [scopeKey, rateMs, win.endMs - win.startMs]);
  const cols = useColumns(scopeKey, queries, by, win.endMs, state.sort.column);
  const { model, version, complete } = cols;
  useEffect(() => {
    if (complete) onComplete?.();
  }, [complete, scopeKey]);
  const [scrollTop, setScrollTop] = useState(0);
  const search = useMemo(() => parseSearch(state.search), [state.search]);
  // Row indices, filtered then sorted: typed arrays, recomputed only when a column, the search or the sort changes.
  const selected = useMemo(() => model.select(search), [model, version, search]);
  const order = useMemo(() => model.order(selected, state.sort.column, state.sort.descending), [model, selected, state.sort]);
  const total = useMemo(() => model.select(NO_SEARCH).length, [model, version]);
  const present = useMemo(() => COLUMNS.filter((c) => model.has(c.key as RowKey)), [model, version]);
  const hasData = total > 0 || complete;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT_PX) - 5);
  const visible = Array.from(order.subarray(first, first + SLOTS), (i) => model.row(i));
  const sortBy = (col: string): void => update({ sort: { column: col, descending: state.sort.column === col ? !state.sort.descending : col !== 'name' } }, false);
  const arrow = (col: string): string => (state.sort.column === col ? (state.sort.descending ? ' ▾' : ' ▴') : '');
  return (
    <div className="entity-table" data-testid="entity-table" data-complete={complete ? 'true' : 'false'} data-sort={`${state.sort.descending ? '-' : ''}${state.sort.column}`}>
      <div className="table-head">
        <h2>{title} <span className="muted">{!hasData ? 'loading…' : `${order.length}${order.length !== total ? ` of ${total}` : ''}`}</span>{!complete && hasData && <span className="muted small"> · {cols.pending} columns loading</span>}</h2>
        <input
          className="search"
          type="search"
          placeholder="Search names, or filter: cpu>0.5 mem%>80 restarts>0 latency>200ms"
          value={state.search}
          onChange={(e) => update({ search: e.target.value }, false)}
          aria-label="search"
        />
      </div>
      {search.errors.length > 0 && <div className="error">{search.errors.join('; ')}</div>}
      {cols.errors.length > 0 && <div className="error">{cols.errors.length === queries.length ? 'The table could not be loaded' : 'Some columns failed'}: {cols.errors.join('; ')}</div>}
      <div className="grid-header" style={{ gridTemplateColumns: gridColumns(present.length) }}>
        <button onClick={() => sortBy('name')}>Name{arrow('name')}</button>
        {present.map((c) => <button key={c.key} className="num" title={c.hint} onClick={() => sortBy(c.key)}>{c.title}{arrow(c.key)}</button>)}
      </div>
      <div className="grid-body" style={{ height: Math.min(order.length, VIEW_ROWS) * ROW_HEIGHT_PX + 2 }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
        <div style={{ height: order.length * ROW_HEIGHT_PX, position: 'relative' }}>
          {visible.map((r, i) => (
            // Keyed by slot, not name: a sort or a scroll refills the same elements instead of replacing them.
            <div key={(first + i) % SLOTS} className="grid-row" role="row" data-name={r.name} style={{ top: (first + i) * ROW_HEIGHT_PX, gridTemplateColumns: gridColumns(present.length) }} onClick={() => onOpen(r.name)}>
              <a className="name" href="#" onClick={(e) => e.preventDefault()} title={r.name}>{r.name}</a>
              {present.map((c) => <Cell key={c.key} row={r} col={c} max={model.maxOf(c.key as RowKey)} />)}
            </div>
          ))}
        </div>
      </div>
      {hasData && order.length === 0 && <div className="empty">{total === 0 ? `No ${title.toLowerCase()} with data in this range.` : 'Nothing matches the search.'}</div>}
    </div>
  );
}

function gridColumns(n: number): string {
  return `minmax(220px, 2.4fr) repeat(${n}, minmax(72px, 1fr))`;
}

function Cell({ row, col, max }: { row: Row; col: Column; max: number }): React.JSX.Element {
  const v = row.values[col.key as RowKey];
  const hot = (col.key === 'cpuPctLim' || col.key === 'memPctLim') && v !== undefined && v >= 90;
  const width = v === undefined ? 0 : col.bar ? Math.min(100, v) : max > 0 ? (100 * v) / max : 0;
  return (
    <span className={`num${hot ? ' hot' : ''}`} data-col={col.key} data-value={v ?? ''}>
      {v !== undefined && <span className={col.bar ? 'bar pct' : 'bar'} style={{ width: `${width}%` }} />}
      <span className="v">{formatValue(v, col.unit)}</span>
    </span>
  );
}
