/**
 * The entities of one level in the scope, one row each, with CPU (and % of request and limit),
 * memory (% of limit), restarts, network, latency and errors. Sort by any column, search and
 * filter (`cpu>0.5 mem%>80`), click to drill down. Rows are windowed so 10,000 stay smooth.
 */
import { useEffect, useMemo, useState } from 'react';
import { columnQueries } from '../lib/explore-queries.js';
import { formatValue } from '../lib/format.js';
import type { Unit } from '../lib/format.js';
import { filterRows, mergeRows, parseSearch, sortRows } from '../lib/table.js';
import type { Row, RowKey } from '../lib/table.js';
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
  const queries = useMemo(() => columnQueries({ by, scope, rateMs, rangeMs: win.endMs - win.startMs }), [scopeKey, rateMs, win.startMs, win.endMs]);
  const cols = useColumns(scopeKey, JSON.stringify([scopeKey, rateMs, win.startMs, win.endMs]), queries, by, win.endMs);
  const complete = cols.pending === 0;
  const data = useMemo(() => (cols.results.size > 0 || complete ? { rows: mergeRows(cols.results).filter((r) => r.name !== ''), errors: cols.errors } : undefined), [cols.results, cols.errors, complete]);
  const loading = !complete;
  useEffect(() => {
    if (complete) onComplete?.();
  }, [complete, scopeKey]);
  const [scrollTop, setScrollTop] = useState(0);
  const search = useMemo(() => parseSearch(state.search), [state.search]);
  const rows = useMemo(() => sortRows(filterRows(data?.rows ?? [], search), state.sort.column, state.sort.descending), [data, search, state.sort]);
  const present = useMemo(() => COLUMNS.filter((c) => (data?.rows ?? []).some((r) => r.values[c.key as RowKey] !== undefined)), [data]);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT_PX) - 5);
  const visible = rows.slice(first, first + VIEW_ROWS + 10);
  const sortBy = (col: string): void => update({ sort: { column: col, descending: state.sort.column === col ? !state.sort.descending : col !== 'name' } }, false);
  const arrow = (col: string): string => (state.sort.column === col ? (state.sort.descending ? ' ▾' : ' ▴') : '');
  // Bars are relative to the largest value of all rows (not recomputed on sort or search).
  const max = useMemo(() => Object.fromEntries(present.map((c) => [c.key, (data?.rows ?? []).reduce((m, r) => Math.max(m, r.values[c.key as RowKey] ?? 0), 0)])), [present, data]);
  return (
    <div className="entity-table" data-testid="entity-table" data-complete={complete ? 'true' : 'false'} data-sort={`${state.sort.descending ? '-' : ''}${state.sort.column}`}>
      <div className="table-head">
        <h2>{title} <span className="muted">{loading && !data ? 'loading…' : `${rows.length}${rows.length !== (data?.rows.length ?? 0) ? ` of ${data?.rows.length ?? 0}` : ''}`}</span>{loading && data && <span className="muted small"> · {cols.pending} columns loading</span>}</h2>
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
      <div className="grid-body" style={{ height: Math.min(rows.length, VIEW_ROWS) * ROW_HEIGHT_PX + 2 }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
        <div style={{ height: rows.length * ROW_HEIGHT_PX, position: 'relative' }}>
          {visible.map((r, i) => (
            <div key={r.name} className="grid-row" role="row" data-name={r.name} style={{ top: (first + i) * ROW_HEIGHT_PX, gridTemplateColumns: gridColumns(present.length) }} onClick={() => onOpen(r.name)}>
              <a className="name" href="#" onClick={(e) => e.preventDefault()} title={r.name}>{r.name}</a>
              {present.map((c) => <Cell key={c.key} row={r} col={c} max={max[c.key] ?? 0} />)}
            </div>
          ))}
        </div>
        {data && rows.length === 0 && <div className="empty">{data.rows.length === 0 ? `No ${title.toLowerCase()} with data in this range.` : 'Nothing matches the search.'}</div>}
      </div>
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
