/**
 * The cluster component ↔ node agent protocol (docs/formats/k8s-topology-v1.md):
 * `GET /v1/topology?after=<version>&waitMs=<ms>` answers the current snapshot at once when its
 * version differs from `after`, else when it changes, else after `waitMs` with 304.
 */
import { request } from 'node:http';
import { backoffDelayMs, DEFAULT_BACKOFF, sleep } from '@fathom/kit';
import type { Logger, Service } from '@fathom/kit';
import type { Topology, TopologySnapshot } from './topology.js';

export const TOPOLOGY_PATH = '/v1/topology';
const MAX_WAIT_MS = 60_000;

/** Handles one long-poll request; returns false when the path is not the topology's. */
/** The parts of node:http's request/response used here (structural, so any @types/node fits). */
export interface TopologyRequest {
  readonly url?: string | undefined;
}
export interface TopologyResponse {
  writeHead(status: number, headers?: Record<string, string>): TopologyResponse;
  end(body?: string): unknown;
  on(event: 'close', listener: () => void): unknown;
}

export function serveTopology(topology: Topology, req: TopologyRequest, res: TopologyResponse): boolean {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname !== TOPOLOGY_PATH) return false;
  const after = Number(url.searchParams.get('after') ?? '-1');
  const waitMs = Math.min(MAX_WAIT_MS, Math.max(0, Number(url.searchParams.get('waitMs') ?? '0') || 0));
  const send = (): void => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(topology.snapshot()));
  };
  if (topology.version !== after || waitMs === 0) {
    send();
    return true;
  }
  let timer: NodeJS.Timeout | undefined = undefined;
  const unsubscribe = topology.onChange(() => {
    clearTimeout(timer);
    unsubscribe();
    // Coalesce a burst of changes (a relist) into one answer.
    setTimeout(send, 50);
  });
  timer = setTimeout(() => {
    unsubscribe();
    res.writeHead(304).end();
  }, waitMs);
  res.on('close', () => {
    clearTimeout(timer);
    unsubscribe();
  });
  return true;
}

export interface TopologyClientOptions {
  /** The cluster component's base URL, e.g. http://fathom-cluster-agent.fathom:9071 */
  readonly url: string;
  readonly topology: Topology;
  readonly logger: Logger;
  readonly waitMs?: number;
}

/** Keeps a node agent's {@link Topology} in step with the cluster component's, by long-polling. */
export class TopologyClient implements Service {
  readonly name = 'topology-client';
  requests = 0;
  private _loaded = false;
  private readonly _waiters: (() => void)[] = [];

  constructor(private readonly _o: TopologyClientOptions) {}

  loaded(): Promise<void> {
    return this._loaded ? Promise.resolve() : new Promise((r) => this._waiters.push(r));
  }

  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    let after = -1;
    while (!signal.aborted) {
      try {
        const snap = await this._poll(after, signal);
        failures = 0;
        if (snap) {
          this._o.topology.load(snap);
          after = snap.version;
          if (!this._loaded) {
            this._loaded = true;
            for (const w of this._waiters.splice(0)) w();
          }
        }
      } catch (err) {
        if (signal.aborted) break;
        const delayMs = backoffDelayMs({ ...DEFAULT_BACKOFF, maxMs: 15_000 }, failures++);
        this._o.logger.warn('topology poll failed; retrying', { url: this._o.url, delayMs, error: (err as Error).message });
        await sleep(delayMs, signal);
      }
    }
  }

  private _poll(after: number, signal: AbortSignal): Promise<TopologySnapshot | undefined> {
    this.requests++;
    const url = `${this._o.url}${TOPOLOGY_PATH}?after=${after}&waitMs=${this._o.waitMs ?? 30_000}`;
    return new Promise((resolve, reject) => {
      const req = request(url, { signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode === 304) return resolve(undefined);
          if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode ?? 0}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as TopologySnapshot);
          } catch (err) {
            reject(err instanceof Error ? err : new Error('bad topology JSON'));
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }
}
