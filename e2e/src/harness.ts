/**
 * In-process Fathom for end-to-end tests: a real server on a loopback port and a real agent
 * reading this host's /proc and cgroups, wired as `fathom up` wires them.
 */
import { fileURLToPath } from 'node:url';
import { Agent } from '@fathom/agent';
import { loadAgentConfig, loadServerConfig } from '@fathom/config';
import { NOOP_LOGGER, createLogger } from '@fathom/kit';
import type { Logger } from '@fathom/kit';
import { FathomServer } from '@fathom/server';

const logger: Logger = process.env['FATHOM_TEST_LOG'] ? createLogger('debug') : NOOP_LOGGER;

export interface Running<T> {
  readonly service: T;
  readonly stop: () => Promise<void>;
}

/** The built web UI (apps/web/dist/ui), as `fathom up` serves it. */
export function uiDir(): string {
  return fileURLToPath(new URL('dist/ui', import.meta.resolve('@fathom/web/package.json')));
}

export async function startServer(dataDir: string, port = 0, opts: { ui?: boolean } = {}): Promise<Running<FathomServer> & { url: string }> {
  const server = new FathomServer(loadServerConfig({ overrides: { dataDir, port } }), { logger, ...(opts.ui ? { uiDir: uiDir() } : {}) });
  const ac = new AbortController();
  const done = server.run(ac.signal);
  const bound = await Promise.race([server.listening(), done.then(() => undefined)]);
  if (bound === undefined) throw new Error('server stopped before listening');
  return { service: server, url: `http://127.0.0.1:${bound}`, stop: () => (ac.abort(), done) };
}

export async function startAgent(dataDir: string, serverUrl: string, intervalMs: number, extra: Record<string, unknown> = {}): Promise<Running<Agent>> {
  const config = loadAgentConfig({ overrides: { dataDir, server: serverUrl, intervalMs, listen: '127.0.0.1:0', host: 'e2e-host', ...extra } });
  const agent = await Agent.create(config, { logger });
  const ac = new AbortController();
  const done = agent.run(ac.signal);
  return { service: agent, stop: () => (ac.abort(), done) };
}

export interface VectorRow {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

/** Runs an instant query; throws on an API error. */
export async function query(url: string, expr: string): Promise<VectorRow[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: VectorRow[] } };
  if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error ?? res.status}`);
  return body.data?.result ?? [];
}

/** Raw samples of one matrix selector at `atSeconds`. */
export async function rawSamples(url: string, selector: string, atSeconds?: number): Promise<{ metric: Record<string, string>; values: [number, string][] }[]> {
  const time = atSeconds === undefined ? '' : `&time=${atSeconds}`;
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(selector)}${time}`);
  const body = (await res.json()) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
  return body.data.result;
}
