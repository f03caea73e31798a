/**
 * A deterministic Kubernetes-shaped data set whose values replay real node-exporter scrapes
 * (../shared/data/metrics/node_exporter_scrapes.txt.gz): every generated series borrows the value
 * trace of one real series (picked by a hash of its labels), so compressibility is realistic.
 * Counters keep rising past the end of their trace; gauges play theirs back and forth.
 * ~20 labels a series; 10 % of the pods are replaced every hour (new pod names, new series).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface DatasetShape {
  readonly pods: number;
  readonly metrics: number;
  readonly stepMs: number;
  readonly startMs: number;
  readonly endMs: number;
}

export interface Series {
  readonly labels: readonly (readonly [string, string])[];
  readonly trace: readonly number[];
  readonly counter: boolean;
  /** Active from/until (ms, inclusive/exclusive): pods are replaced over time. */
  readonly fromMs: number;
  readonly untilMs: number;
}

const METRICS: readonly (readonly [string, boolean])[] = [
  ['container_cpu_usage_seconds_total', true],
  ['container_cpu_cfs_throttled_seconds_total', true],
  ['container_memory_working_set_bytes', false],
  ['container_memory_rss', false],
  ['container_memory_cache', false],
  ['container_network_receive_bytes_total', true],
  ['container_network_transmit_bytes_total', true],
  ['container_network_receive_packets_total', true],
  ['container_network_transmit_packets_total', true],
  ['container_fs_reads_bytes_total', true],
  ['container_fs_writes_bytes_total', true],
  ['container_fs_usage_bytes', false],
  ['container_spec_memory_limit_bytes', false],
  ['container_spec_cpu_quota', false],
  ['kube_pod_container_status_restarts_total', true],
  ['kube_pod_container_status_ready', false],
  ['kube_pod_container_resource_requests_cpu_cores', false],
  ['kube_pod_container_resource_limits_memory_bytes', false],
  ['http_requests_total', true],
  ['http_request_duration_seconds_sum', true],
  ['http_request_duration_seconds_count', true],
  ['process_open_fds', false],
  ['process_resident_memory_bytes', false],
  ['process_cpu_seconds_total', true],
  ['go_goroutines', false],
  ['go_memstats_heap_alloc_bytes', false],
  ['go_gc_duration_seconds_sum', true],
  ['grpc_server_handled_total', true],
  ['container_threads', false],
  ['container_file_descriptors', false],
];

export interface TracePool {
  readonly counters: readonly (readonly number[])[];
  readonly gauges: readonly (readonly number[])[];
}

/** Value traces of the real scrapes, split into counters (monotonic, rising) and gauges. */
export function loadTraces(path: string): TracePool {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const bySeries = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    const v = Number(line.slice(sp + 1));
    if (!Number.isFinite(v)) continue;
    const key = line.slice(0, sp);
    let list = bySeries.get(key);
    if (!list) bySeries.set(key, (list = []));
    list.push(v);
  }
  const counters: number[][] = [];
  const gauges: number[][] = [];
  for (const [key, trace] of bySeries) {
    if (trace.length < 10) continue;
    const monotonic = trace.every((v, i) => i === 0 || v >= (trace[i - 1] ?? 0));
    const rising = (trace[trace.length - 1] ?? 0) > (trace[0] ?? 0);
    if (/_total|_count|_sum/.test(key.split('{')[0] ?? '') && monotonic && rising) counters.push(trace);
    else gauges.push(trace);
  }
  return { counters, gauges };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** All series of the run: `pods` slots, each replaced every 10 hours (10 % of pods an hour). */
export function generateSeries(shape: DatasetShape, pool: TracePool): Series[] {
  const out: Series[] = [];
  const HOUR = 3_600_000;
  for (let slot = 0; slot < shape.pods; slot++) {
    const ns = `ns-${slot % 12}`;
    const workload = `app-${slot % 37}`;
    // this slot's pod is replaced at hours h with h % 10 === slot % 10
    const boundaries = [shape.startMs];
    for (let h = Math.ceil(shape.startMs / HOUR); h * HOUR < shape.endMs; h++) if (h % 10 === slot % 10 && h * HOUR > shape.startMs) boundaries.push(h * HOUR);
    boundaries.push(shape.endMs + 1);
    for (let gen = 0; gen < boundaries.length - 1; gen++) {
      const pod = `${workload}-${(hash(`${slot}/${gen}`) % 0xfffff).toString(16)}-${slot}`;
      const node = `node-${hash(pod) % 8}`;
      for (let m = 0; m < shape.metrics; m++) {
        const [name, counter] = METRICS[m % METRICS.length] ?? ['m', false];
        const labels: [string, string][] = [
          ['__name__', m < METRICS.length ? name : `${name}_${Math.floor(m / METRICS.length)}`],
          ['cluster', 'bench'], ['container', workload], ['host_ip', `10.0.0.${hash(node) % 250}`], ['image', `registry.local/${workload}:1.${slot % 5}`],
          ['instance', `${node}:10250`], ['job', 'kubelet'], ['label_app', workload], ['label_team', `team-${slot % 5}`], ['label_tier', slot % 3 === 0 ? 'frontend' : 'backend'],
          ['label_version', `v${slot % 4}`], ['namespace', ns], ['node', node], ['pod', pod], ['pod_ip', `10.1.${slot % 250}.${gen % 250}`],
          ['service', workload], ['uid', `${hash(pod).toString(16)}-${gen}`], ['workload', workload], ['workload_kind', 'Deployment'],
        ];
        const list = counter ? pool.counters : pool.gauges;
        const trace = list[hash(`${pod}/${m}`) % list.length] ?? [0];
        out.push({ labels, trace, counter, fromMs: boundaries[gen] ?? 0, untilMs: boundaries[gen + 1] ?? 0 });
      }
    }
  }
  return out;
}

/** The value of a series at step i (counters keep rising, gauges go back and forth). */
export function valueAt(s: Series, i: number): number {
  const n = s.trace.length;
  if (s.counter) {
    const first = s.trace[0] ?? 0;
    const perLoop = (s.trace[n - 1] ?? 0) - first;
    return (s.trace[i % n] ?? 0) + Math.floor(i / n) * perLoop;
  }
  const period = 2 * (n - 1);
  const k = i % period;
  return s.trace[k < n ? k : period - k] ?? 0;
}
