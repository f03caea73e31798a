/**
 * The cluster component's view: ONE list/watch per cluster-wide kind, whatever the number of
 * nodes. It feeds the {@link Topology} served to node agents, kube-state metrics, and events.
 */
import { setMaxListeners } from 'node:events';
import type { FathomEvent } from '@fathom/events';
import { runGroup } from '@fathom/kit';
import type { Logger, Service } from '@fathom/kit';
import type { Labels } from '@fathom/model';
import type { KubeClient } from './client.js';
import { toFathomEvent } from './kube-events.js';
import { LabelPolicy } from './label-policy.js';
import type { LabelPolicyConfig } from './label-policy.js';
import { ListWatch } from './list-watch.js';
import type { ListWatchHandler } from './list-watch.js';
import type { KubeEvent, KubeObject, Node, Pod, Workload } from './objects.js';
import { PodTagger } from './tagger.js';
import { Topology } from './topology.js';

export interface ClusterStateOptions {
  readonly client: KubeClient;
  readonly cluster: string;
  readonly logger: Logger;
  readonly labels?: LabelPolicyConfig;
  /** New or updated Kubernetes events, converted, with context. */
  readonly onEvent?: (e: FathomEvent) => void;
}

export const CLUSTER_PATHS = {
  pods: '/api/v1/pods',
  nodes: '/api/v1/nodes',
  namespaces: '/api/v1/namespaces',
  services: '/api/v1/services',
  events: '/api/v1/events',
  replicasets: '/apis/apps/v1/replicasets',
  deployments: '/apis/apps/v1/deployments',
  statefulsets: '/apis/apps/v1/statefulsets',
  daemonsets: '/apis/apps/v1/daemonsets',
  jobs: '/apis/batch/v1/jobs',
  cronjobs: '/apis/batch/v1/cronjobs',
  hpas: '/apis/autoscaling/v2/horizontalpodautoscalers',
  endpointslices: '/apis/discovery.k8s.io/v1/endpointslices',
} as const;

type Kind = keyof typeof CLUSTER_PATHS;

export class ClusterState implements Service {
  readonly name = 'kubernetes-cluster-state';
  readonly topology = new Topology();
  /** Tags of every pod in the cluster (the same tags node agents put on container series). */
  readonly tagger: PodTagger;
  readonly watches: { readonly [K in Kind]: ListWatch<KubeObject> };
  private _eventsSynced = false;

  constructor(private readonly _o: ClusterStateOptions) {
    this.tagger = new PodTagger({ cluster: _o.cluster, topology: this.topology, labelPolicy: new LabelPolicy(_o.labels) });
    const topo = this.topology;
    const handlers: { [K in Kind]?: ListWatchHandler<KubeObject> } = {
      pods: { upsert: (p) => this.tagger.upsert(p), remove: (p) => this.tagger.remove(p) },
      services: { upsert: (s) => topo.setService(s, true), remove: (s) => topo.setService(s, false) },
      replicasets: { upsert: (o) => topo.setOwned('ReplicaSet', o, true), remove: (o) => topo.setOwned('ReplicaSet', o, false) },
      jobs: { upsert: (o) => topo.setOwned('Job', o, true), remove: (o) => topo.setOwned('Job', o, false) },
      events: { upsert: (e, old) => this._event(e, old), remove: () => undefined, synced: () => (this._eventsSynced = true) },
    };
    const make = (kind: Kind): ListWatch<KubeObject> =>
      new ListWatch<KubeObject>({ client: _o.client, path: CLUSTER_PATHS[kind], logger: _o.logger, handler: handlers[kind] ?? { upsert: () => undefined, remove: () => undefined } });
    this.watches = Object.fromEntries((Object.keys(CLUSTER_PATHS) as Kind[]).map((k) => [k, make(k)])) as { [K in Kind]: ListWatch<KubeObject> };
  }

  async ready(): Promise<void> {
    await Promise.all(Object.values(this.watches).map((w) => w.synced()));
  }

  run(signal: AbortSignal): Promise<void> {
    setMaxListeners(64, signal); // one listener per watch, by design
    return runGroup(Object.values(this.watches), signal);
  }

  pods(): Iterable<Pod> {
    return this.watches.pods.cache.values();
  }

  nodes(): Iterable<Node> {
    return this.watches.nodes.cache.values() as Iterable<Node>;
  }

  workloads(kind: 'deployments' | 'statefulsets' | 'daemonsets' | 'jobs' | 'hpas'): Iterable<Workload> {
    return this.watches[kind].cache.values() as Iterable<Workload>;
  }

  /** The tags of a pod by namespace/name (its first container's tags minus `container`). */
  podTags(namespace: string, name: string): Labels | undefined {
    const pod = this.watches.pods.cache.get(`${namespace}/${name}`) as Pod | undefined;
    const uid = pod?.metadata?.uid;
    if (!uid) return undefined;
    const tags = { ...this.tagger.tagsFor('', uid) };
    delete tags['container'];
    return tags;
  }

  private _event(e: KubeEvent, old: KubeEvent | undefined): void {
    // Events that already existed at the first list are history, not news; later relists
    // report only changed events (the list/watch diff), so nothing is sent twice.
    if (!this._eventsSynced || this._o.onEvent === undefined) return;
    if (old !== undefined && (old.count ?? 1) === (e.count ?? 1) && old.series?.count === e.series?.count) return;
    const fe = toFathomEvent(e, this._o.cluster, (ns, n) => this.podTags(ns, n));
    if (fe) this._o.onEvent(fe);
  }
}
