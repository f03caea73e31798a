/**
 * A node agent's Kubernetes metadata: it watches only its own node's pods (field selector
 * `spec.nodeName=<node>`) and takes everything cluster-wide (ReplicaSet/Job owners, Service
 * selectors) from the cluster component, so the API server's watch count does not grow with nodes.
 */
import { runGroup } from '@fathom/kit';
import type { Logger, Service } from '@fathom/kit';
import type { KubeClient } from './client.js';
import { LabelPolicy } from './label-policy.js';
import type { LabelPolicyConfig } from './label-policy.js';
import { ListWatch } from './list-watch.js';
import type { Pod } from './objects.js';
import { parseQuantity } from './quantity.js';
import { PodTagger } from './tagger.js';
import { Topology } from './topology.js';
import { TopologyClient } from './topology-wire.js';

export interface NodeMetadataOptions {
  readonly client: KubeClient;
  readonly nodeName: string;
  readonly cluster: string;
  /** The cluster component's URL; without it owners are inferred and `service` is absent. */
  readonly clusterAgentUrl?: string;
  readonly labels?: LabelPolicyConfig;
  readonly logger: Logger;
}

export class NodeMetadata implements Service {
  readonly name = 'kubernetes-node-metadata';
  readonly topology = new Topology();
  readonly tagger: PodTagger;
  readonly pods: ListWatch<Pod>;
  readonly topologyClient: TopologyClient | undefined;
  /** Resource quantities ("250m", "64Mi") as numbers, for callers that only hold this object. */
  readonly parseQuantity = parseQuantity;

  constructor(o: NodeMetadataOptions) {
    this.tagger = new PodTagger({ cluster: o.cluster, topology: this.topology, labelPolicy: new LabelPolicy(o.labels) });
    this.pods = new ListWatch<Pod>({
      client: o.client,
      path: '/api/v1/pods',
      fieldSelector: `spec.nodeName=${o.nodeName}`,
      logger: o.logger,
      handler: { upsert: (p) => this.tagger.upsert(p), remove: (p) => this.tagger.remove(p) },
    });
    this.topologyClient = o.clusterAgentUrl === undefined ? undefined : new TopologyClient({ url: o.clusterAgentUrl, topology: this.topology, logger: o.logger });
  }

  /** Resolves once the pods are listed and (when configured) the topology is loaded. */
  async ready(): Promise<void> {
    await Promise.all([this.pods.synced(), this.topologyClient?.loaded()]);
  }

  run(signal: AbortSignal): Promise<void> {
    return runGroup([this.pods, ...(this.topologyClient ? [this.topologyClient] : [])], signal);
  }
}
