/**
 * Pod → top owner ("workload"): pod → ReplicaSet → Deployment, pod → Job → CronJob, StatefulSet,
 * DaemonSet, or any other controller as it is. Pure: owners of ReplicaSets and Jobs come from an
 * {@link OwnerLookup}; when it does not know them yet, the Deployment is inferred from the pod's
 * `pod-template-hash` label (the ReplicaSet is named `<deployment>-<hash>`) and a Job is kept as is.
 */
import type { OwnerReference, Pod } from './objects.js';

export interface Workload {
  readonly kind: string;
  readonly name: string;
}

/** The controller of a ReplicaSet or Job, when known. `null` = known to have none. */
export type OwnerLookup = (kind: 'ReplicaSet' | 'Job', namespace: string, name: string) => OwnerReference | null | undefined;

export function controllerOf(owners: readonly OwnerReference[] | undefined): OwnerReference | undefined {
  return owners?.find((o) => o.controller === true) ?? owners?.[0];
}

export function workloadOf(pod: Pod, lookup: OwnerLookup): Workload {
  const ns = pod.metadata?.namespace ?? '';
  const owner = controllerOf(pod.metadata?.ownerReferences);
  if (owner === undefined) return { kind: 'Pod', name: pod.metadata?.name ?? '' };
  if (owner.kind === 'ReplicaSet') {
    const top = lookup('ReplicaSet', ns, owner.name);
    if (top) return { kind: top.kind, name: top.name };
    if (top === null) return { kind: 'ReplicaSet', name: owner.name };
    const hash = pod.metadata?.labels?.['pod-template-hash'];
    if (hash && owner.name.endsWith(`-${hash}`)) return { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) };
    return { kind: 'ReplicaSet', name: owner.name };
  }
  if (owner.kind === 'Job') {
    const top = lookup('Job', ns, owner.name);
    return top ? { kind: top.kind, name: top.name } : { kind: 'Job', name: owner.name };
  }
  return { kind: owner.kind, name: owner.name };
}
