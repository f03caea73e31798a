/**
 * Kube-state metrics with kube-state-metrics' names, label names and semantics, plus Fathom's
 * context labels (`workload_kind`, `workload`, `service`, `cluster`, `node`) on pod series, so
 * grouping by Deployment needs no join. Computed from the cluster component's caches on demand.
 */
import { MetricSetBuilder } from '@fathom/model';
import type { MetricSet } from '@fathom/model';
import type { ClusterState } from './cluster-state.js';
import type { ContainerState, ContainerStatus, Pod, ResourceList, Workload } from './objects.js';
import { addKubeStateExtras } from './kube-state-extra.js';
import { parseQuantity } from './quantity.js';

const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
const POD_REASONS = ['Evicted', 'NodeAffinity', 'NodeLost', 'Shutdown', 'UnexpectedAdmissionError'];
const NODE_CONDITION_STATUSES = ['true', 'false', 'unknown'];

const META: [string, 'gauge' | 'counter', string][] = [
  ['kube_pod_info', 'gauge', 'Information about pod.'],
  ['kube_pod_status_phase', 'gauge', 'The pods current phase.'],
  ['kube_pod_status_ready', 'gauge', 'Describes whether the pod is ready to serve requests.'],
  ['kube_pod_status_reason', 'gauge', 'The pod status reasons.'],
  ['kube_pod_status_unschedulable', 'gauge', 'Describes the unschedulable status for the pod.'],
  ['kube_pod_container_status_restarts_total', 'counter', 'The number of container restarts per container.'],
  ['kube_pod_container_status_ready', 'gauge', 'Describes whether the containers readiness check succeeded.'],
  ['kube_pod_container_status_waiting_reason', 'gauge', 'Describes the reason the container is currently in waiting state.'],
  ['kube_pod_container_status_last_terminated_reason', 'gauge', 'Describes the last reason the container was in terminated state.'],
  ['kube_pod_container_status_last_terminated_exitcode', 'gauge', 'Describes the exit code for the last container in terminated state.'],
  ['kube_pod_container_status_last_terminated_timestamp', 'gauge', 'Last terminated time for a pod container in unix timestamp.'],
  ['kube_pod_container_resource_requests', 'gauge', 'The number of requested request resource by a container.'],
  ['kube_pod_container_resource_limits', 'gauge', 'The number of requested limit resource by a container.'],
  ['kube_deployment_spec_replicas', 'gauge', 'Number of desired pods for a deployment.'],
  ['kube_deployment_status_replicas', 'gauge', 'The number of replicas per deployment.'],
  ['kube_deployment_status_replicas_available', 'gauge', 'The number of available replicas per deployment.'],
  ['kube_deployment_status_replicas_updated', 'gauge', 'The number of updated replicas per deployment.'],
  ['kube_statefulset_replicas', 'gauge', 'Number of desired pods for a StatefulSet.'],
  ['kube_statefulset_status_replicas_ready', 'gauge', 'The number of ready replicas per StatefulSet.'],
  ['kube_daemonset_status_desired_number_scheduled', 'gauge', 'The number of nodes that should be running the daemon pod.'],
  ['kube_daemonset_status_number_ready', 'gauge', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'],
  ['kube_job_status_active', 'gauge', 'The number of actively running pods.'],
  ['kube_job_status_succeeded', 'gauge', 'The number of pods which reached Phase Succeeded.'],
  ['kube_job_status_failed', 'gauge', 'The number of pods which reached Phase Failed.'],
  ['kube_node_status_condition', 'gauge', 'The condition of a cluster node.'],
  ['kube_node_status_allocatable', 'gauge', 'The allocatable for different resources of a node that are available for scheduling.'],
  ['kube_horizontalpodautoscaler_spec_min_replicas', 'gauge', 'Lower limit for the number of pods that can be set by the autoscaler, default 1.'],
  ['kube_horizontalpodautoscaler_spec_max_replicas', 'gauge', 'Upper limit for the number of pods that can be set by the autoscaler.'],
  ['kube_horizontalpodautoscaler_status_current_replicas', 'gauge', 'Current number of replicas of pods managed by this autoscaler.'],
  ['kube_horizontalpodautoscaler_status_desired_replicas', 'gauge', 'Desired number of replicas of pods managed by this autoscaler.'],
];

export function kubeStateMetrics(state: ClusterState, cluster: string): MetricSet {
  const b = new MetricSetBuilder();
  for (const [name, type, help] of META) b.describe(name, type, help);
  for (const pod of state.pods()) podMetrics(b, pod, state.podTags(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '') ?? {});
  for (const d of state.workloads('deployments')) {
    const l = wl(d, 'Deployment', 'deployment', cluster);
    b.add('kube_deployment_spec_replicas', l, num(d.spec?.['replicas'], 1));
    b.add('kube_deployment_status_replicas', l, num(d.status?.['replicas']));
    b.add('kube_deployment_status_replicas_available', l, num(d.status?.['availableReplicas']));
    b.add('kube_deployment_status_replicas_updated', l, num(d.status?.['updatedReplicas']));
  }
  for (const s of state.workloads('statefulsets')) {
    const l = wl(s, 'StatefulSet', 'statefulset', cluster);
    b.add('kube_statefulset_replicas', l, num(s.spec?.['replicas'], 1));
    b.add('kube_statefulset_status_replicas_ready', l, num(s.status?.['readyReplicas']));
  }
  for (const d of state.workloads('daemonsets')) {
    const l = wl(d, 'DaemonSet', 'daemonset', cluster);
    b.add('kube_daemonset_status_desired_number_scheduled', l, num(d.status?.['desiredNumberScheduled']));
    b.add('kube_daemonset_status_number_ready', l, num(d.status?.['numberReady']));
  }
  for (const j of state.workloads('jobs')) {
    const l = { ...wl(j, 'Job', 'job_name', cluster) };
    b.add('kube_job_status_active', l, num(j.status?.['active']));
    b.add('kube_job_status_succeeded', l, num(j.status?.['succeeded']));
    b.add('kube_job_status_failed', l, num(j.status?.['failed']));
  }
  for (const h of state.workloads('hpas')) {
    const l = { cluster, namespace: h.metadata?.namespace ?? '', horizontalpodautoscaler: h.metadata?.name ?? '' };
    b.add('kube_horizontalpodautoscaler_spec_min_replicas', l, num(h.spec?.['minReplicas'], 1));
    b.add('kube_horizontalpodautoscaler_spec_max_replicas', l, num(h.spec?.['maxReplicas']));
    b.add('kube_horizontalpodautoscaler_status_current_replicas', l, num(h.status?.['currentReplicas']));
    b.add('kube_horizontalpodautoscaler_status_desired_replicas', l, num(h.status?.['desiredReplicas']));
  }
  for (const n of state.nodes()) {
    const node = n.metadata?.name ?? '';
    for (const c of n.status?.conditions ?? []) {
      for (const s of NODE_CONDITION_STATUSES) b.add('kube_node_status_condition', { cluster, node, condition: c.type, status: s }, c.status.toLowerCase() === s ? 1 : 0);
    }
    resources(n.status?.allocatable, (resource, unit, v) => b.add('kube_node_status_allocatable', { cluster, node, resource, unit }, v));
  }
  addKubeStateExtras(b, state, cluster);
  return b.build();
}

function podMetrics(b: MetricSetBuilder, pod: Pod, tags: Record<string, string>): void {
  const m = pod.metadata ?? {};
  const base: Record<string, string> = { ...ctx(tags), namespace: m.namespace ?? '', pod: m.name ?? '', uid: m.uid ?? '' };
  if (pod.spec?.nodeName) base['node'] = pod.spec.nodeName;
  b.add('kube_pod_info', base, 1);
  const phase = pod.status?.phase ?? 'Unknown';
  for (const p of PHASES) b.add('kube_pod_status_phase', { ...base, phase: p }, p === phase ? 1 : 0);
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status.toLowerCase() ?? 'unknown';
  for (const s of NODE_CONDITION_STATUSES) b.add('kube_pod_status_ready', { ...base, condition: s }, s === ready ? 1 : 0);
  for (const r of POD_REASONS) b.add('kube_pod_status_reason', { ...base, reason: r }, pod.status?.reason === r ? 1 : 0);
  const sched = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (sched?.status === 'False' && sched.reason === 'Unschedulable') b.add('kube_pod_status_unschedulable', base, 1);
  const specs = new Map((pod.spec?.containers ?? []).map((c) => [c.name, c]));
  for (const s of pod.status?.containerStatuses ?? []) containerStatusMetrics(b, { ...base, container: s.name }, s);
  for (const [name, c] of specs) {
    const l = { ...base, container: name };
    resources(c.resources?.requests, (resource, unit, v) => b.add('kube_pod_container_resource_requests', { ...l, resource, unit }, v));
    resources(c.resources?.limits, (resource, unit, v) => b.add('kube_pod_container_resource_limits', { ...l, resource, unit }, v));
  }
}

function containerStatusMetrics(b: MetricSetBuilder, l: Record<string, string>, s: ContainerStatus): void {
  b.add('kube_pod_container_status_restarts_total', l, s.restartCount ?? 0);
  b.add('kube_pod_container_status_ready', l, s.ready ? 1 : 0);
  if (s.state?.waiting?.reason) b.add('kube_pod_container_status_waiting_reason', { ...l, reason: s.state.waiting.reason }, 1);
  const last: ContainerState['terminated'] = s.lastState?.terminated;
  if (last?.reason) {
    b.add('kube_pod_container_status_last_terminated_reason', { ...l, reason: last.reason }, 1);
    b.add('kube_pod_container_status_last_terminated_exitcode', l, last.exitCode ?? 0);
    const atMs = Date.parse(last.finishedAt ?? '');
    if (Number.isFinite(atMs)) b.add('kube_pod_container_status_last_terminated_timestamp', l, atMs / 1000);
  }
}

/** The context tags kube-state-metrics does not have (its own pod labels go to kube_pod_labels there). */
function ctx(tags: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['cluster', 'workload_kind', 'workload', 'service']) if (tags[k] !== undefined) out[k] = tags[k];
  return out;
}

function wl(o: Workload, kind: string, ksmLabel: string, cluster: string): Record<string, string> {
  const name = o.metadata?.name ?? '';
  return { cluster, namespace: o.metadata?.namespace ?? '', [ksmLabel]: name, workload_kind: kind, workload: name };
}

function resources(list: ResourceList | undefined, add: (resource: string, unit: string, v: number) => void): void {
  for (const [k, raw] of Object.entries(list ?? {})) {
    const v = parseQuantity(raw);
    if (v === undefined) continue;
    const unit = k === 'cpu' ? 'core' : k === 'memory' || k.includes('storage') || k.startsWith('hugepages-') ? 'byte' : 'integer';
    add(k.replace(/[^a-zA-Z0-9_]/g, '_'), unit, v);
  }
}

function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}
