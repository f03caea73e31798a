/**
 * A uPlot time series chart: drag across it to zoom (the range goes to the URL), events drawn
 * as markers on the time axis (red for warnings), values formatted in the panel's unit.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { formatTime, formatValue } from '../lib/format.js';
import type { Unit } from '../lib/format.js';
import { eventStyle, isAlertEvent } from '../lib/event-style.js';
import type { KubeEvent } from '../lib/prom-client.js';
import type { Window } from '../lib/time-range.js';

export interface ChartSeries {
  readonly label: string;
  readonly values: (number | null)[];
}

interface Props {
  readonly xs: number[];
  readonly series: readonly ChartSeries[];
  readonly unit: Unit;
  readonly events: readonly KubeEvent[];
  readonly window: Window;
  readonly nowMs: number;
  readonly onZoom: (startMs: number, endMs: number) => void;
}

export const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#6366f1', '#14b8a6', '#a855f7'];
const HEIGHT_PX = 200;
const MAX_LEGEND = 6;
const TOOLTIP_ROWS = 8;

function eventsPlugin(getEvents: () => readonly KubeEvent[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        const { top, height } = u.bbox;
        ctx.save();
        // One marker per pixel column and kind. Kubernetes warnings: a thin line and a small
        // triangle; alerts: a stronger line and a larger marker, red when firing, green when resolved.
        // Alerts are drawn last, on top.
        const seen = new Set<string>();
        const ordered = [...getEvents()].sort((a, b) => Number(isAlertEvent(a)) - Number(isAlertEvent(b)));
        for (const e of ordered) {
          const x = Math.round(u.valToPos(e.atMs / 1000, 'x', true));
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          const st = eventStyle(e);
          const key = `${st.kind}${Math.round(x / 3)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const alert = isAlertEvent(e);
          if (st.line !== undefined) {
            ctx.strokeStyle = st.line;
            ctx.lineWidth = alert ? 2 : 1;
            ctx.setLineDash(st.kind === 'alert-resolved' ? [4, 3] : []);
            ctx.beginPath();
            ctx.moveTo(x + 0.5, top);
            ctx.lineTo(x + 0.5, top + height);
            ctx.stroke();
          }
          const r = alert ? 5.5 : 3.5;
          ctx.fillStyle = st.color;
          ctx.beginPath();
          ctx.moveTo(x - r, top);
          ctx.lineTo(x + r, top);
          ctx.lineTo(x, top + r * 1.7);
          ctx.fill();
        }
        ctx.restore();
      },
    },
  };
}

export function TimeSeriesChart({ xs, series, unit, events, window: w, nowMs, onZoom }: Props): React.JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  const tipRef = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const eventsRef = useRef(events);
  const zoomRef = useRef(onZoom);
  eventsRef.current = events;
  zoomRef.current = onZoom;
  const shape = `${series.map((s) => s.label).join('\u0000')}|${unit}`;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT_PX,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 5 } },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      legend: { show: series.length <= MAX_LEGEND, live: true },
      scales: { x: { time: true, min: w.startMs / 1000, max: w.endMs / 1000 }, y: { range: (_u, min, max) => [Math.min(0, min), max <= 0 ? 1 : max * 1.08] } },
      axes: [
        { stroke: '#64748b', grid: { stroke: '#eef2f7' }, ticks: { stroke: '#e2e8f0' }, values: (_u, vals) => vals.map((v) => formatTime(v * 1000, nowMs)) },
        { stroke: '#64748b', grid: { stroke: '#eef2f7' }, ticks: { stroke: '#e2e8f0' }, size: 78, values: (_u, vals) => vals.map((v) => formatValue(v, unit)) },
      ],
      series: [
        { value: (_u, v) => (v == null ? '' : formatTime(v * 1000, nowMs)) },
        ...series.map((s, i) => {
          const dashed = s.label === 'limit' || s.label === 'request' || s.label === 'total' || s.label === 'size';
          return {
            label: s.label,
            stroke: s.label === 'limit' ? '#dc2626' : s.label === 'request' ? '#94a3b8' : PALETTE[i % PALETTE.length]!,
            width: dashed ? 1.25 : 1.5,
            ...(dashed ? { dash: [6, 4] } : {}),
            value: (_u: uPlot, v: number | null) => (v == null ? '—' : formatValue(v, unit)),
            points: { show: false },
          };
        }),
      ],
      plugins: [eventsPlugin(() => eventsRef.current)],
      hooks: {
        setCursor: [(u) => showTooltip(u, tipRef.current, series, unit, nowMs)],
        setSelect: [
          (u) => {
            if (u.select.width < 4) return;
            const a = u.posToVal(u.select.left, 'x');
            const b = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoomRef.current(Math.round(a * 1000), Math.round(b * 1000));
          },
        ],
      },
    };
    const u = new uPlot(opts, [xs, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT_PX }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // The chart is rebuilt only when its shape changes; data updates go through setData below.
  }, [shape]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.batch(() => {
      u.setData([xs, ...series.map((s) => s.values)] as uPlot.AlignedData, false);
      u.setScale('x', { min: w.startMs / 1000, max: w.endMs / 1000 });
    });
  }, [xs, series, w.startMs, w.endMs]);

  useEffect(() => {
    plot.current?.redraw(false);
  }, [events]);

  return (
    <div className="chart" data-testid="chart" data-series={series.length}>
      <div ref={ref} />
      <div ref={tipRef} className="chart-tip" hidden />
      {series.length > MAX_LEGEND && <div className="muted small">{series.length} series · hover for values</div>}
    </div>
  );
}

/** With many series the legend is hidden; hovering shows the largest values at the cursor instead. */
function showTooltip(u: uPlot, tip: HTMLDivElement | null, series: readonly ChartSeries[], unit: Unit, nowMs: number): void {
  if (!tip) return;
  const idx = u.cursor.idx;
  if (series.length <= MAX_LEGEND || idx == null || u.cursor.left == null || u.cursor.left < 0) {
    tip.hidden = true;
    return;
  }
  const rows = series
    .map((s, i) => ({ label: s.label, v: s.values[idx], color: PALETTE[i % PALETTE.length]! }))
    .filter((r): r is { label: string; v: number; color: string } => r.v != null)
    .sort((a, b) => b.v - a.v)
    .slice(0, TOOLTIP_ROWS);
  tip.replaceChildren();
  const head = document.createElement('div');
  head.className = 'tip-time';
  head.textContent = formatTime((u.data[0][idx] ?? 0) * 1000, nowMs);
  tip.append(head);
  for (const r of rows) {
    const line = document.createElement('div');
    const dot = document.createElement('span');
    dot.className = 'tip-dot';
    dot.style.background = r.color;
    const label = document.createElement('span');
    label.className = 'tip-label';
    label.textContent = r.label;
    const val = document.createElement('span');
    val.className = 'tip-value';
    val.textContent = formatValue(r.v, unit);
    line.append(dot, label, val);
    tip.append(line);
  }
  const left = u.cursor.left + u.bbox.left / devicePixelRatio;
  tip.style.left = `${Math.min(left + 12, u.width - 240)}px`;
  tip.hidden = false;
}
