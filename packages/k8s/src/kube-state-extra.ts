/**
 * The kube-state series the alert library needs beyond the first set (kube-state.ts): rollout
 * progress of Deployments, StatefulSets and DaemonSets, Job failure, object labels, and the
 * Service health inputs: the ready addresses of every Service's EndpointSlices
 * (`kube_endpoint_address`, kube-state-metrics' name and labels), which Services select pods by a
 * label selector (`fathom_service_selector_info`) and how many ready endpoints each needs
 * (`fathom_service_min_ready_endpoints`, from the annotation `fathom.dev/min-ready-endpoints`).
 */
import type { MetricSetBuilder } from '@fathom/model';
import { sanitizeLabelName } from '@fathom/model';
import type { ClusterState } from './cluster-state.js';
import type { Condition, KubeObject, Service, Workload } from './objects.js';

export const MIN_READY_ENDPOINTS_ANNOTATION = 'fathom.dev/min-ready-endpoints';
const STATUSES = ['true', 'false', 'unknown'];

export const EXTRA_META: [string, 'gauge' | 'counter', string][] = [
  ['kube_pod_labels', 'gauge', 'Kubernetes labels converted to Prometheus labels, with Fathom context labels.'],
  ['kube_deployment_labels', 'gauge', 'Kubernetes labels converted to Prometheus labels.'],
  ['kube_deployment_metadata_generation', 'gauge', 'Sequence number representing a specific generation of the desired state.'],
  ['kube_deployment_status_observed_generation', 'gauge', 'The generation observed by the deployment controller.'],
  ['kube_deployment_status_condition', 'gauge', 'The current status conditions of a deployment.'],
  ['kube_statefulset_status_replicas_updated', 'gauge', 'The number of updated replicas per StatefulSet.'],
  ['kube_statefulset_metadata_generation', 'gauge', 'Sequence number representing a specific generation of the desired state for the StatefulSet.'],
  ['kube_statefulset_status_observed_generation', 'gauge', 'The generation observed by the StatefulSet controller.'],
  ['kube_daemonset_status_current_number_scheduled', 'gauge', 'The number of nodes running at least one daemon pod and are supposed to.'],
  ['kube_daemonset_status_number_misscheduled', 'gauge', 'The number of nodes running a daemon pod but are not supposed to.'],
  ['kube_daemonset_status_updated_number_scheduled', 'gauge', 'The total number of nodes that are running updated daemon pod.'],
  ['kube_daemonset_status_number_available', 'gauge', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.'],
  ['kube_job_failed', 'gauge', 'The job has failed its execution.'],
  ['kube_service_info', 'gauge', 'Information about service.'],
  ['fathom_service_selector_info', 'gauge', 'A Service that selects its pods by a label selector (the selector as key=value pairs).'],
  ['fathom_service_min_ready_endpoints', 'gauge', `Ready endpoints a Service needs (annotation ${MIN_READY_ENDPOINTS_ANNOTATION}).`],
  ['kube_endpoint_address', 'gauge', 'Information about Endpoint available and non available addresses.'],
];

/** Adds the extra series for the cluster's objects to `b` (metadata included). */
export function addKubeStateExtras(b: MetricSetBuilder, state: ClusterState, cluster: string): void {
  for (const [name, type, help] of EXTRA_META) b.describe(name, type, help);
  for (const pod of state.pods()) {
    const m = pod.metadata ?? {};
    const tags = state.podTags(m.namespace ?? '', m.name ?? '');
    if (tags) b.add('kube_pod_labels', { ...tags, uid: m.uid ?? '' }, 1);
  }
  for (const d of state.workloads('deployments')) deployment(b, d, cluster);
  for (const s of state.workloads('statefulsets')) {
    const l = ids(s, 'StatefulSet', 'statefulset', cluster);
    b.add('kube_statefulset_status_replicas_updated', l, num(s.status?.['updatedReplicas']));
    b.add('kube_statefulset_metadata_generation', l, num(meta(s).generation));
    b.add('kube_statefulset_status_observed_generation', l, num(s.status?.['observedGeneration']));
  }
  for (const d of state.workloads('daemonsets')) {
    const l = ids(d, 'DaemonSet', 'daemonset', cluster);
    b.add('kube_daemonset_status_current_number_scheduled', l, num(d.status?.['currentNumberScheduled']));
    b.add('kube_daemonset_status_number_misscheduled', l, num(d.status?.['numberMisscheduled']));
    b.add('kube_daemonset_status_updated_number_scheduled', l, num(d.status?.['updatedNumberScheduled']));
    b.add('kube_daemonset_status_number_available', l, num(d.status?.['numberAvailable']));
  }
  for (const j of state.workloads('jobs')) {
    for (const c of conditions(j).filter((x) => x.type === 'Failed')) {
      for (const s of STATUSES) b.add('kube_job_failed', { ...ids(j, 'Job', 'job_name', cluster), condition: s }, c.status.toLowerCase() === s ? 1 : 0);
    }
  }
  for (const svc of state.watches.services.cache.values()) service(b, svc, cluster);
  endpoints(b, state.watches.endpointslices.cache.values(), cluster);
}

function deployment(b: MetricSetBuilder, d: Workload, cluster: string): void {
  const l = ids(d, 'Deployment', 'deployment', cluster);
  b.add('kube_deployment_labels', { ...l, ...labelsOf(d) }, 1);
  b.add('kube_deployment_metadata_generation', l, num(meta(d).generation));
  b.add('kube_deployment_status_observed_generation', l, num(d.status?.['observedGeneration']));
  for (const c of conditions(d)) {
    for (const s of STATUSES) b.add('kube_deployment_status_condition', { ...l, condition: c.type, status: s }, c.status.toLowerCase() === s ? 1 : 0);
  }
}

function service(b: MetricSetBuilder, svc: Service, cluster: string): void {
  const m = svc.metadata ?? {};
  const l = { cluster, namespace: m.namespace ?? '', service: m.name ?? '' };
  b.add('kube_service_info', { ...l, type: svc.spec?.type ?? 'ClusterIP' }, 1);
  const sel = svc.spec?.selector ?? {};
  if (Object.keys(sel).length === 0) return;
  const text = Object.entries(sel).sort(([a], [c]) => a.localeCompare(c)).map(([k, v]) => `${k}=${v}`).join(',');
  b.add('fathom_service_selector_info', { ...l, selector: text }, 1);
  const raw = meta(svc).annotations?.[MIN_READY_ENDPOINTS_ANNOTATION];
  const n = raw === undefined ? NaN : Number(raw);
  if (Number.isInteger(n) && n >= 0) b.add('fathom_service_min_ready_endpoints', l, n);
}

interface EndpointSlice extends KubeObject {
  readonly endpoints?: readonly { readonly addresses?: readonly string[]; readonly conditions?: { readonly ready?: boolean } }[];
}

/** One series per Service address across its slices; an address ready in any slice is ready. */
function endpoints(b: MetricSetBuilder, slices: Iterable<KubeObject>, cluster: string): void {
  const ready = new Map<string, { namespace: string; endpoint: string; ip: string; ready: boolean }>();
  for (const s of slices as Iterable<EndpointSlice>) {
    const svc = s.metadata?.labels?.['kubernetes.io/service-name'];
    if (svc === undefined) continue;
    const namespace = s.metadata?.namespace ?? '';
    for (const e of s.endpoints ?? []) {
      for (const ip of e.addresses ?? []) {
        const key = `${namespace}/${svc}/${ip}`;
        const isReady = e.conditions?.ready !== false; // absent = ready (the API's convention)
        const old = ready.get(key);
        ready.set(key, { namespace, endpoint: svc, ip, ready: isReady || (old?.ready ?? false) });
      }
    }
  }
  for (const a of ready.values()) b.add('kube_endpoint_address', { cluster, namespace: a.namespace, endpoint: a.endpoint, ip: a.ip, ready: String(a.ready) }, 1);
}

function ids(o: Workload, kind: string, ksmLabel: string, cluster: string): Record<string, string> {
  const name = o.metadata?.name ?? '';
  return { cluster, namespace: o.metadata?.namespace ?? '', [ksmLabel]: name, workload_kind: kind, workload: name };
}

function labelsOf(o: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) out[`label_${sanitizeLabelName(k)}`] = v;
  return out;
}

function meta(o: KubeObject): { generation?: number; annotations?: Readonly<Record<string, string>> } {
  return (o.metadata ?? {}) as { generation?: number; annotations?: Readonly<Record<string, string>> };
}

function conditions(o: Workload): Condition[] {
  const c = o.status?.['conditions'];
  return Array.isArray(c) ? (c as Condition[]).filter((x) => typeof x?.type === 'string' && typeof x.status === 'string') : [];
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
