/**
 * The simulated cluster's workload, Service and endpoint series (kube-state-metrics' names, as
 * packages/k8s emits them for a real cluster) and the containers' memory limits (cAdvisor's
 * `container_spec_memory_limit_bytes`), so the alert library's workload, health-check and
 * memory-near-limit rules run on the demo. Derived from the timeline's epoch at `tMs`; pure.
 */
import type { SimPoint } from './simulator.js';
import { KUBE_STATE_AGENT } from './simulator.js';
import type { ClusterSimulator } from './simulator.js';
import { epochAt } from './scenario.js';
import type { Epoch, PodInstance } from './placement.js';
import { hashString } from './rng.js';
import type { WorkloadSpec } from './topology.js';

type Emit = (name: string, labels: Record<string, string>, value: number) => void;

/** `sim.sample(tMs)` plus the extra series, grouped by the agent that reports them. */
export function sampleWithExtras(sim: ClusterSimulator, tMs: number): Map<string, SimPoint[]> {
  const out = sim.sample(tMs);
  const emitTo = (agent: string): Emit => {
    let list = out.get(agent);
    if (!list) out.set(agent, (list = []));
    const l = list;
    return (name, labels, value) => l.push({ labels: { __name__: name, ...labels }, value });
  };
  const epoch = epochAt(sim.timeline, tMs);
  const cluster = sim.topology.cluster;
  const ks = emitTo(KUBE_STATE_AGENT);
  const byWorkload = new Map<WorkloadSpec, PodInstance[]>();
  for (const p of epoch.pods.values()) {
    const list = byWorkload.get(p.workload) ?? [];
    list.push(p);
    byWorkload.set(p.workload, list);
    podSeries(p, epoch, cluster, ks, (node) => emitTo(node));
  }
  for (const w of sim.topology.workloads) workloadSeries(w, byWorkload.get(w) ?? [], epoch, cluster, ks);
  return out;
}

const running = (p: PodInstance, e: Epoch): boolean => p.node !== undefined && e.nodes.get(p.node)?.ready === true;

function podLabels(p: PodInstance, cluster: string): Record<string, string> {
  const w = p.workload;
  return {
    cluster, namespace: w.namespace, pod: p.name, workload_kind: w.kind, workload: w.name,
    ...(p.node !== undefined ? { node: p.node } : {}), ...(w.service !== undefined ? { service: w.service } : {}),
    label_app: w.app, ...(w.track ? { label_track: w.track } : {}),
  };
}

function podSeries(p: PodInstance, e: Epoch, cluster: string, ks: Emit, node: (name: string) => Emit): void {
  const w = p.workload;
  const l = podLabels(p, cluster);
  ks('kube_pod_labels', l, 1);
  if (w.service !== undefined && p.node !== undefined) {
    const ip = `10.${hashString(p.name) % 250}.${(hashString(p.name) >> 8) % 250}.${(hashString(p.name) >> 16) % 250}`;
    ks('kube_endpoint_address', { cluster, namespace: w.namespace, endpoint: w.service, ip, ready: String(running(p, e)) }, 1);
  }
  if (!running(p, e)) return;
  const emit = node(p.node!);
  for (const c of w.containers) {
    if (c.memLimitBytes === undefined) continue;
    emit('container_spec_memory_limit_bytes', { cluster, node: p.node!, host: p.node!, namespace: w.namespace, pod: p.name, container: c.name, image: c.image, workload_kind: w.kind, workload: w.name, ...(w.service ? { service: w.service } : {}), label_app: w.app, ...(w.track ? { label_track: w.track } : {}) }, c.memLimitBytes);
  }
}

function workloadSeries(w: WorkloadSpec, pods: readonly PodInstance[], e: Epoch, cluster: string, ks: Emit): void {
  const ready = pods.filter((p) => running(p, e)).length;
  const base = { cluster, namespace: w.namespace, workload_kind: w.kind, workload: w.name };
  const labels = { label_app: w.app, ...(w.track ? { label_track: w.track } : {}), ...(w.app === 'router' ? { label_app_kubernetes_io_component: 'router' } : {}) };
  if (w.service !== undefined && w.kind !== 'Job') {
    ks('fathom_service_selector_info', { cluster, namespace: w.namespace, service: w.service, selector: `app=${w.app}${w.track ? `,track=${w.track}` : ''}` }, 1);
  }
  if (w.kind === 'Deployment') {
    const l = { ...base, deployment: w.name };
    ks('kube_deployment_labels', { ...l, ...labels }, 1);
    ks('kube_deployment_spec_replicas', l, w.replicas);
    ks('kube_deployment_status_replicas_available', l, ready);
    ks('kube_deployment_status_replicas_updated', l, pods.length);
    ks('kube_deployment_metadata_generation', l, 1);
    ks('kube_deployment_status_observed_generation', l, 1);
  } else if (w.kind === 'StatefulSet') {
    const l = { ...base, statefulset: w.name };
    ks('kube_statefulset_replicas', l, w.replicas);
    ks('kube_statefulset_status_replicas_ready', l, ready);
    ks('kube_statefulset_status_replicas_updated', l, pods.length);
  } else if (w.kind === 'DaemonSet') {
    const l = { ...base, daemonset: w.name };
    const desired = [...e.nodes.values()].filter((n) => n.ready).length;
    ks('kube_daemonset_status_desired_number_scheduled', l, desired);
    ks('kube_daemonset_status_number_ready', l, Math.min(ready, desired));
    ks('kube_daemonset_status_updated_number_scheduled', l, Math.min(ready, desired));
    ks('kube_daemonset_status_number_misscheduled', l, 0);
  }
}
