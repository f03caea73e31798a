/** One panel: a time series chart, a top-N bar list, a single value, or a table; loaded once scrolled near. */
import { useRef } from 'react';
import type { Panel } from '@fathom/dashboards';
import { legendFor } from '@fathom/dashboards';
import { formatValue } from '../lib/format.js';
import { instantQuery, rangeQuery } from '../lib/prom-client.js';
import type { KubeEvent } from '../lib/prom-client.js';
import { substitute } from '../lib/promql.js';
import { durationText } from '../lib/promql.js';
import type { Window } from '../lib/time-range.js';
import { TimeSeriesChart } from './TimeSeriesChart.js';
import type { ChartSeries } from './TimeSeriesChart.js';
import { useAsync } from './use-async.js';
import { useSeen } from './use-seen.js';

interface Props {
  readonly panel: Panel;
  readonly window: Window;
  readonly stepMs: number;
  readonly nowMs: number;
  readonly events: readonly KubeEvent[];
  readonly vars: Readonly<Record<string, string>>;
  readonly onZoom: (startMs: number, endMs: number) => void;
}

interface Entry {
  readonly label: string;
  readonly value: number;
  readonly metric: Readonly<Record<string, string>>;
}

interface RangeData {
  readonly xs: number[];
  readonly series: ChartSeries[];
  /** Series the queries returned, before keeping the largest MAX_SERIES. */
  readonly total: number;
}

/** Series drawn at most per chart (the largest peaks); uPlot stays smooth with this many over 6 h. */
export const MAX_SERIES = 500;

function peak(values: readonly (number | null)[]): number {
  let m = -Infinity;
  for (const v of values) if (v !== null && v > m) m = v;
  return m;
}

async function loadRange(p: Panel, exprs: readonly string[], w: Window, stepMs: number, signal: AbortSignal): Promise<RangeData> {
  const start = Math.floor(w.startMs / stepMs) * stepMs;
  const xs: number[] = [];
  for (let t = start; t <= w.endMs; t += stepMs) xs.push(t / 1000);
  const index = new Map(xs.map((x, i) => [Math.round(x * 1000), i]));
  const series: ChartSeries[] = [];
  const results = await Promise.all(exprs.map((e) => rangeQuery(e, start, w.endMs, stepMs, signal)));
  results.forEach((r, qi) => {
    for (const s of r.result) {
      const values: (number | null)[] = new Array<number | null>(xs.length).fill(null);
      for (const [t, v] of s.values) {
        const i = index.get(Math.round(t * 1000));
        if (i !== undefined) values[i] = Number(v);
      }
      series.push({ label: legendFor(s.metric, p.queries[qi]!.legend), values });
    }
  });
  const kept = series.length <= MAX_SERIES ? series : series.map((s) => ({ s, p: peak(s.values) })).sort((a, b) => b.p - a.p).slice(0, MAX_SERIES).map((x) => x.s);
  return { xs, series: kept, total: series.length };
}

async function loadInstant(p: Panel, exprs: readonly string[], atMs: number, signal: AbortSignal): Promise<Entry[]> {
  const results = await Promise.all(exprs.map((e) => instantQuery(e, atMs, signal)));
  const out: Entry[] = [];
  results.forEach((r, qi) => {
    if (r.resultType === 'scalar') {
      const v = r.result as unknown as [number, string];
      out.push({ label: p.queries[qi]!.legend ?? 'value', value: Number(v[1]), metric: {} });
      return;
    }
    for (const s of r.result) out.push({ label: legendFor(s.metric, p.queries[qi]!.legend), value: Number(s.value[1]), metric: s.metric });
  });
  return out.filter((e) => Number.isFinite(e.value)).sort((a, b) => b.value - a.value).slice(0, p.limit ?? 1000);
}

export function PanelView({ panel, window: w, stepMs, nowMs, events, vars, onZoom }: Props): React.JSX.Element {
  const ref = useRef<HTMLElement>(null);
  // Panels below the fold ask the server only when scrolled to.
  const seen = useSeen(ref);
  const all = { ...vars, __range: durationText(w.endMs - w.startMs), __rate_interval: durationText(Math.max(60_000, 4 * stepMs)) };
  const exprs = panel.queries.map((q) => substitute(q.expr, all));
  const isRange = panel.type === 'timeseries';
  const key = JSON.stringify([panel.type, exprs, isRange ? w : w.endMs, stepMs]);
  // A window that only slid (live mode) lets the running query finish: aborting it at every tick
  // would leave a panel slower than the tick empty for ever.
  const group = JSON.stringify([panel.type, exprs, w.endMs - w.startMs, stepMs]);
  const state = useAsync<RangeData | Entry[]>(key, (signal) => (isRange ? loadRange(panel, exprs, w, stepMs, signal) : loadInstant(panel, exprs, w.endMs, signal)), seen, group);
  const data = state.data;
  return (
    <section ref={ref} className={`card panel panel-${panel.type}${panel.width === 2 ? ' wide' : ''}`} data-testid="panel" data-title={panel.title} data-seen={seen ? 'true' : 'false'}>
      <h3 title={exprs.join('\n')}>{panel.title}{state.loading && <span className="spinner" />}</h3>
      {state.error && <div className="error">{state.error}</div>}
      {isRange && data !== undefined && !Array.isArray(data) && (
        data.series.length === 0 ? <div className="empty">No data in this range.</div> : <TimeSeriesChart xs={data.xs} series={data.series} unit={panel.unit} events={events} window={w} nowMs={nowMs} onZoom={onZoom} />
      )}
      {isRange && data !== undefined && !Array.isArray(data) && data.total > data.series.length && <div className="muted small">showing the {data.series.length} largest of {data.total} series</div>}
      {!isRange && Array.isArray(data) && <InstantView panel={panel} entries={data} />}
    </section>
  );
}

function InstantView({ panel, entries }: { panel: Panel; entries: readonly Entry[] }): React.JSX.Element {
  if (entries.length === 0) return <div className="empty">No data.</div>;
  if (panel.type === 'stat') {
    return <div className="stat-value">{formatValue(entries.reduce((a, e) => a + e.value, 0), panel.unit)}</div>;
  }
  if (panel.type === 'bar') {
    const max = Math.max(...entries.map((e) => e.value), 0);
    return (
      <ol className="bars">
        {entries.map((e) => (
          <li key={e.label}>
            <span className="bar-label" title={e.label}>{e.label}</span>
            <span className="bar-track"><span className="bar-fill" style={{ width: `${max > 0 ? (100 * e.value) / max : 0}%` }} /></span>
            <span className="bar-value">{formatValue(e.value, panel.unit)}</span>
          </li>
        ))}
      </ol>
    );
  }
  const labels = [...new Set(entries.flatMap((e) => Object.keys(e.metric)).filter((k) => k !== '__name__'))].sort();
  return (
    <div className="table-wrap">
      <table className="simple">
        <thead><tr>{labels.map((l) => <th key={l}>{l}</th>)}<th className="num">value</th></tr></thead>
        <tbody>
          {entries.map((e, i) => <tr key={i}>{labels.map((l) => <td key={l}>{e.metric[l] ?? ''}</td>)}<td className="num">{formatValue(e.value, panel.unit)}</td></tr>)}
        </tbody>
      </table>
    </div>
  );
}
