export { DEFAULT_AGENT_METRICS_PORT, DEFAULT_PORT, agentConfigSchema, defaultDataDir, externalUrlOf, serverConfigSchema } from './schema.js';
export type { AgentConfig, ServerConfig } from './schema.js';
export { ConfigError, loadAgentConfig, loadServerConfig } from './load.js';
export type { ConfigSources } from './load.js';
