import type { ClusterAgent, ClusterAgentOptions } from './cluster-agent.js';

/** Loads the cluster agent on demand, so node agents without Kubernetes never load the API client. */
export async function createClusterAgent(o: ClusterAgentOptions): Promise<ClusterAgent> {
  const { ClusterAgent } = await import('./cluster-agent.js');
  return new ClusterAgent(o);
}
