/**
 * Kubernetes tags for a node's container and process series. Containers are matched to pods by
 * `status.containerStatuses[].containerID` (runtime prefix stripped), and, for a container the
 * status does not list yet, by the pod UID in its cgroup path. Pods that were deleted keep their
 * tags until `sweep` sees none of their containers any more, i.e. until their last samples have
 * been collected and handed on (short-lived containers keep their tags).
 */
import type { Labels } from '@fathom/model';
import type { LabelPolicy } from './label-policy.js';
import type { ContainerSpec, Pod } from './objects.js';
import { serviceLabel } from './services.js';
import type { Topology } from './topology.js';
import { workloadOf } from './workload.js';

export interface TaggerOptions {
  readonly cluster: string;
  readonly topology: Topology;
  readonly labelPolicy: LabelPolicy;
}

interface Entry {
  pod: Pod;
  deleted: boolean;
  tags: Labels | undefined;
}

/** `docker://abc…` → `abc…`. */
export function stripRuntimePrefix(containerID: string): string {
  const i = containerID.indexOf('://');
  return i < 0 ? containerID : containerID.slice(i + 3);
}

export class PodTagger {
  private readonly _byUid = new Map<string, Entry>();
  private readonly _byContainer = new Map<string, { uid: string; container: string }>();

  constructor(private readonly _o: TaggerOptions) {
    _o.topology.onChange(() => this._invalidate());
  }

  get pods(): number {
    return this._byUid.size;
  }

  upsert(pod: Pod): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    this._byUid.set(uid, { pod, deleted: false, tags: undefined });
    for (const s of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) {
      if (s.containerID) this._byContainer.set(stripRuntimePrefix(s.containerID), { uid, container: s.name });
      const last = s.lastState?.terminated as { containerID?: string } | undefined;
      if (last?.containerID) this._byContainer.set(stripRuntimePrefix(last.containerID), { uid, container: s.name });
    }
  }

  /** The pod is gone from the API; its tags stay until {@link sweep}. */
  remove(pod: Pod): void {
    const e = this._byUid.get(pod.metadata?.uid ?? '');
    if (e) e.deleted = true;
  }

  /**
   * Tags for a container (by runtime id; `podUid` from the cgroup path as fallback), or undefined
   * when it is not a known pod's. Process series use the same tags as their container.
   */
  tagsFor(containerId: string, podUid?: string): Labels | undefined {
    const hit = this._byContainer.get(containerId);
    const uid = hit?.uid ?? podUid;
    const e = uid === undefined ? undefined : this._byUid.get(uid);
    if (!e) return undefined;
    e.tags ??= this._podTags(e.pod);
    const name = hit?.container ?? soleContainer(e.pod);
    return name === undefined ? e.tags : { ...e.tags, container: name };
  }

  /** The pod spec of a container (for its requests and limits), matched like {@link tagsFor}. */
  specFor(containerId: string, podUid?: string): ContainerSpec | undefined {
    const hit = this._byContainer.get(containerId);
    const e = this._byUid.get(hit?.uid ?? podUid ?? '');
    const name = hit?.container ?? (e ? soleContainer(e.pod) : undefined);
    return e?.pod.spec?.containers?.find((c) => c.name === name);
  }

  /** Forgets deleted pods none of whose containers are in `activeContainerIds` (call after a flush). */
  sweep(activeContainerIds: ReadonlySet<string>, activePodUids: ReadonlySet<string> = new Set()): number {
    let dropped = 0;
    for (const [uid, e] of this._byUid) {
      if (!e.deleted || activePodUids.has(uid)) continue;
      const ids = [...this._byContainer].filter(([, v]) => v.uid === uid).map(([id]) => id);
      if (ids.some((id) => activeContainerIds.has(id))) continue;
      for (const id of ids) this._byContainer.delete(id);
      this._byUid.delete(uid);
      dropped++;
    }
    return dropped;
  }

  private _podTags(pod: Pod): Labels {
    const m = pod.metadata ?? {};
    const ns = m.namespace ?? '';
    const w = workloadOf(pod, this._o.topology.lookup);
    const tags: Record<string, string> = {
      ...this._o.labelPolicy.apply(m.labels),
      cluster: this._o.cluster,
      namespace: ns,
      pod: m.name ?? '',
      workload_kind: w.kind,
      workload: w.name,
    };
    if (pod.spec?.nodeName) tags['node'] = pod.spec.nodeName;
    const svc = serviceLabel(this._o.topology.services(), ns, m.labels ?? {});
    if (svc !== undefined) tags['service'] = svc;
    return tags;
  }

  private _invalidate(): void {
    for (const e of this._byUid.values()) e.tags = undefined;
  }
}

function soleContainer(pod: Pod): string | undefined {
  const cs = pod.spec?.containers ?? [];
  return cs.length === 1 ? cs[0]!.name : undefined;
}
