/**
 * The simulated cluster: at any time it yields the samples its agents and kube-state-metrics would
 * report (same metric and label names as the real ones) and the Kubernetes events. Pure apart
 * from counter state, which integrates rates between calls; the same seed, start and sample
 * times give the same output.
 */
import type { DemoEvent } from './events.js';
import { cpuCores, diurnal, LATENCY_BUCKETS_S, latencyCdf, wobble, workingSetBytes } from './load.js';
import type { Epoch, PodInstance } from './placement.js';
import { buildTimeline, epochAt, PULL_DISK_FRACTION } from './scenario.js';
import type { Incident, Timeline } from './scenario.js';
import { buildTopology, GIB } from './topology.js';
import type { NodeSpec, Topology } from './topology.js';
import { buildNodeSeries, buildPodSeries, count, CPU_MODES } from './series.js';
import type { NodeSeries, PodSeries } from './series.js';
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
  /** The same frozen object for the same series on every `sample` call (until `prune` forgets it). */
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The agent that reports kube-state metrics (one per cluster, like kube-state-metrics). */
export const KUBE_STATE_AGENT = 'kube-state-metrics';
const SYSTEM_MEM_BYTES = 1.4 * GIB;
const PULL_RAMP_MS = 3 * 60_000;

interface NodeUsage {
  cpuCores: number;
  memBytes: number;
  netBytesPerS: number;
}

export class ClusterSimulator {
  readonly topology: Topology;
  readonly timeline: Timeline;
  readonly seed: number;
  /** Series of each pod incarnation on its node (`name\u0000node`). */
  private readonly _pods = new Map<string, PodSeries>();
  private readonly _nodes: ReadonlyMap<string, { spec: NodeSpec; series: NodeSeries }>;

  constructor(opts: SimulatorOptions) {
    this.seed = opts.seed;
    this.topology = buildTopology({ nodes: opts.nodes, seed: opts.seed, ...(opts.cluster ? { cluster: opts.cluster } : {}) });
    this.timeline = buildTimeline(this.topology, opts.seed, opts.startMs, opts.incidents);
    this._nodes = new Map(this.topology.nodes.map((n) => [n.name, { spec: n, series: buildNodeSeries(this.topology.cluster, n) }]));
  }

  static readonly meta = METRIC_META;

  /**
   * Every sample at `tMs`, grouped by the agent that reports it (node name, or KUBE_STATE_AGENT).
   * A series' `labels` is the same (frozen) object on every call until `prune` forgets it.
   */
  sample(tMs: number): Map<string, SimPoint[]> {
    const epoch = epochAt(this.timeline, tMs);
    const out = new Map<string, SimPoint[]>();
    const listOf = (agent: string): SimPoint[] => {
      let list = out.get(agent);
      if (!list) out.set(agent, (list = []));
      return list;
    };
    const usage = new Map<string, NodeUsage>();
    const severity = this._prodSeverity(epoch);
    for (const pod of epoch.pods.values()) {
      if (pod.node === undefined || !epoch.nodes.get(pod.node)?.ready) continue;
      let u = usage.get(pod.node);
      if (!u) usage.set(pod.node, (u = { cpuCores: 0, memBytes: 0, netBytesPerS: 0 }));
      this._pod(pod, this._series(pod, tMs), tMs, severity, listOf(pod.node), u);
    }
    for (const n of this.topology.nodes) {
      if (!epoch.nodes.get(n.name)?.ready) continue;
      this._node(n, epoch, tMs, usage.get(n.name) ?? { cpuCores: 0, memBytes: 0, netBytesPerS: 0 }, listOf(n.name));
    }
    this._kubeState(epoch, tMs, listOf(KUBE_STATE_AGENT));
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

  /** Forgets the series (and counter state) of pods not sampled for an hour (pods that went away). */
  prune(nowMs: number): void {
    for (const [k, s] of this._pods) if (s.lastMs < nowMs - 3_600_000) this._pods.delete(k);
  }

  private _series(pod: PodInstance, tMs: number): PodSeries {
    const key = `${pod.name}\u0000${pod.node ?? ''}`;
    let s = this._pods.get(key);
    if (!s) this._pods.set(key, (s = buildPodSeries(this.topology.cluster, pod)));
    if (tMs > s.lastMs) s.lastMs = tMs;
    return s;
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

  private _pod(pod: PodInstance, s: PodSeries, tMs: number, severity: number, out: SimPoint[], u: NodeUsage): void {
    const leak = this._leakFraction(pod, tMs);
    const since = pod.startMs;
    for (const c of s.containers) {
      const spec = c.spec;
      const cpu = cpuCores(spec, this.seed, c.key, tMs, (1 + 0.5 * severity) * (1 + 2 * leak));
      let ws = workingSetBytes(spec, this.seed, c.key, tMs);
      if (leak > 0 && c === s.containers[0]) ws = this._leakWs(pod, ws, leak, u);
      const net = cpu * (spec.profile === 'web' ? 2.5e6 : 6e5);
      u.cpuCores += cpu;
      u.memBytes += ws;
      u.netBytesPerS += net;
      out.push(
        { labels: c.cpu.labels, value: count(c.cpu, cpu, tMs, since) },
        { labels: c.ws.labels, value: Math.round(ws) },
        { labels: c.rss.labels, value: Math.round(ws * 0.86) },
        { labels: c.rx.labels, value: Math.round(count(c.rx, net, tMs, since)) },
        { labels: c.tx.labels, value: Math.round(count(c.tx, net * 1.4, tMs, since)) },
        { labels: c.fs.labels, value: Math.round(40e6 + ((tMs - since) / 3_600_000) * 8e6) },
        { labels: c.procUser.labels, value: count(c.procUser, cpu * 0.85, tMs, since) },
        { labels: c.procSystem.labels, value: count(c.procSystem, cpu * 0.15, tMs, since) },
        { labels: c.procRss.labels, value: Math.round(ws * 0.8) },
      );
    }
    if (s.http) this._http(pod, s, tMs, this._degradation(pod, tMs, severity), leak, out);
  }

  /** The leaking container grows until its node's memory is exhausted at the leak's end. */
  private _leakWs(pod: PodInstance, ws: number, leak: number, u: NodeUsage): number {
    const node = this._nodes.get(pod.node!)!.spec;
    const headroom = Math.max(0, node.memBytes * 0.985 - SYSTEM_MEM_BYTES - u.memBytes * 1.6 - ws);
    return ws + leak * headroom;
  }

  private _http(pod: PodInstance, s: PodSeries, tMs: number, deg: { latency: number; errors: number }, leak: number, out: SimPoint[]): void {
    const w = pod.workload;
    const h = s.http!;
    const scale = this.topology.nodes.length / 12;
    const nsRps = (w.namespace === 'prod' ? 420 : 15) * scale;
    const rps = (nsRps * (w.trafficShare ?? 0.1) * diurnal(tMs) * wobble(this.seed, s.podKey, tMs, 0.1)) / Math.max(1, w.replicas);
    const meanS = w.latencyBaseS! * (1 + 0.35 * diurnal(tMs) ** 2) * deg.latency * (1 + 4 * leak) * wobble(this.seed, s.latencyKey, tMs, 0.08);
    const errors = Math.min(0.9, deg.errors);
    const since = pod.startMs;
    out.push(
      { labels: h.ok.labels, value: Math.round(count(h.ok, rps * (1 - errors), tMs, since)) },
      { labels: h.failed.labels, value: Math.round(count(h.failed, rps * errors, tMs, since)) },
    );
    LATENCY_BUCKETS_S.forEach((le, i) => {
      const b = h.buckets[i]!;
      out.push({ labels: b.labels, value: count(b, rps * latencyCdf(le, meanS), tMs, since) });
    });
    const inf = h.buckets[LATENCY_BUCKETS_S.length]!;
    out.push(
      { labels: inf.labels, value: count(inf, rps, tMs, since) },
      { labels: h.sum.labels, value: count(h.sum, rps * meanS, tMs, since) },
      { labels: h.count.labels, value: count(h.count, rps, tMs, since) },
    );
  }

  private _diskUsedFraction(n: NodeSpec, epoch: Epoch, tMs: number): number {
    let f = n.diskBaseFraction + 0.004 * ((tMs - this.timeline.epochs[0]!.atMs) / 3_600_000);
    for (const at of epoch.pulls.get(n.name) ?? []) f += PULL_DISK_FRACTION * Math.min(1, Math.max(0, (tMs - at) / PULL_RAMP_MS));
    return Math.min(0.995, f);
  }

  private _node(n: NodeSpec, epoch: Epoch, tMs: number, u: NodeUsage, out: SimPoint[]): void {
    const s = this._nodes.get(n.name)!.series;
    const busy = Math.min(n.cpuCores, u.cpuCores + 0.12 * n.cpuCores * wobble(this.seed, s.key, tMs, 0.2));
    const pressure = epoch.nodes.get(n.name)?.diskPressure ? 0.25 : 0.02;
    const share = busy / n.cpuCores;
    const fracs = [share * 0.72, share * 0.2, pressure * (1 - share), Math.max(0, 1 - share * 0.92 - pressure * (1 - share))];
    const cpuSince = tMs - 86_400_000 * 3;
    for (let i = 0; i < s.cpu.length; i++) {
      const c = s.cpu[i]!;
      out.push({ labels: c.labels, value: count(c, fracs[i % CPU_MODES.length]!, tMs, cpuSince) });
    }
    const used = Math.min(n.memBytes * 0.995, SYSTEM_MEM_BYTES + u.memBytes);
    const avail = Math.round(n.diskBytes * (1 - this._diskUsedFraction(n, epoch, tMs)));
    const netSince = tMs - 86_400_000;
    out.push(
      { labels: s.memTotal.labels, value: n.memBytes },
      { labels: s.memAvailable.labels, value: Math.round(n.memBytes - used) },
      { labels: s.memFree.labels, value: Math.round((n.memBytes - used) * 0.35) },
      { labels: s.fsSize.labels, value: n.diskBytes },
      { labels: s.fsAvail.labels, value: avail },
      { labels: s.fsFree.labels, value: avail + Math.round(n.diskBytes * 0.05) },
      { labels: s.rx.labels, value: Math.round(count(s.rx, u.netBytesPerS + 2e4, tMs, netSince)) },
      { labels: s.tx.labels, value: Math.round(count(s.tx, u.netBytesPerS * 1.4 + 2e4, tMs, netSince)) },
      { labels: s.load1.labels, value: busy * (1 + pressure * 4) },
      { labels: s.bootTime.labels, value: Math.floor(this.timeline.epochs[0]!.atMs / 1000) - 86_400 * 9 },
    );
  }

  private _kubeState(epoch: Epoch, tMs: number, out: SimPoint[]): void {
    for (const n of this.topology.nodes) {
      const c = epoch.nodes.get(n.name)!;
      const s = this._nodes.get(n.name)!.series;
      out.push(
        { labels: s.ready.labels, value: c.ready ? 1 : 0 },
        { labels: s.diskPressure.labels, value: c.diskPressure ? 1 : 0 },
        { labels: s.memoryPressure.labels, value: c.memoryPressure ? 1 : 0 },
        { labels: s.cpuAllocatable.labels, value: n.cpuCores },
        { labels: s.memAllocatable.labels, value: n.memBytes * 0.9 },
      );
    }
    for (const pod of epoch.pods.values()) {
      const running = pod.node !== undefined && epoch.nodes.get(pod.node)?.ready === true;
      const s = this._series(pod, tMs);
      out.push(
        { labels: s.info.labels, value: 1 },
        { labels: s.running.labels, value: running ? 1 : 0 },
        { labels: s.pending.labels, value: pod.node === undefined ? 1 : 0 },
      );
      const period = restartPeriodMs(pod);
      for (const c of s.containers) {
        const spec = c.spec;
        out.push({ labels: c.cpuRequest.labels, value: spec.cpuRequestCores }, { labels: c.memRequest.labels, value: spec.memRequestBytes });
        if (c.cpuLimit) out.push({ labels: c.cpuLimit.labels, value: spec.cpuLimitCores! });
        if (c.memLimit) out.push({ labels: c.memLimit.labels, value: spec.memLimitBytes! });
        const p = c === s.containers[0] ? period : undefined;
        out.push({ labels: c.restarts.labels, value: p === undefined ? 0 : Math.max(0, Math.floor((tMs - pod.startMs) / p)) });
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
