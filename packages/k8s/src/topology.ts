/**
 * What node agents need from cluster-wide kinds, kept by the cluster component and served to them
 * (so the API server's watch count does not grow with nodes): the controllers of ReplicaSets and
 * Jobs, and the selectors of Services. Versioned: every change bumps `version`; node agents
 * long-poll for a newer one. Wire format: docs/formats/k8s-topology-v1.md.
 */
import type { KubeObject, OwnerReference, Service } from './objects.js';
import type { ServiceSelector } from './services.js';
import { selectorOf } from './services.js';
import type { OwnerLookup } from './workload.js';
import { controllerOf } from './workload.js';

export interface TopologySnapshot {
  readonly version: number;
  /** `namespace/name` of a ReplicaSet or Job → its controller (null: none). */
  readonly replicaSets: Readonly<Record<string, OwnerReference | null>>;
  readonly jobs: Readonly<Record<string, OwnerReference | null>>;
  readonly services: readonly ServiceSelector[];
}

export class Topology {
  private _version = 0;
  private readonly _replicaSets = new Map<string, OwnerReference | null>();
  private readonly _jobs = new Map<string, OwnerReference | null>();
  private readonly _services = new Map<string, ServiceSelector>();
  private readonly _listeners = new Set<() => void>();

  get version(): number {
    return this._version;
  }

  readonly lookup: OwnerLookup = (kind, namespace, name) => (kind === 'ReplicaSet' ? this._replicaSets : this._jobs).get(`${namespace}/${name}`);

  services(): Iterable<ServiceSelector> {
    return this._services.values();
  }

  setOwned(kind: 'ReplicaSet' | 'Job', obj: KubeObject, present: boolean): void {
    const map = kind === 'ReplicaSet' ? this._replicaSets : this._jobs;
    const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    if (!present) {
      if (map.delete(key)) this._bump();
      return;
    }
    const c = controllerOf(obj.metadata?.ownerReferences);
    const owner = c ? { kind: c.kind, name: c.name } : null;
    const old = map.get(key);
    if (old !== undefined && JSON.stringify(old) === JSON.stringify(owner)) return;
    map.set(key, owner);
    this._bump();
  }

  setService(svc: Service, present: boolean): void {
    const key = `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
    const sel = present ? selectorOf(svc) : undefined;
    const old = this._services.get(key);
    if (sel === undefined) {
      if (this._services.delete(key)) this._bump();
      return;
    }
    if (old !== undefined && JSON.stringify(old) === JSON.stringify(sel)) return;
    this._services.set(key, sel);
    this._bump();
  }

  snapshot(): TopologySnapshot {
    return {
      version: this._version,
      replicaSets: Object.fromEntries(this._replicaSets),
      jobs: Object.fromEntries(this._jobs),
      services: [...this._services.values()],
    };
  }

  /** Replaces everything with a snapshot received from the cluster component. */
  load(s: TopologySnapshot): void {
    this._replicaSets.clear();
    this._jobs.clear();
    this._services.clear();
    for (const [k, v] of Object.entries(s.replicaSets)) this._replicaSets.set(k, v);
    for (const [k, v] of Object.entries(s.jobs)) this._jobs.set(k, v);
    for (const svc of s.services) this._services.set(`${svc.namespace}/${svc.name}`, svc);
    this._version = s.version;
    for (const l of this._listeners) l();
  }

  /** Called after every change. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  private _bump(): void {
    this._version++;
    for (const l of this._listeners) l();
  }
}
