/**
 * Scripted, replayable incidents and the timeline they produce: placement epochs (which pod runs
 * where), node conditions, and Kubernetes events. Pure: the same topology, seed and incidents
 * give the same timeline.
 *
 * - `domino` (the seeds' story): a Java back end without a memory limit leaks; its node runs out
 *   of memory and goes NotReady; its pods are evicted and rescheduled onto nodes whose disks were
 *   already well filled; image pulls fill them (DiskPressure), the leak moves with the pod and
 *   kills the next node, pods go Pending, and the cluster falls over until it is repaired.
 * - `canary`: a new build on one canary track raises its latency and errors, then is rolled back.
 */
import type { DemoEvent } from './events.js';
import { Scheduler } from './placement.js';
import type { Epoch, NodeCondition, PodInstance } from './placement.js';
import { suffix } from './rng.js';
import type { Topology } from './topology.js';

export type Incident =
  | { readonly kind: 'domino'; readonly atMs: number }
  | { readonly kind: 'canary'; readonly atMs: number; readonly app?: string; readonly track?: string };

export const MINUTE_MS = 60_000;
export const DOMINO_DURATION_MS = 55 * MINUTE_MS;
export const CANARY_DURATION_MS = 25 * MINUTE_MS;

/** A container whose memory grows until its node dies, from `fromMs` to `untilMs`. */
export interface Leak {
  readonly podName: string;
  readonly node: string;
  readonly fromMs: number;
  readonly untilMs: number;
}

/** A workload whose latency and errors rise between `fromMs` and `untilMs`. */
export interface Degradation {
  readonly namespace: string;
  readonly workload: string;
  readonly fromMs: number;
  readonly untilMs: number;
  readonly latencyFactor: number;
  readonly errorRatio: number;
}

export interface Timeline {
  readonly epochs: readonly Epoch[];
  readonly events: readonly DemoEvent[];
  readonly leaks: readonly Leak[];
  readonly degradations: readonly Degradation[];
}

class Builder {
  readonly epochs: Epoch[] = [];
  readonly events: DemoEvent[] = [];
  readonly leaks: Leak[] = [];
  readonly degradations: Degradation[] = [];
  readonly sched: Scheduler;

  constructor(
    readonly topo: Topology,
    readonly seed: number,
    startMs: number,
  ) {
    this.sched = new Scheduler(topo, seed);
    this.epochs.push(this.sched.initial(startMs));
  }

  get last(): Epoch {
    return this.epochs[this.epochs.length - 1]!;
  }

  push(e: Epoch): void {
    if (e.atMs < this.last.atMs) throw new Error(`incidents overlap: epoch at ${e.atMs} before ${this.last.atMs}`);
    if (e.atMs === this.last.atMs) this.epochs[this.epochs.length - 1] = e;
    else this.epochs.push(e);
  }

  event(atMs: number, type: 'Normal' | 'Warning', reason: string, message: string, object: DemoEvent['object'], labels: Record<string, string>): void {
    this.events.push({ atMs, type, reason, message, source: 'kubernetes', count: 1, object, labels: { cluster: this.topo.cluster, ...labels } });
  }

  podEvent(atMs: number, type: 'Normal' | 'Warning', reason: string, message: string, p: PodInstance): void {
    const w = p.workload;
    this.event(atMs, type, reason, message, { kind: 'Pod', name: p.name, namespace: w.namespace }, {
      namespace: w.namespace, workload_kind: w.kind, workload: w.name, pod: p.name,
      ...(p.node !== undefined ? { node: p.node } : {}), ...(w.service !== undefined ? { service: w.service } : {}),
    });
  }

  setNodes(atMs: number, change: Record<string, Partial<NodeCondition>>): void {
    const nodes = new Map(this.last.nodes);
    for (const [name, c] of Object.entries(change)) nodes.set(name, { ...nodes.get(name)!, ...c });
    this.push({ ...this.last, atMs, nodes });
  }

  /** Evicts the pods (not DaemonSets) on the given nodes and reschedules them a few seconds later. */
  evictFrom(atMs: number, nodes: ReadonlySet<string>, reason: string, filter: (p: PodInstance) => boolean = () => true): PodInstance[] {
    const victims = [...this.last.pods.values()].filter((p) => p.node !== undefined && nodes.has(p.node) && p.workload.kind !== 'DaemonSet' && filter(p));
    for (const p of victims) this.podEvent(atMs, 'Warning', reason === 'NodeNotReady' ? 'TaintManagerEviction' : 'Evicted', reason === 'NodeNotReady' ? `Marking for deletion Pod ${p.workload.namespace}/${p.name}` : `The node was low on resource: ${reason}.`, p);
    return this.reschedule(atMs + 5_000, victims.map((p) => this.sched.reincarnate(p, atMs + 5_000)));
  }

  reschedule(atMs: number, pods: readonly PodInstance[]): PodInstance[] {
    const r = this.sched.place(this.last, pods, atMs);
    this.push(r.epoch);
    for (const p of r.placed) {
      this.podEvent(atMs, 'Normal', 'Scheduled', `Successfully assigned ${p.workload.namespace}/${p.name} to ${p.node ?? ''}`, p);
      this.podEvent(atMs + 20_000, 'Normal', 'Pulled', `Container image "${p.workload.containers[0]!.image}" pulled`, p);
      this.podEvent(atMs + 25_000, 'Normal', 'Started', `Started container ${p.workload.containers[0]!.name}`, p);
    }
    const nodes = this.topo.nodes.length;
    const down = [...this.last.nodes.values()].filter((c) => !c.ready).length;
    const disk = [...this.last.nodes.values()].filter((c) => c.ready && c.diskPressure).length;
    for (const p of r.pending) {
      this.podEvent(atMs, 'Warning', 'FailedScheduling', `0/${nodes} nodes are available: ${down} node(s) had untolerated taint {node.kubernetes.io/not-ready}, ${disk} node(s) had disk pressure, ${nodes - down - disk} Insufficient memory.`, p);
    }
    return r.placed;
  }

  nodeEvent(atMs: number, type: 'Normal' | 'Warning', reason: string, message: string, node: string): void {
    this.event(atMs, type, reason, message, { kind: 'Node', name: node }, { node });
  }
}

/** Disk fraction a pulled image adds to a node (images, layers, logs of the new pod). */
export const PULL_DISK_FRACTION = 0.04;

function dominoLeakPod(b: Builder): PodInstance | undefined {
  const pods = [...b.last.pods.values()].filter((p) => p.node !== undefined && p.workload.namespace === 'prod' && p.workload.containers.some((c) => c.memLimitBytes === undefined && c.profile === 'backend'));
  return pods.find((p) => p.workload.track === 'production') ?? pods[0];
}

function diskFraction(b: Builder, node: string, atMs: number): number {
  const spec = b.topo.nodes.find((n) => n.name === node)!;
  const pulls = (b.last.pulls.get(node) ?? []).filter((t) => t <= atMs).length;
  return spec.diskBaseFraction + pulls * PULL_DISK_FRACTION;
}

function killNode(b: Builder, atMs: number, node: string, leakPod: PodInstance): void {
  b.nodeEvent(atMs - 30_000, 'Warning', 'SystemOOM', `System OOM encountered, victim process: java, pid: ${4000 + (atMs % 997)}`, node);
  b.podEvent(atMs - 30_000, 'Warning', 'OOMKilled', `Container ${leakPod.workload.containers[0]!.name} was OOM-killed (no memory limit set)`, leakPod);
  b.nodeEvent(atMs, 'Normal', 'NodeNotReady', `Node ${node} status is now: NodeNotReady`, node);
  b.setNodes(atMs, { [node]: { ready: false, memoryPressure: true } });
}

/** Marks DiskPressure on ready nodes filled past the threshold and evicts a share of their newest pods. */
function diskPressure(b: Builder, atMs: number, threshold = 0.9): void {
  const hit = new Set<string>();
  for (const n of b.topo.nodes) {
    const c = b.last.nodes.get(n.name)!;
    if (c.ready && !c.diskPressure && diskFraction(b, n.name, atMs) > threshold) hit.add(n.name);
  }
  if (hit.size === 0) return;
  for (const n of hit) b.nodeEvent(atMs, 'Warning', 'EvictionThresholdMet', 'Attempting to reclaim ephemeral-storage', n);
  b.setNodes(atMs, Object.fromEntries([...hit].map((n) => [n, { diskPressure: true }])));
  b.evictFrom(atMs + 10_000, hit, 'ephemeral-storage', (p) => p.startMs > atMs - 30 * MINUTE_MS);
}

function domino(b: Builder, d: number): void {
  const first = dominoLeakPod(b);
  if (!first) return;
  let leak: PodInstance = first;
  const deaths = [9, 21, 31].map((m) => d + m * MINUTE_MS);
  let from = d;
  const dead = new Set<string>();
  for (const [i, at] of deaths.entries()) {
    const node = leak.node!;
    b.leaks.push({ podName: leak.name, node, fromMs: from, untilMs: at });
    killNode(b, at, node, leak);
    dead.add(node);
    b.evictFrom(at + 60_000, new Set([node]), 'NodeNotReady');
    const moved: PodInstance = b.last.pods.get(leak.slot)!;
    diskPressure(b, at + 4 * MINUTE_MS);
    if (i === deaths.length - 1 || moved.node === undefined) break;
    leak = moved;
    from = moved.startMs;
  }
  // The disks the evicted pods filled reach their thresholds too: the cluster falls over.
  diskPressure(b, d + 36 * MINUTE_MS, 0.86);
  diskPressure(b, d + 42 * MINUTE_MS, 0.84);
  recover(b, d + DOMINO_DURATION_MS, dead);
}

/** The operators' repair: nodes back, disks cleaned, Pending pods placed. */
function recover(b: Builder, atMs: number, dead: ReadonlySet<string>): void {
  for (const n of dead) b.nodeEvent(atMs, 'Normal', 'NodeReady', `Node ${n} status is now: NodeReady`, n);
  b.setNodes(atMs, Object.fromEntries(b.topo.nodes.map((n) => [n.name, { ready: true, diskPressure: false, memoryPressure: false }])));
  b.push({ ...b.last, atMs, pulls: new Map() });
  const pending = [...b.last.pods.values()].filter((p) => p.node === undefined);
  b.reschedule(atMs + 30_000, pending);
}

function canary(b: Builder, inc: Extract<Incident, { kind: 'canary' }>): void {
  const app = inc.app ?? 'api';
  const track = inc.track ?? 'free';
  const w = b.topo.workloads.find((x) => x.namespace === 'prod' && x.app === app && x.track === track);
  if (!w) return;
  const rollout = (atMs: number, hash: string, image: string): void => {
    const old = [...b.last.pods.values()].filter((p) => p.workload === w && p.node !== undefined);
    b.event(atMs, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${w.name}-${hash} to ${w.replicas}`, { kind: 'Deployment', name: w.name, namespace: w.namespace }, { namespace: w.namespace, workload_kind: 'Deployment', workload: w.name, ...(w.service ? { service: w.service } : {}) });
    const next = old.map((p) => b.sched.reincarnate(p, atMs, hash));
    b.push({ ...b.last, atMs, pods: new Map([...b.last.pods].filter(([slot]) => !old.some((p) => p.slot === slot))) });
    const placed = b.reschedule(atMs, next);
    for (const p of placed) b.podEvent(atMs + 1000, 'Normal', 'Pulling', `Pulling image "${image}"`, p);
  };
  const newHash = suffix(b.seed, `${w.name}#canary#${inc.atMs}`, 9);
  rollout(inc.atMs, newHash, `${w.containers[0]!.image}-rc1`);
  b.degradations.push({ namespace: w.namespace, workload: w.name, fromMs: inc.atMs + MINUTE_MS, untilMs: inc.atMs + CANARY_DURATION_MS, latencyFactor: 9, errorRatio: 0.05 });
  rollout(inc.atMs + CANARY_DURATION_MS, w.templateHash, w.containers[0]!.image);
}

/** The timeline from `startMs` with the incidents, in time order. */
export function buildTimeline(topo: Topology, seed: number, startMs: number, incidents: readonly Incident[]): Timeline {
  const b = new Builder(topo, seed, startMs);
  for (const inc of [...incidents].sort((x, y) => x.atMs - y.atMs)) {
    if (inc.atMs < startMs) throw new Error(`incident ${inc.kind} at ${new Date(inc.atMs).toISOString()} is before the simulation starts`);
    if (inc.kind === 'domino') domino(b, inc.atMs);
    else canary(b, inc);
  }
  b.events.sort((x, y) => x.atMs - y.atMs);
  return { epochs: b.epochs, events: b.events, leaks: b.leaks, degradations: b.degradations };
}

/** The epoch in force at `tMs` (binary search). */
export function epochAt(t: Timeline, tMs: number): Epoch {
  const e = t.epochs;
  let lo = 0;
  let hi = e.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (e[mid]!.atMs <= tMs) lo = mid;
    else hi = mid - 1;
  }
  return e[lo]!;
}
