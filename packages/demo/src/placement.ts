/**
 * Where each pod runs: pod slots (one per replica, or per node for DaemonSets), their current
 * incarnation (pod name, node, start) and a scheduler that places evicted pods on the node with
 * the most free memory requests, or leaves them Pending. Pure.
 */
import { suffix } from './rng.js';
import type { NodeSpec, Topology, WorkloadSpec } from './topology.js';

export interface PodInstance {
  readonly slot: string;
  readonly workload: WorkloadSpec;
  readonly name: string;
  /** Undefined while Pending. */
  readonly node: string | undefined;
  readonly startMs: number;
  readonly generation: number;
  readonly templateHash: string;
}

export interface NodeCondition {
  readonly ready: boolean;
  readonly diskPressure: boolean;
  readonly memoryPressure: boolean;
}

/** The cluster's state from `atMs` until the next epoch. */
export interface Epoch {
  readonly atMs: number;
  readonly pods: ReadonlyMap<string, PodInstance>;
  readonly nodes: ReadonlyMap<string, NodeCondition>;
  /** Images pulled onto each node since its disk was last cleaned (fills the disk). */
  readonly pulls: ReadonlyMap<string, readonly number[]>;
}

export function podName(seed: number, w: WorkloadSpec, slot: string, generation: number, templateHash: string, node?: string): string {
  switch (w.kind) {
    case 'StatefulSet':
      return `${w.name}-${slot.split('/').pop() ?? '0'}`;
    case 'DaemonSet':
      return `${w.name}-${suffix(seed, `${slot}#${node ?? ''}`, 5)}`;
    case 'Job':
      return `${w.name}-${suffix(seed, `${slot}#${generation}`, 5)}`;
    case 'Deployment':
      return `${w.name}-${templateHash}-${suffix(seed, `${slot}#${generation}#${templateHash}`, 5)}`;
  }
}

function memRequests(w: WorkloadSpec): number {
  return w.containers.reduce((a, c) => a + c.memRequestBytes, 0);
}

/** Allocatable memory: the node's memory less what the kubelet and system reserve. */
export function allocatableBytes(n: NodeSpec): number {
  return n.memBytes * 0.9;
}

export class Scheduler {
  constructor(
    private readonly _topology: Topology,
    private readonly _seed: number,
  ) {}

  /** The first epoch: every slot placed round-robin by free memory on healthy nodes. */
  initial(atMs: number): Epoch {
    const nodes = new Map(this._topology.nodes.map((n) => [n.name, { ready: true, diskPressure: false, memoryPressure: false }]));
    const pods = new Map<string, PodInstance>();
    for (const w of this._topology.workloads) {
      if (w.kind !== 'DaemonSet') continue;
      for (const n of this._topology.nodes) {
        const slot = `${w.namespace}/${w.name}/${n.name}`;
        pods.set(slot, this._instance(w, slot, 0, w.templateHash, n.name, atMs - 86_400_000));
      }
    }
    const pending: PodInstance[] = [];
    for (const w of this._topology.workloads) {
      if (w.kind === 'DaemonSet') continue;
      for (let r = 0; r < w.replicas; r++) {
        const slot = `${w.namespace}/${w.name}/${r}`;
        pending.push(this._instance(w, slot, 0, w.templateHash, undefined, atMs - 86_400_000 + r * 60_000));
      }
    }
    const epoch: Epoch = { atMs, pods, nodes, pulls: new Map() };
    return this.place(epoch, pending, atMs, false).epoch;
  }

  /**
   * Places pods (new incarnations get the next generation) on schedulable nodes: ready, no disk
   * pressure, enough allocatable memory for the requests. Returns the new epoch and who stayed Pending.
   */
  place(prev: Epoch, pods: readonly PodInstance[], atMs: number, countPulls = true): { epoch: Epoch; placed: PodInstance[]; pending: PodInstance[] } {
    const nextPods = new Map(prev.pods);
    const pulls = new Map(prev.pulls);
    const used = new Map<string, number>();
    for (const p of nextPods.values()) if (p.node !== undefined) used.set(p.node, (used.get(p.node) ?? 0) + memRequests(p.workload));
    const placed: PodInstance[] = [];
    const pending: PodInstance[] = [];
    for (const pod of pods) {
      const need = memRequests(pod.workload);
      let best: NodeSpec | undefined;
      let bestFree = -Infinity;
      for (const n of this._topology.nodes) {
        const cond = prev.nodes.get(n.name);
        if (!cond?.ready || cond.diskPressure) continue;
        const free = allocatableBytes(n) - (used.get(n.name) ?? 0);
        const score = free / allocatableBytes(n);
        if (free >= need && score > bestFree) {
          best = n;
          bestFree = score;
        }
      }
      const inst = best === undefined ? { ...pod, node: undefined } : { ...pod, node: best.name, startMs: atMs };
      nextPods.set(pod.slot, inst);
      if (best === undefined) {
        pending.push(inst);
        continue;
      }
      used.set(best.name, (used.get(best.name) ?? 0) + need);
      if (countPulls) pulls.set(best.name, [...(pulls.get(best.name) ?? []), atMs]);
      placed.push(inst);
    }
    return { epoch: { atMs, pods: nextPods, nodes: prev.nodes, pulls }, placed, pending };
  }

  /** A fresh incarnation of a slot (evicted, rescheduled or rolled out). */
  reincarnate(p: PodInstance, atMs: number, templateHash = p.templateHash): PodInstance {
    return this._instance(p.workload, p.slot, p.generation + 1, templateHash, undefined, atMs);
  }

  private _instance(w: WorkloadSpec, slot: string, generation: number, templateHash: string, node: string | undefined, startMs: number): PodInstance {
    return { slot, workload: w, name: podName(this._seed, w, slot, generation, templateHash, node), node, startMs, generation, templateHash };
  }
}
