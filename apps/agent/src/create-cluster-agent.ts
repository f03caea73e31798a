import type { AgentConfig } from '@fathom/config';
import type { Logger } from '@fathom/kit';
import type { ClusterAgent } from './cluster-agent.js';

export const DEFAULT_CLUSTER_AGENT_LISTEN = '0.0.0.0:9071';

/**
 * Builds the cluster agent from the agent's config (its `kubernetes` section gives the API server
 * and the cluster name). Loaded on demand, so node agents without Kubernetes never load the client.
 */
export async function createClusterAgent(config: AgentConfig, o: { listen: string; logger: Logger }): Promise<ClusterAgent> {
  const [{ ClusterAgent }, { kubeClientFrom }] = await Promise.all([import('./cluster-agent.js'), import('./kubernetes.js')]);
  return new ClusterAgent({
    client: kubeClientFrom(config.kubernetes),
    cluster: config.kubernetes.cluster,
    listen: o.listen,
    server: config.server,
    intervalMs: config.intervalMs,
    dataDir: config.dataDir,
    logger: o.logger.child({ component: 'cluster-agent' }),
  });
}
