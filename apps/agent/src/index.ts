export { AGENT_VERSION, Agent } from './agent.js';
export type { AgentDeps } from './agent.js';
export { MetricsEndpoint, parseListen } from './metrics-endpoint.js';
export { toBatch, withHost } from './batch.js';
