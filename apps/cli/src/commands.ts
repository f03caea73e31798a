/**
 * The subcommands. Flags override the config file, which overrides the defaults; every flag maps
 * to one config key so an invalid value is reported under the flag's name.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Agent } from '@fathom/agent';
import { DEFAULT_PORT, defaultDataDir, loadAgentConfig, loadServerConfig } from '@fathom/config';
import { createLogger, untilAborted } from '@fathom/kit';
import type { LogLevel, Service } from '@fathom/kit';
import type { FathomServer } from '@fathom/server';
import { demoDriver } from './demo.js';
import { adviseMalloc } from './malloc-advice.js';
import type { DemoOptions } from './demo.js';
import { runUntilSignal } from './run.js';

export interface CommonOptions {
  readonly config?: string;
  readonly dataDir?: string;
  readonly logLevel: LogLevel;
}

export interface ServerOptions extends CommonOptions {
  readonly port?: string;
  readonly host?: string;
  readonly retention?: string;
}

export interface AgentOptions extends CommonOptions {
  readonly server?: string;
  readonly interval?: string;
  readonly listen?: string;
  readonly hostname?: string;
}

const SERVER_FLAGS = { port: '--port', host: '--host', dataDir: '--data-dir', retentionMs: '--retention' };
const AGENT_FLAGS = { server: '--server', intervalMs: '--interval', listen: '--listen', host: '--hostname', dataDir: '--data-dir' };

function uiDir(): string {
  return fileURLToPath(new URL('dist/ui', import.meta.resolve('@fathom/web/package.json')));
}

// The agent and the server are imported when a command needs them, so `fathom agent` does not
// load (and keep resident) the server's query engine, HTTP stack and storage.
async function serverFrom(opts: ServerOptions, dataDir: string | undefined): Promise<FathomServer> {
  const { FathomServer } = await import('@fathom/server');
  const config = loadServerConfig({
    file: opts.config,
    overrides: { port: opts.port, host: opts.host, dataDir, retentionMs: opts.retention },
    flags: SERVER_FLAGS,
  });
  return new FathomServer(config, { logger: createLogger(opts.logLevel), uiDir: uiDir() });
}

async function agentFrom(opts: AgentOptions, dataDir: string | undefined, server: string | undefined): Promise<Agent> {
  const { Agent } = await import('@fathom/agent');
  const config = loadAgentConfig({
    file: opts.config,
    overrides: { server, intervalMs: opts.interval, listen: opts.listen, host: opts.hostname, dataDir },
    flags: AGENT_FLAGS,
  });
  return Agent.create(config, { logger: createLogger(opts.logLevel) });
}

export async function serverCommand(opts: ServerOptions): Promise<void> {
  adviseMalloc(createLogger(opts.logLevel));
  const server = await serverFrom(opts, opts.dataDir);
  await runUntilSignal([server], createLogger(opts.logLevel));
}

export async function agentCommand(opts: AgentOptions): Promise<void> {
  adviseMalloc(createLogger(opts.logLevel));
  const agent = await agentFrom(opts, opts.dataDir, opts.server);
  await runUntilSignal([agent], createLogger(opts.logLevel));
}

/** The cluster component: one per cluster, next to the node agents' DaemonSet. */
export async function clusterAgentCommand(opts: AgentOptions): Promise<void> {
  const { createClusterAgent, DEFAULT_CLUSTER_AGENT_LISTEN } = await import('@fathom/agent');
  const config = loadAgentConfig({ file: opts.config, overrides: { server: opts.server, intervalMs: opts.interval, dataDir: opts.dataDir }, flags: AGENT_FLAGS });
  const logger = createLogger(opts.logLevel);
  adviseMalloc(logger);
  const agent = await createClusterAgent(config, { listen: opts.listen ?? DEFAULT_CLUSTER_AGENT_LISTEN, logger });
  await runUntilSignal([agent], logger);
}

export interface UpOptions extends ServerOptions, AgentOptions, DemoOptions {
  readonly demo?: boolean;
}

export interface SimulateOptions extends DemoOptions {
  readonly server?: string;
  readonly logLevel: LogLevel;
}

/** Drives a running server with a simulated cluster (load tests, or a demo on a remote server). */
export async function simulateCommand(opts: SimulateOptions): Promise<void> {
  const logger = createLogger(opts.logLevel);
  const driver = await demoDriver(opts, opts.server ?? `http://127.0.0.1:${DEFAULT_PORT}`, logger, { historyMs: 3_600_000, intervalMs: 10_000 });
  await runUntilSignal([driver], logger);
}

/**
 * Server and agent in one process; the agent ships to the server over loopback HTTP. With
 * `--demo`, a simulated cluster replaces this host's agent (same ingest path).
 */
export async function upCommand(opts: UpOptions): Promise<void> {
  const logger = createLogger(opts.logLevel);
  adviseMalloc(logger);
  const root = opts.dataDir ?? defaultDataDir();
  const server = await serverFrom(opts, join(root, 'server'));
  const agentAfterServer: Service = {
    name: 'agent',
    run: async (signal) => {
      const port = await Promise.race([server.listening(), untilAborted(signal)]);
      if (signal.aborted || port === undefined) return;
      const host = loadServerConfig({ file: opts.config, overrides: { host: opts.host }, flags: SERVER_FLAGS }).host;
      const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
      if (opts.demo === true) {
        const driver = await demoDriver(opts, url, logger, { historyMs: 3 * 3_600_000, intervalMs: 10_000 });
        process.stdout.write(`Fathom is up with a demo cluster: ${url}  (data in ${root}; Ctrl-C to stop)\n`);
        await driver.run(signal);
        return;
      }
      const agent = await agentFrom(opts, join(root, 'agent'), url);
      process.stdout.write(`Fathom is up: ${url}  (data in ${root}; Ctrl-C to stop)\n`);
      await agent.run(signal);
    },
  };
  await runUntilSignal([server, agentAfterServer], logger);
}
