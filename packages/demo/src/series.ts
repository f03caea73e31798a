/**
 * The simulator's series, built once and reused every tick: each `Slot` holds a frozen label set
 * (the same object on every call, so callers may key series by identity) and, for counters, the
 * value integrated so far. At 1,000 nodes a tick yields ~350,000 samples; building label objects
 * and counter keys per sample cost seconds a tick, reusing them costs nothing.
 */
import { LATENCY_BUCKETS_S } from './load.js';
import type { PodInstance } from './placement.js';
import { hashString } from './rng.js';
import type { ContainerSpec, NodeSpec } from './topology.js';

export interface Slot {
  readonly labels: Readonly<Record<string, string>>;
  /** Counter value at `tMs`; `tMs` is NaN until the counter is first read. */
  v: number;
  tMs: number;
}

type Labels = Readonly<Record<string, string>>;

export function slot(name: string, labels: Labels): Slot {
  return { labels: Object.freeze({ __name__: name, ...labels }), v: 0, tMs: Number.NaN };
}

/**
 * The counter's value at `tMs` for a rate that held since the last read. On the first read the
 * counter has run at `ratePerS` since `sinceMs`; a read at or before the last one returns it unchanged.
 */
export function count(s: Slot, ratePerS: number, tMs: number, sinceMs: number): number {
  if (Number.isNaN(s.tMs)) {
    s.v = (ratePerS * Math.max(0, tMs - sinceMs)) / 1000;
    s.tMs = tMs;
  } else if (tMs > s.tMs) {
    s.v += (ratePerS * (tMs - s.tMs)) / 1000;
    s.tMs = tMs;
  }
  return s.v;
}

export interface ContainerSeries {
  readonly spec: ContainerSpec;
  /** Identity hash of pod/container (seeds the usage model). */
  readonly key: number;
  readonly cpu: Slot;
  readonly ws: Slot;
  readonly rss: Slot;
  readonly rx: Slot;
  readonly tx: Slot;
  readonly fs: Slot;
  readonly procUser: Slot;
  readonly procSystem: Slot;
  readonly procRss: Slot;
  readonly cpuRequest: Slot;
  readonly memRequest: Slot;
  readonly cpuLimit: Slot | undefined;
  readonly memLimit: Slot | undefined;
  readonly restarts: Slot;
}

export interface HttpSeries {
  readonly ok: Slot;
  readonly failed: Slot;
  /** One per LATENCY_BUCKETS_S entry, then `+Inf`. */
  readonly buckets: readonly Slot[];
  readonly sum: Slot;
  readonly count: Slot;
}

export interface PodSeries {
  readonly podKey: number;
  readonly latencyKey: number;
  readonly containers: readonly ContainerSeries[];
  readonly http: HttpSeries | undefined;
  readonly info: Slot;
  readonly running: Slot;
  readonly pending: Slot;
  /** Last sample time that used these series (for pruning). */
  lastMs: number;
}

export function podLabels(cluster: string, pod: PodInstance, c?: ContainerSpec): Labels {
  const w = pod.workload;
  return {
    cluster, node: pod.node ?? '', host: pod.node ?? '', namespace: w.namespace, pod: pod.name,
    ...(c ? { container: c.name, image: c.image } : {}),
    workload_kind: w.kind, workload: w.name, ...(w.service ? { service: w.service } : {}),
    label_app: w.app, ...(w.track ? { label_track: w.track } : {}),
  };
}

function containerSeries(cluster: string, pod: PodInstance, c: ContainerSpec): ContainerSeries {
  const key = hashString(`${pod.name}/${c.name}`);
  const l = podLabels(cluster, pod, c);
  const proc = { ...l, pid: String(1000 + (key % 30000)), comm: processName(c) };
  return {
    spec: c, key,
    cpu: slot('container_cpu_usage_seconds_total', l),
    ws: slot('container_memory_working_set_bytes', l),
    rss: slot('container_memory_rss', l),
    rx: slot('container_network_receive_bytes_total', l),
    tx: slot('container_network_transmit_bytes_total', l),
    fs: slot('container_fs_usage_bytes', l),
    procUser: slot('proc_cpu_seconds_total', { ...proc, mode: 'user' }),
    procSystem: slot('proc_cpu_seconds_total', { ...proc, mode: 'system' }),
    procRss: slot('proc_resident_memory_bytes', proc),
    cpuRequest: slot('kube_pod_container_resource_requests', { ...l, resource: 'cpu', unit: 'core' }),
    memRequest: slot('kube_pod_container_resource_requests', { ...l, resource: 'memory', unit: 'byte' }),
    cpuLimit: c.cpuLimitCores === undefined ? undefined : slot('kube_pod_container_resource_limits', { ...l, resource: 'cpu', unit: 'core' }),
    memLimit: c.memLimitBytes === undefined ? undefined : slot('kube_pod_container_resource_limits', { ...l, resource: 'memory', unit: 'byte' }),
    restarts: slot('kube_pod_container_status_restarts_total', l),
  };
}

function httpSeries(cluster: string, pod: PodInstance): HttpSeries {
  const l = podLabels(cluster, pod, pod.workload.containers[0]);
  const bucket = (le: string): Slot => slot('http_request_duration_seconds_bucket', { ...l, le });
  return {
    ok: slot('http_requests_total', { ...l, code: '200' }),
    failed: slot('http_requests_total', { ...l, code: '500' }),
    buckets: [...LATENCY_BUCKETS_S.map((le) => bucket(String(le))), bucket('+Inf')],
    sum: slot('http_request_duration_seconds_sum', l),
    count: slot('http_request_duration_seconds_count', l),
  };
}

export function buildPodSeries(cluster: string, pod: PodInstance): PodSeries {
  const w = pod.workload;
  const base = podLabels(cluster, pod);
  return {
    podKey: hashString(pod.name),
    latencyKey: hashString(`${pod.name}#lat`),
    containers: w.containers.map((c) => containerSeries(cluster, pod, c)),
    http: w.service !== undefined && w.latencyBaseS !== undefined ? httpSeries(cluster, pod) : undefined,
    info: slot('kube_pod_info', base),
    running: slot('kube_pod_status_phase', { ...base, phase: 'Running' }),
    pending: slot('kube_pod_status_phase', { ...base, phase: 'Pending' }),
    lastMs: 0,
  };
}

export const CPU_MODES = ['user', 'system', 'iowait', 'idle'] as const;

export interface NodeSeries {
  readonly key: number;
  /** cpu × CPU_MODES, row by row. */
  readonly cpu: readonly Slot[];
  readonly memTotal: Slot;
  readonly memAvailable: Slot;
  readonly memFree: Slot;
  readonly fsSize: Slot;
  readonly fsAvail: Slot;
  readonly fsFree: Slot;
  readonly rx: Slot;
  readonly tx: Slot;
  readonly load1: Slot;
  readonly bootTime: Slot;
  readonly ready: Slot;
  readonly diskPressure: Slot;
  readonly memoryPressure: Slot;
  readonly cpuAllocatable: Slot;
  readonly memAllocatable: Slot;
}

export function buildNodeSeries(cluster: string, n: NodeSpec): NodeSeries {
  const l = { cluster, host: n.name, node: n.name };
  const fs = { ...l, device: '/dev/nvme0n1p1', fstype: 'ext4', mountpoint: '/' };
  const net = { ...l, device: 'eth0' };
  const ks = { cluster, node: n.name };
  const cpu: Slot[] = [];
  for (let i = 0; i < n.cpuCores; i++) for (const mode of CPU_MODES) cpu.push(slot('node_cpu_seconds_total', { ...l, cpu: String(i), mode }));
  return {
    key: hashString(n.name), cpu,
    memTotal: slot('node_memory_MemTotal_bytes', l),
    memAvailable: slot('node_memory_MemAvailable_bytes', l),
    memFree: slot('node_memory_MemFree_bytes', l),
    fsSize: slot('node_filesystem_size_bytes', fs),
    fsAvail: slot('node_filesystem_avail_bytes', fs),
    fsFree: slot('node_filesystem_free_bytes', fs),
    rx: slot('node_network_receive_bytes_total', net),
    tx: slot('node_network_transmit_bytes_total', net),
    load1: slot('node_load1', l),
    bootTime: slot('node_boot_time_seconds', l),
    ready: slot('kube_node_status_condition', { ...ks, condition: 'Ready', status: 'true' }),
    diskPressure: slot('kube_node_status_condition', { ...ks, condition: 'DiskPressure', status: 'true' }),
    memoryPressure: slot('kube_node_status_condition', { ...ks, condition: 'MemoryPressure', status: 'true' }),
    cpuAllocatable: slot('kube_node_status_allocatable', { ...ks, resource: 'cpu', unit: 'core' }),
    memAllocatable: slot('kube_node_status_allocatable', { ...ks, resource: 'memory', unit: 'byte' }),
  };
}

function processName(c: ContainerSpec): string {
  if (c.image.includes('-jvm')) return 'java';
  if (c.image.includes('-py') || c.image.includes('jupyter')) return 'python3';
  if (c.image.includes('api-node')) return 'node';
  return c.name.split('-')[0] ?? c.name;
}
