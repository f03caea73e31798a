/**
 * The rules benchmark's data and rule file, both deterministic. Data: `pods` pods × 100 series
 * (10 gauge and 10 counter families × 5 `idx` values) with Kubernetes-like labels; gauges wave,
 * counters rise at a per-series rate. Rules: `count` alerting rules in groups of 100, mixing the
 * shapes real rule files use (thresholds per series, aggregations by namespace/node, rates,
 * `*_over_time`, `predict_linear`, one-to-one joins, counts), with `for`, labels and templates.
 */
import type { PbSeries } from './tsdb/remote-write.js';

export const GAUGES = 10;
export const COUNTERS = 10;
export const IDX = 5;

export interface DataShape {
  readonly pods: number;
  readonly intervalMs: number;
}

export interface BenchSeries {
  readonly labels: readonly (readonly [string, string])[];
  readonly kind: 'gauge' | 'counter';
  readonly phase: number;
}

export function benchSeries(shape: DataShape): BenchSeries[] {
  const out: BenchSeries[] = [];
  for (let p = 0; p < shape.pods; p++) {
    const base: [string, string][] = [['namespace', `ns-${p % 20}`], ['node', `node-${p % 50}`], ['pod', `pod-${p}`], ['container', 'app']];
    for (let k = 0; k < GAUGES + COUNTERS; k++) {
      const gauge = k < GAUGES;
      const name = gauge ? `bench_gauge_${k}` : `bench_counter_${k - GAUGES}`;
      for (let i = 0; i < IDX; i++) {
        const labels = [['__name__', name] as const, ...base, ['idx', String(i)] as const].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        out.push({ labels, kind: gauge ? 'gauge' : 'counter', phase: (p * 7 + k * 13 + i * 31) % 97 });
      }
    }
  }
  return out;
}

/** The value of a series at `tMs` (gauges 10..90, counters rising 0..10 per second). */
export function valueAt(s: BenchSeries, tMs: number): number {
  const t = tMs / 1000;
  if (s.kind === 'gauge') return 50 + 40 * Math.sin(t / 600 + s.phase);
  return t * (s.phase / 9.7);
}

/** Remote-write batches of at most `perRequest` series holding the samples at `times`. */
export function* writeBatches(series: readonly BenchSeries[], times: readonly number[], perRequest = 5000): Generator<PbSeries[]> {
  for (let i = 0; i < series.length; i += perRequest) {
    yield series.slice(i, i + perRequest).map((s) => ({ labels: s.labels, samples: times.map((t) => [t, valueAt(s, t)] as const) }));
  }
}

/** A Prometheus rule file of `count` alerting rules (groups of 100, evaluated every `intervalS`). */
export function ruleFile(count: number, intervalS: number): string {
  const lines = ['groups:'];
  for (let r = 0; r < count; r++) {
    if (r % 100 === 0) lines.push(`  - name: bench-${r / 100}`, `    interval: ${intervalS}s`, '    rules:');
    const g = r % GAUGES;
    const c = (r >> 1) % COUNTERS;
    const i = (r >> 2) % IDX;
    const thr = 60 + (r % 30);
    lines.push(`      - alert: Bench${r}`, `        expr: '${ruleExpr(r % 8, g, c, i, thr)}'`, `        for: ${r % 3}m`, '        labels: { severity: warning }',
      `        annotations: { summary: 'value {{ $value }} on {{ $labels.namespace }}' }`);
  }
  return `${lines.join('\n')}\n`;
}

function ruleExpr(shape: number, g: number, c: number, i: number, thr: number): string {
  switch (shape) {
    case 0: return `bench_gauge_${g}{idx="${i}"} > ${thr}`;
    case 1: return `sum by (namespace) (rate(bench_counter_${c}{idx="${i}"}[5m])) > ${thr / 10}`;
    case 2: return `avg by (node) (bench_gauge_${g}) > ${thr - 10}`;
    case 3: return `max_over_time(bench_gauge_${g}{idx="${i}"}[5m]) > ${thr + 20}`;
    case 4: return `bench_gauge_${g}{idx="${i}"} / on (namespace, pod, container) bench_gauge_${(g + 1) % GAUGES}{idx="${i}"} > ${thr / 40}`;
    case 5: return `predict_linear(bench_gauge_${g}{idx="${i}"}[10m], 3600) < 0`;
    case 6: return `count by (namespace) (bench_gauge_${g}{idx="${i}"} > ${thr}) > 20`;
    default: return `sum by (namespace, pod) (rate(bench_counter_${c}[5m])) > ${thr / 8}`;
  }
}
