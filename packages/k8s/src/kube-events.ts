/**
 * core/v1 Events → Fathom events, with the involved object's full context: for a pod, its
 * namespace, node, workload and services (from the same tags its series carry).
 */
import type { FathomEvent } from '@fathom/events';
import type { Labels } from '@fathom/model';
import type { KubeEvent } from './objects.js';

/** Tags of a pod by namespace/name (undefined when unknown). */
export type PodContext = (namespace: string, name: string) => Labels | undefined;

export function toFathomEvent(e: KubeEvent, cluster: string, podContext: PodContext): FathomEvent | undefined {
  const o = e.involvedObject ?? {};
  const atMs = Date.parse(e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? '');
  if (!Number.isFinite(atMs) || !e.reason || !o.kind || !o.name) return undefined;
  const labels: Record<string, string> = { cluster };
  if (o.namespace) labels['namespace'] = o.namespace;
  if (o.kind === 'Pod' && o.namespace) {
    for (const [k, v] of Object.entries(podContext(o.namespace, o.name) ?? { pod: o.name })) if (!k.startsWith('label_')) labels[k] = v;
    const container = /spec\.(?:initContainers|containers)\{(.+)\}/.exec(o.fieldPath ?? '')?.[1];
    if (container) labels['container'] = container;
  } else if (o.kind === 'Node') labels['node'] = o.name;
  else if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet'].includes(o.kind)) {
    labels['workload_kind'] = o.kind;
    labels['workload'] = o.name;
  }
  if (e.source?.host && labels['node'] === undefined) labels['node'] = e.source.host;
  return {
    atMs,
    type: e.type === 'Warning' ? 'Warning' : 'Normal',
    reason: e.reason.slice(0, 256),
    message: (e.message ?? '').slice(0, 16 * 1024),
    source: 'kubernetes',
    count: Math.max(1, e.series?.count ?? e.count ?? 1),
    object: o.namespace ? { kind: o.kind, name: o.name, namespace: o.namespace } : { kind: o.kind, name: o.name },
    labels,
  };
}
