/**
 * The simulated cluster: at any time it yields the samples its agents and kube-state-metrics would
 * report (same metric and label names as the real ones) and the Kubernetes events. Pure apart
 * from counter state, which integrates rates between calls; the same seed, start and sample
 * times give the same output.
 */
import type { DemoEvent } from './events.js';
import { cpuCores, diurnal, LATENCY_BUCKETS_S, latencyCdf, wobble, workingSetBytes } from './load.js';
import type { Epoch, PodInstance } from './placement.js';
import { hashString } from './rng.js';
import { buildTimeline, epochAt, PULL_DISK_FRACTION } from './scenario.js';
import type { Incident, Timeline } from './scenario.js';
import { buildTopology, GIB } from './topology.js';
import type { ContainerSpec, NodeSpec, Topology } from './topology.js';
import { METRIC_META } from './metrics.js';

export interface SimulatorOptions {
  readonly nodes: number;
  readonly seed: number;
  /** When the simulated history begins (pods exist from then on). */
  readonly startMs: number;
  readonly incidents: readonly Incident[];
  readonly cluster?: string;
}

export interface SimPoint {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The agent that reports kube-state metrics (one per cluster, like kube-state-metrics). */
export const KUBE_STATE_AGENT = 'kube-state-metrics';
const SYSTEM_MEM_BYTES = 1.4 * GIB;
const PULL_RAMP_MS = 3 * 60_000;

type Emit = (name: string, labels: Record<string, string>, value: number) => void;

interface NodeUsage {
  cpuCores: number;
  memBytes: number;
  netBytesPerS: number;
}

export class ClusterSimulator {
  readonly topology: Topology;
  readonly timeline: Timeline;
  readonly seed: number;
  private readonly _counters = new Map<string, { v: number; tMs: number }>();

  constructor(opts: SimulatorOptions) {
    this.seed = opts.seed;
    this.topology = buildTopology({ nodes: opts.nodes, seed: opts.seed, ...(opts.cluster ? { cluster: opts.cluster } : {}) });
    this.timeline = buildTimeline(this.topology, opts.seed, opts.startMs, opts.incidents);
  }

  static readonly meta = METRIC_META;

  /** Every sample at `tMs`, grouped by the agent that reports it (node name, or KUBE_STATE_AGENT). */
  sample(tMs: number): Map<string, SimPoint[]> {
    const epoch = epochAt(this.timeline, tMs);
    const out = new Map<string, SimPoint[]>();
    const emitTo = (agent: string): Emit => {
      let list = out.get(agent);
      if (!list) out.set(agent, (list = []));
      const l = list;
      return (name, labels, value) => l.push({ labels: { __name__: name, ...labels }, value });
    };
    const usage = new Map<string, NodeUsage>();
    const severity = this._prodSeverity(epoch);
    for (const pod of epoch.pods.values()) {
      if (pod.node === undefined || !epoch.nodes.get(pod.node)?.ready) continue;
      const u = usage.get(pod.node) ?? { cpuCores: 0, memBytes: 0, netBytesPerS: 0 };
      usage.set(pod.node, u);
      this._pod(pod, tMs, severity, emitTo(pod.node), u);
    }
    for (const n of this.topology.nodes) {
      if (!epoch.nodes.get(n.name)?.ready) continue;
      this._node(n, epoch, tMs, usage.get(n.name) ?? { cpuCores: 0, memBytes: 0, netBytesPerS: 0 }, emitTo(n.name));
    }
    this._kubeState(epoch, tMs, emitTo(KUBE_STATE_AGENT));
    return out;
  }

  /** Events with `fromMs < atMs <= toMs`, oldest first: the scripted ones and periodic restarts. */
  eventsBetween(fromMs: number, toMs: number): DemoEvent[] {
    const scripted = this.timeline.events.filter((e) => e.atMs > fromMs && e.atMs <= toMs);
    const periodic: DemoEvent[] = [];
    const epoch = epochAt(this.timeline, toMs);
    for (const pod of epoch.pods.values()) {
      const period = restartPeriodMs(pod);
      if (period === undefined || pod.node === undefined) continue;
      const first = Math.floor((Math.max(fromMs, pod.startMs) - pod.startMs) / period) + 1;
      for (let k = first; pod.startMs + k * period <= toMs; k++) {
        const atMs = pod.startMs + k * period;
        if (atMs <= fromMs) continue;
        const w = pod.workload;
        const oom = w.kind !== 'Job';
        periodic.push({
          atMs, type: 'Warning', reason: oom ? 'OOMKilled' : 'BackOff', source: 'kubernetes', count: k,
          message: oom ? `Container ${w.containers[0]!.name} exceeded its memory limit and was restarted` : `Back-off restarting failed container ${w.containers[0]!.name} in pod ${pod.name}`,
          object: { kind: 'Pod', name: pod.name, namespace: w.namespace },
          labels: { cluster: this.topology.cluster, namespace: w.namespace, workload_kind: w.kind, workload: w.name, pod: pod.name, node: pod.node, container: w.containers[0]!.name },
        });
      }
    }
    return [...scripted, ...periodic].sort((a, b) => a.atMs - b.atMs);
  }

  /** Forgets counter state of series not seen for an hour (pods that went away). */
  prune(nowMs: number): void {
    for (const [k, c] of this._counters) if (c.tMs < nowMs - 3_600_000) this._counters.delete(k);
  }

  private _counter(key: string, ratePerS: number, tMs: number, sinceMs: number): number {
    const c = this._counters.get(key);
    if (!c) {
      const v = ratePerS * Math.max(0, tMs - sinceMs) / 1000;
      this._counters.set(key, { v, tMs });
      return v;
    }
    if (tMs > c.tMs) {
      c.v += ratePerS * (tMs - c.tMs) / 1000;
      c.tMs = tMs;
    }
    return c.v;
  }

  /** 0..1: how badly prod is hurt (share of prod pods not running, amplified). */
  private _prodSeverity(epoch: Epoch): number {
    let total = 0;
    let down = 0;
    for (const p of epoch.pods.values()) {
      if (p.workload.namespace !== 'prod') continue;
      total++;
      if (p.node === undefined || !epoch.nodes.get(p.node)?.ready) down++;
    }
    return total === 0 ? 0 : Math.min(1, (2.5 * down) / total);
  }

  private _labels(pod: PodInstance, c?: ContainerSpec): Record<string, string> {
    const w = pod.workload;
    return {
      cluster: this.topology.cluster, node: pod.node ?? '', host: pod.node ?? '', namespace: w.namespace, pod: pod.name,
      ...(c ? { container: c.name, image: c.image } : {}),
      workload_kind: w.kind, workload: w.name, ...(w.service ? { service: w.service } : {}),
      label_app: w.app, ...(w.track ? { label_track: w.track } : {}),
    };
  }

  private _leakFraction(pod: PodInstance, tMs: number): number {
    for (const l of this.timeline.leaks) {
      if (l.podName === pod.name && tMs >= l.fromMs && tMs <= l.untilMs) return ((tMs - l.fromMs) / (l.untilMs - l.fromMs)) ** 1.6;
    }
    return 0;
  }

  private _degradation(pod: PodInstance, tMs: number, severity: number): { latency: number; errors: number } {
    let latency = 1 + 1.5 * severity;
    let errors = 0.002 + 0.08 * severity * severity;
    for (const d of this.timeline.degradations) {
      if (tMs < d.fromMs || tMs > d.untilMs || d.namespace !== pod.workload.namespace) continue;
      if (d.workload !== pod.workload.name) continue;
      latency *= d.latencyFactor;
      errors += d.errorRatio;
    }
    return { latency, errors };
  }

  private _pod(pod: PodInstance, tMs: number, severity: number, emit: Emit, u: NodeUsage): void {
    const w = pod.workload;
    const leak = this._leakFraction(pod, tMs);
    const deg = this._degradation(pod, tMs, severity);
    for (const c of w.containers) {
      const key = hashString(`${pod.name}/${c.name}`);
      const labels = this._labels(pod, c);
      const cpu = cpuCores(c, this.seed, key, tMs, (1 + 0.5 * severity) * (1 + 2 * leak));
      let ws = workingSetBytes(c, this.seed, key, tMs);
      if (leak > 0 && c === w.containers[0]) ws = this._leakWs(pod, ws, leak, u);
      const net = cpu * (c.profile === 'web' ? 2.5e6 : 6e5);
      u.cpuCores += cpu;
      u.memBytes += ws;
      u.netBytesPerS += net;
      const id = `${pod.name}/${c.name}`;
      emit('container_cpu_usage_seconds_total', labels, this._counter(`cpu/${id}`, cpu, tMs, pod.startMs));
      emit('container_memory_working_set_bytes', labels, Math.round(ws));
      emit('container_memory_rss', labels, Math.round(ws * 0.86));
      emit('container_network_receive_bytes_total', labels, Math.round(this._counter(`rx/${id}`, net, tMs, pod.startMs)));
      emit('container_network_transmit_bytes_total', labels, Math.round(this._counter(`tx/${id}`, net * 1.4, tMs, pod.startMs)));
      emit('container_fs_usage_bytes', labels, Math.round(40e6 + ((tMs - pod.startMs) / 3_600_000) * 8e6));
      const comm = processName(c);
      const proc = { ...labels, pid: String(1000 + (key % 30000)), comm };
      emit('proc_cpu_seconds_total', { ...proc, mode: 'user' }, this._counter(`pu/${id}`, cpu * 0.85, tMs, pod.startMs));
      emit('proc_cpu_seconds_total', { ...proc, mode: 'system' }, this._counter(`ps/${id}`, cpu * 0.15, tMs, pod.startMs));
      emit('proc_resident_memory_bytes', proc, Math.round(ws * 0.8));
    }
    if (w.service !== undefined && w.latencyBaseS !== undefined) this._http(pod, tMs, deg, leak, emit);
  }

  /** The leaking container grows until its node's memory is exhausted at the leak's end. */
  private _leakWs(pod: PodInstance, ws: number, leak: number, u: NodeUsage): number {
    const node = this.topology.nodes.find((n) => n.name === pod.node)!;
    const headroom = Math.max(0, node.memBytes * 0.985 - SYSTEM_MEM_BYTES - u.memBytes * 1.6 - ws);
    return ws + leak * headroom;
  }

  private _http(pod: PodInstance, tMs: number, deg: { latency: number; errors: number }, leak: number, emit: Emit): void {
    const w = pod.workload;
    const scale = this.topology.nodes.length / 12;
    const nsRps = (w.namespace === 'prod' ? 420 : 15) * scale;
    const rps = (nsRps * (w.trafficShare ?? 0.1) * diurnal(tMs) * wobble(this.seed, hashString(pod.name), tMs, 0.1)) / Math.max(1, w.replicas);
    const meanS = w.latencyBaseS! * (1 + 0.35 * diurnal(tMs) ** 2) * deg.latency * (1 + 4 * leak) * wobble(this.seed, hashString(`${pod.name}#lat`), tMs, 0.08);
    const errors = Math.min(0.9, deg.errors);
    const labels = this._labels(pod, w.containers[0]);
    const id = pod.name;
    emit('http_requests_total', { ...labels, code: '200' }, Math.round(this._counter(`r200/${id}`, rps * (1 - errors), tMs, pod.startMs)));
    emit('http_requests_total', { ...labels, code: '500' }, Math.round(this._counter(`r500/${id}`, rps * errors, tMs, pod.startMs)));
    for (const le of LATENCY_BUCKETS_S) {
      emit('http_request_duration_seconds_bucket', { ...labels, le: String(le) }, this._counter(`b${le}/${id}`, rps * latencyCdf(le, meanS), tMs, pod.startMs));
    }
    emit('http_request_duration_seconds_bucket', { ...labels, le: '+Inf' }, this._counter(`binf/${id}`, rps, tMs, pod.startMs));
    emit('http_request_duration_seconds_sum', labels, this._counter(`sum/${id}`, rps * meanS, tMs, pod.startMs));
    emit('http_request_duration_seconds_count', labels, this._counter(`cnt/${id}`, rps, tMs, pod.startMs));
  }

  private _diskUsedFraction(n: NodeSpec, epoch: Epoch, tMs: number): number {
    let f = n.diskBaseFraction + 0.004 * ((tMs - this.timeline.epochs[0]!.atMs) / 3_600_000);
    for (const at of epoch.pulls.get(n.name) ?? []) f += PULL_DISK_FRACTION * Math.min(1, Math.max(0, (tMs - at) / PULL_RAMP_MS));
    return Math.min(0.995, f);
  }

  private _node(n: NodeSpec, epoch: Epoch, tMs: number, u: NodeUsage, emit: Emit): void {
    const labels = { cluster: this.topology.cluster, host: n.name, node: n.name };
    const key = hashString(n.name);
    const busy = Math.min(n.cpuCores, u.cpuCores + 0.12 * n.cpuCores * wobble(this.seed, key, tMs, 0.2));
    const pressure = epoch.nodes.get(n.name)?.diskPressure ? 0.25 : 0.02;
    for (let cpu = 0; cpu < n.cpuCores; cpu++) {
      const share = busy / n.cpuCores;
      const id = `${n.name}/${cpu}`;
      const modes: [string, number][] = [['user', share * 0.72], ['system', share * 0.2], ['iowait', pressure * (1 - share)], ['idle', Math.max(0, 1 - share * 0.92 - pressure * (1 - share))]];
      for (const [mode, frac] of modes) {
        emit('node_cpu_seconds_total', { ...labels, cpu: String(cpu), mode }, this._counter(`ncpu/${id}/${mode}`, frac, tMs, tMs - 86_400_000 * 3));
      }
    }
    const used = Math.min(n.memBytes * 0.995, SYSTEM_MEM_BYTES + u.memBytes);
    emit('node_memory_MemTotal_bytes', labels, n.memBytes);
    emit('node_memory_MemAvailable_bytes', labels, Math.round(n.memBytes - used));
    emit('node_memory_MemFree_bytes', labels, Math.round((n.memBytes - used) * 0.35));
    const fs = { ...labels, device: '/dev/nvme0n1p1', fstype: 'ext4', mountpoint: '/' };
    const avail = Math.round(n.diskBytes * (1 - this._diskUsedFraction(n, epoch, tMs)));
    emit('node_filesystem_size_bytes', fs, n.diskBytes);
    emit('node_filesystem_avail_bytes', fs, avail);
    emit('node_filesystem_free_bytes', fs, avail + Math.round(n.diskBytes * 0.05));
    const net = { ...labels, device: 'eth0' };
    emit('node_network_receive_bytes_total', net, Math.round(this._counter(`nrx/${n.name}`, u.netBytesPerS + 2e4, tMs, tMs - 86_400_000)));
    emit('node_network_transmit_bytes_total', net, Math.round(this._counter(`ntx/${n.name}`, u.netBytesPerS * 1.4 + 2e4, tMs, tMs - 86_400_000)));
    emit('node_load1', labels, busy * (1 + pressure * 4));
    emit('node_boot_time_seconds', labels, Math.floor(this.timeline.epochs[0]!.atMs / 1000) - 86_400 * 9);
  }

  private _kubeState(epoch: Epoch, tMs: number, emit: Emit): void {
    const cluster = this.topology.cluster;
    for (const n of this.topology.nodes) {
      const c = epoch.nodes.get(n.name)!;
      const l = { cluster, node: n.name };
      emit('kube_node_status_condition', { ...l, condition: 'Ready', status: 'true' }, c.ready ? 1 : 0);
      emit('kube_node_status_condition', { ...l, condition: 'DiskPressure', status: 'true' }, c.diskPressure ? 1 : 0);
      emit('kube_node_status_condition', { ...l, condition: 'MemoryPressure', status: 'true' }, c.memoryPressure ? 1 : 0);
      emit('kube_node_status_allocatable', { ...l, resource: 'cpu', unit: 'core' }, n.cpuCores);
      emit('kube_node_status_allocatable', { ...l, resource: 'memory', unit: 'byte' }, n.memBytes * 0.9);
    }
    for (const pod of epoch.pods.values()) {
      const running = pod.node !== undefined && epoch.nodes.get(pod.node)?.ready === true;
      const base = this._labels(pod);
      emit('kube_pod_info', base, 1);
      emit('kube_pod_status_phase', { ...base, phase: 'Running' }, running ? 1 : 0);
      emit('kube_pod_status_phase', { ...base, phase: 'Pending' }, pod.node === undefined ? 1 : 0);
      for (const c of pod.workload.containers) {
        const l = this._labels(pod, c);
        emit('kube_pod_container_resource_requests', { ...l, resource: 'cpu', unit: 'core' }, c.cpuRequestCores);
        emit('kube_pod_container_resource_requests', { ...l, resource: 'memory', unit: 'byte' }, c.memRequestBytes);
        if (c.cpuLimitCores !== undefined) emit('kube_pod_container_resource_limits', { ...l, resource: 'cpu', unit: 'core' }, c.cpuLimitCores);
        if (c.memLimitBytes !== undefined) emit('kube_pod_container_resource_limits', { ...l, resource: 'memory', unit: 'byte' }, c.memLimitBytes);
        const period = c === pod.workload.containers[0] ? restartPeriodMs(pod) : undefined;
        emit('kube_pod_container_status_restarts_total', l, period === undefined ? 0 : Math.max(0, Math.floor((tMs - pod.startMs) / period)));
      }
    }
  }
}

/** Pods that restart on a schedule: the flaky e2e job, and one ETL worker that hits its memory limit. */
export function restartPeriodMs(pod: PodInstance): number | undefined {
  const w = pod.workload;
  if (w.namespace === 'test' && w.name === 'e2e-runner') return 23 * 60_000;
  if (w.name === 'etl-worker' && pod.slot.endsWith('/0')) return 97 * 60_000;
  return undefined;
}

function processName(c: ContainerSpec): string {
  if (c.image.includes('-jvm')) return 'java';
  if (c.image.includes('-py') || c.image.includes('jupyter')) return 'python3';
  if (c.image.includes('api-node')) return 'node';
  return c.name.split('-')[0] ?? c.name;
}

