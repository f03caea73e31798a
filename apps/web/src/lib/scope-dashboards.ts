/**
 * Built-in dashboards chosen by the scope's kind (cluster, namespace, workload, pod, container,
 * node, process), with the panels the seeds ask for: CPU and memory against requests and
 * limits, restarts and failed launches, network, disk, and service latency (quantiles from the
 * request-duration histogram). Top-N is sorted in the browser. Pure.
 */
import type { Panel } from '@fathom/dashboards';
import { PROCESS_LEVEL } from './grouping.js';
import { durationText, selector } from './promql.js';

export interface ScopeContext {
  readonly kind: string;
  readonly scope: Readonly<Record<string, string>>;
  /** The next level's label (series are broken down by it), if any. */
  readonly child: string | undefined;
  readonly rateMs: number;
}

const ts = (title: string, unit: Panel['unit'], queries: Panel['queries'], width: 1 | 2 = 1): Panel => ({ title, type: 'timeseries', unit, queries, width });

/** Series kept by breakdown panels (per step). */
export const TOP_K = 10;

const sumOf = (by: string | undefined, inner: string): string => (by ? `sum by (${by}) (${inner})` : `sum(${inner})`);

export function scopeDashboard(ctx: ScopeContext): Panel[] {
  const w = durationText(ctx.rateMs);
  const s = (name: string, extra: readonly string[] = []): string => selector(name, ctx.scope, extra);
  const by = ctx.child !== undefined && ctx.child !== PROCESS_LEVEL ? ctx.child : undefined;
  // Breakdown panels keep the top series (per step) on the server: a level of 10,000 pods would
  // otherwise send 10,000 series to every chart.
  const sumBy = (inner: string): string => (by ? `topk(${TOP_K}, sum by (${by}) (${inner}))` : `sum(${inner})`);
  const top = (expr: string): string => (by ? `topk(${TOP_K}, ${expr})` : expr);
  const leg = by ? `{{${by}}}` : 'used';
  const processPanels = (): Panel[] => [
    ts('CPU by process (cores)', 'cores', [{ expr: `sum by (comm) (rate(${s('proc_cpu_seconds_total')}[${w}]))`, legend: '{{comm}}' }]),
    ts('Resident memory by process', 'bytes', [{ expr: `sum by (comm) (${s('proc_resident_memory_bytes')})`, legend: '{{comm}}' }]),
  ];
  if (ctx.kind === 'process') return processPanels();
  if (ctx.kind === 'node' || ctx.kind === 'host') return nodePanels(s, w, sumBy, leg);
  if (ctx.kind === 'overview' || ctx.kind === 'cluster') return clusterPanels(s, w, sumBy, leg);
  const panels: Panel[] = [
    ts('CPU (cores) against requests and limits', 'cores', [
      { expr: `sum(rate(${s('container_cpu_usage_seconds_total')}[${w}]))`, legend: 'used' },
      { expr: `sum(${s('kube_pod_container_resource_requests', ['resource="cpu"'])})`, legend: 'request' },
      { expr: `sum(${s('kube_pod_container_resource_limits', ['resource="cpu"'])})`, legend: 'limit' },
    ]),
    ts('Memory (working set) against requests and limits', 'bytes', [
      { expr: `sum(${s('container_memory_working_set_bytes')})`, legend: 'used' },
      { expr: `sum(${s('kube_pod_container_resource_requests', ['resource="memory"'])})`, legend: 'request' },
      { expr: `sum(${s('kube_pod_container_resource_limits', ['resource="memory"'])})`, legend: 'limit' },
    ]),
    ...(by ? [
      ts(`CPU by ${by}, top ${TOP_K} (cores)`, 'cores', [{ expr: sumBy(`rate(${s('container_cpu_usage_seconds_total')}[${w}])`), legend: leg }]),
      ts(`Memory by ${by}, top ${TOP_K}`, 'bytes', [{ expr: sumBy(s('container_memory_working_set_bytes')), legend: leg }]),
    ] : []),
    ts('Restarts', 'count', [{ expr: sumBy(`increase(${s('kube_pod_container_status_restarts_total')}[${w}])`), legend: leg }]),
    ts('Network (receive + transmit)', 'bytesPerS', [
      { expr: `sum(rate(${s('container_network_receive_bytes_total')}[${w}]))`, legend: 'receive' },
      { expr: `sum(rate(${s('container_network_transmit_bytes_total')}[${w}]))`, legend: 'transmit' },
    ]),
    ts('Request latency (p50, p95, p99; mean)', 'seconds', latencyQuantiles(s, w)),
    ...(by ? [ts(`Request latency p95 by ${by}, top ${TOP_K}`, 'seconds', [{ expr: top(latencyP95By(s, w, by)), legend: leg }])] : []),
    ts('Errors (share of 5xx)', 'ratio', [{ expr: top(`${sumOf(by, `rate(${s('http_requests_total', ['code=~"5.."'])}[${w}])`)} / ${sumOf(by, `rate(${s('http_requests_total')}[${w}])`)}`), legend: leg }]),
  ];
  if (ctx.kind === 'container') panels.push(...containerPanels(s), ...processPanels());
  if (ctx.kind === 'namespace' || ctx.kind === 'workload') {
    panels.push({ title: 'Pods not running', type: 'timeseries', unit: 'count', queries: [{ expr: `sum(${s('kube_pod_status_phase', ['phase="Pending"'])})`, legend: 'pending' }] });
  }
  return panels;
}

type Sel = (n: string, e?: readonly string[]) => string;

/**
 * Latency quantiles from the `http_request_duration_seconds` histogram, and the mean from its
 * `_sum`/`_count` (the only line when a service exports a summary without buckets).
 */
function latencyQuantiles(s: Sel, w: string): Panel['queries'] {
  const q = (phi: number): string => `histogram_quantile(${phi}, sum by (le) (rate(${s('http_request_duration_seconds_bucket')}[${w}])))`;
  return [
    { expr: q(0.5), legend: 'p50' },
    { expr: q(0.95), legend: 'p95' },
    { expr: q(0.99), legend: 'p99' },
    { expr: `sum(rate(${s('http_request_duration_seconds_sum')}[${w}])) / sum(rate(${s('http_request_duration_seconds_count')}[${w}]))`, legend: 'mean' },
  ];
}

/** p95 latency per value of `by` from the histogram; the mean where a series has no buckets. */
export function latencyP95By(s: Sel, w: string, by: string): string {
  const p95 = `histogram_quantile(0.95, sum by (${by}, le) (rate(${s('http_request_duration_seconds_bucket')}[${w}])))`;
  const mean = `sum by (${by}) (rate(${s('http_request_duration_seconds_sum')}[${w}])) / sum by (${by}) (rate(${s('http_request_duration_seconds_count')}[${w}]))`;
  return `${p95} or ${mean}`;
}

function containerPanels(s: (n: string, e?: readonly string[]) => string): Panel[] {
  return [ts('Filesystem used', 'bytes', [{ expr: `sum(${s('container_fs_usage_bytes')})`, legend: 'used' }])];
}

function clusterPanels(s: (n: string, e?: readonly string[]) => string, w: string, sumBy: (i: string) => string, leg: string): Panel[] {
  return [
    { title: 'Nodes ready', type: 'stat', unit: 'count', queries: [{ expr: `sum(${s('kube_node_status_condition', ['condition="Ready"', 'status="true"'])})` }] },
    { title: 'Pods running', type: 'stat', unit: 'count', queries: [{ expr: `sum(${s('kube_pod_status_phase', ['phase="Running"'])})` }] },
    { title: 'Pods pending', type: 'stat', unit: 'count', queries: [{ expr: `sum(${s('kube_pod_status_phase', ['phase="Pending"'])})` }] },
    { title: 'Nodes with disk pressure', type: 'stat', unit: 'count', queries: [{ expr: `sum(${s('kube_node_status_condition', ['condition="DiskPressure"', 'status="true"'])})` }] },
    ts('CPU (cores)', 'cores', [{ expr: sumBy(`rate(${s('container_cpu_usage_seconds_total')}[${w}])`), legend: leg }]),
    ts('Memory (working set)', 'bytes', [{ expr: sumBy(s('container_memory_working_set_bytes')), legend: leg }]),
    ts(`Node memory used, top ${TOP_K}`, 'percent', [{ expr: `topk(${TOP_K}, 100 * (1 - sum by (node) (${s('node_memory_MemAvailable_bytes')}) / sum by (node) (${s('node_memory_MemTotal_bytes')})))`, legend: '{{node}}' }]),
    ts(`Node disk used (/), top ${TOP_K}`, 'percent', [{ expr: `topk(${TOP_K}, 100 * (1 - sum by (node) (${s('node_filesystem_avail_bytes', ['mountpoint="/"'])}) / sum by (node) (${s('node_filesystem_size_bytes', ['mountpoint="/"'])})))`, legend: '{{node}}' }]),
    ts(`Request latency p95 by service, top ${TOP_K}`, 'seconds', [{ expr: `topk(${TOP_K}, ${latencyP95By(s, w, 'service')})`, legend: '{{service}}' }]),
    ts('Restarts', 'count', [{ expr: sumBy(`increase(${s('kube_pod_container_status_restarts_total')}[${w}])`), legend: leg }]),
    { title: 'Top pods by memory', type: 'bar', unit: 'bytes', limit: 10, queries: [{ expr: `sum by (pod) (${s('container_memory_working_set_bytes')})`, legend: '{{pod}}' }], width: 2 },
  ];
}

function nodePanels(s: (n: string, e?: readonly string[]) => string, w: string, sumBy: (i: string) => string, leg: string): Panel[] {
  return [
    ts('Node CPU busy', 'percent', [{ expr: `100 * (1 - sum(rate(${s('node_cpu_seconds_total', ['mode="idle"'])}[${w}])) / count(${s('node_cpu_seconds_total', ['mode="idle"'])}))`, legend: 'busy' }]),
    ts('Node memory', 'bytes', [
      { expr: `sum(${s('node_memory_MemTotal_bytes')}) - sum(${s('node_memory_MemAvailable_bytes')})`, legend: 'used' },
      { expr: `sum(${s('node_memory_MemTotal_bytes')})`, legend: 'total' },
    ]),
    ts('Disk used (/)', 'bytes', [
      { expr: `sum(${s('node_filesystem_size_bytes', ['mountpoint="/"'])}) - sum(${s('node_filesystem_avail_bytes', ['mountpoint="/"'])})`, legend: 'used' },
      { expr: `sum(${s('node_filesystem_size_bytes', ['mountpoint="/"'])})`, legend: 'size' },
    ]),
    ts('Network', 'bytesPerS', [
      { expr: `sum(rate(${s('node_network_receive_bytes_total')}[${w}]))`, legend: 'receive' },
      { expr: `sum(rate(${s('node_network_transmit_bytes_total')}[${w}]))`, legend: 'transmit' },
    ]),
    ts('CPU by pod (cores)', 'cores', [{ expr: sumBy(`rate(${s('container_cpu_usage_seconds_total')}[${w}])`), legend: leg }]),
    ts('Memory by pod', 'bytes', [{ expr: sumBy(s('container_memory_working_set_bytes')), legend: leg }]),
  ];
}
