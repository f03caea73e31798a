/**
 * The rules benchmark's figures and its one report table: cycles from the groups' evaluations,
 * percentiles, and the agreement of the two engines' firing alerts.
 */
import { percentile } from './proc-usage.js';

export interface GroupEval {
  readonly group: string;
  readonly atMs: number;
  readonly seconds: number;
}

export interface Latency {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly count: number;
  readonly failures: number;
}

export interface EngineFigures {
  readonly cyclesMeasured: number;
  /** Cycle = the k-th evaluation of every group, summed (ms). */
  readonly cycle: Latency;
  /** One group's evaluation, ms (all groups, all measured evaluations). */
  readonly group: Latency;
  readonly missedIterations: number;
  readonly rssMedianMiB: number;
  readonly peakRssMiB: number;
  readonly cpuSecondsPerMinute: number;
  readonly api: Latency;
  readonly ingest: Latency;
  readonly firing: number;
  readonly pending: number;
  /** Firing alerts this engine has and the other has not. */
  readonly firingOnlyHere: number;
  /** Active (firing or pending) alerts this engine has and the other has not: the condition differs, not only `for` timing. */
  readonly activeOnlyHere: number;
}

export function latency(values: readonly number[], failures = 0): Latency {
  const s = [...values].sort((a, b) => a - b);
  return { p50Ms: percentile(s, 50), p99Ms: percentile(s, 99), maxMs: s[s.length - 1] ?? NaN, count: s.length, failures };
}

/** Per engine: each group's evaluations (deduplicated by time, the first dropped as warm-up), then cycle k = the k-th evaluation of every group, in ms. */
export function cycles(evals: readonly GroupEval[]): number[] {
  const lists = perGroup(evals);
  const n = Math.min(...lists.map((l) => l.length));
  return Array.from({ length: Number.isFinite(n) ? n : 0 }, (_, k) => lists.reduce((sum, l) => sum + (l[k] ?? 0), 0));
}

/** Every group's measured evaluation times in order (ms), the first dropped as warm-up. */
export function perGroup(evals: readonly GroupEval[]): number[][] {
  const byGroup = new Map<string, Map<number, number>>();
  for (const e of evals) {
    const m = byGroup.get(e.group) ?? new Map<number, number>();
    m.set(e.atMs, e.seconds);
    byGroup.set(e.group, m);
  }
  return [...byGroup.values()].map((m) => [...m.entries()].sort(([a], [b]) => a - b).map(([, s]) => s * 1000).slice(1));
}

/** Alerts of each state by their label set, from `GET /api/v1/alerts`. */
export interface AlertSets {
  readonly firing: ReadonlySet<string>;
  readonly pending: ReadonlySet<string>;
}

export function alertSets(alerts: readonly { readonly state: string; readonly labels: Record<string, string> }[]): AlertSets {
  const firing = new Set<string>();
  const pending = new Set<string>();
  for (const a of alerts) {
    const key = JSON.stringify(Object.entries(a.labels).sort(([x], [y]) => (x < y ? -1 : 1)));
    if (a.state === 'firing') firing.add(key);
    else if (a.state === 'pending') pending.add(key);
  }
  return { firing, pending };
}

export function activeSet(a: AlertSets): Set<string> {
  return new Set([...a.firing, ...a.pending]);
}

export function onlyIn(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let n = 0;
  for (const k of a) if (!b.has(k)) n++;
  return n;
}

const fmt = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const lat = (l: Latency, scale = 1, digits = 0): string => `${fmt(l.p50Ms / scale, digits)} / ${fmt(l.p99Ms / scale, digits)} / ${fmt(l.maxMs / scale, digits)}`;

/** The report as one Markdown table, Fathom beside Prometheus, plus the ratios. */
export function reportTable(f: EngineFigures, p: EngineFigures, probePath: string): string {
  const rows: [string, (e: EngineFigures) => string][] = [
    ['cycle (sum of the groups\' evaluation times) p50 / p99 / max, s', (e) => lat(e.cycle, 1000, 2)],
    ['one group (100 rules) p50 / p99 / max, s', (e) => lat(e.group, 1000, 2)],
    ['cycles measured', (e) => String(e.cyclesMeasured)],
    ['missed group iterations during the run', (e) => String(e.missedIterations)],
    ['RSS median / peak, MiB', (e) => `${fmt(e.rssMedianMiB)} / ${fmt(e.peakRssMiB)}`],
    ['CPU, s per minute', (e) => fmt(e.cpuSecondsPerMinute, 1)],
    [`API latency while rules evaluate, \`GET ${probePath}\` p50 / p99 / max, ms`, (e) => lat(e.api, 1, 1)],
    ['API requests failed or over the timeout', (e) => `${e.api.failures} of ${e.api.count + e.api.failures}`],
    ['ingest acknowledgement (remote write, ≤ 5,000 samples a request) p50 / p99 / max, ms', (e) => lat(e.ingest, 1, 1)],
    ['ingest requests failed', (e) => `${e.ingest.failures} of ${e.ingest.count + e.ingest.failures}`],
    ['alerts firing / pending at the end', (e) => `${e.firing} / ${e.pending}`],
    ['firing alerts the other engine does not have', (e) => String(e.firingOnlyHere)],
    ['active (firing or pending) alerts the other engine does not have', (e) => String(e.activeOnlyHere)],
  ];
  const lines = ['| | Fathom | Prometheus |', '|---|---:|---:|', ...rows.map(([name, cell]) => `| ${name} | ${cell(f)} | ${cell(p)} |`)];
  const ratio = (a: number, b: number): string => fmt(a / b, 2);
  lines.push('', `Fathom / Prometheus: cycle p50 ${ratio(f.cycle.p50Ms, p.cycle.p50Ms)}, p99 ${ratio(f.cycle.p99Ms, p.cycle.p99Ms)}; RSS ${ratio(f.rssMedianMiB, p.rssMedianMiB)}; CPU ${ratio(f.cpuSecondsPerMinute, p.cpuSecondsPerMinute)}; API p99 ${ratio(f.api.p99Ms, p.api.p99Ms)}`);
  return lines.join('\n');
}
