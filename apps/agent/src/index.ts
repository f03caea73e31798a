export { AGENT_VERSION, Agent } from './agent.js';
export type { AgentDeps } from './agent.js';
export { MetricsEndpoint, parseListen } from './metrics-endpoint.js';
export { toBatch, withHost } from './batch.js';
export type { ClusterAgent, ClusterAgentOptions } from './cluster-agent.js';
export { createClusterAgent, DEFAULT_CLUSTER_AGENT_LISTEN } from './create-cluster-agent.js';
export { kubernetesEnabled, withKubernetesTags } from './k8s-tags.js';
