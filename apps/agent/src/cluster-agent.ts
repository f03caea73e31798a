/**
 * `fathom cluster-agent`: the one cluster-level component (a single-replica Deployment). It
 * watches the cluster-wide kinds once, serves node agents their topology (long-poll), ships
 * kube-state metrics to the server every interval, and forwards Kubernetes events with their
 * context to the server's event store.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { TEXT_CONTENT_TYPE, writeText } from '@fathom/expfmt';
import type { FathomEvent } from '@fathom/events';
import { ClusterState, kubeStateMetrics, serveTopology } from '@fathom/k8s';
import type { KubeClient } from '@fathom/k8s';
import { BoundedQueue, DEFAULT_BACKOFF, runGroup, sleep, untilAborted } from '@fathom/kit';
import type { Logger, Service } from '@fathom/kit';
import { encodeBatch } from '@fathom/protocol';
import { DiskSpool, Forwarder, HttpSink } from '@fathom/sinks';
import type { Sink } from '@fathom/sinks';
import { AGENT_VERSION } from './agent.js';
import { toBatch } from './batch.js';
import { parseListen } from './metrics-endpoint.js';

export interface ClusterAgentOptions {
  readonly client: KubeClient;
  readonly cluster: string;
  /** Where node agents reach it: `host:port`. */
  readonly listen: string;
  /** The Fathom server; omit to only serve (tests, benchmarks). */
  readonly server?: string;
  readonly intervalMs: number;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly sink?: Sink;
  /** Events waiting for the server; past it the oldest are dropped (counted). */
  readonly maxQueuedEvents?: number;
}

export class ClusterAgent implements Service {
  readonly name = 'cluster-agent';
  readonly state: ClusterState;
  readonly events: BoundedQueue<FathomEvent>;
  eventsSent = 0;
  private _server: Server | undefined;
  private readonly _forwarder: Forwarder | undefined;
  private _seq = Date.now();

  constructor(private readonly _o: ClusterAgentOptions) {
    this.events = new BoundedQueue(_o.maxQueuedEvents ?? 10_000);
    this.state = new ClusterState({ client: _o.client, cluster: _o.cluster, logger: _o.logger, onEvent: (e) => this.events.push(e) });
    const sink = _o.sink ?? (_o.server ? new HttpSink(_o.server) : undefined);
    if (sink) mkdirSync(join(_o.dataDir, 'spool'), { recursive: true });
    this._forwarder = sink
      ? new Forwarder({ sink, spool: new DiskSpool(join(_o.dataDir, 'spool'), 64 * 1024 * 1024), logger: _o.logger, memoryBatches: 8, sendTimeoutMs: 10_000, backoff: { ...DEFAULT_BACKOFF, maxMs: 10_000 } })
      : undefined;
  }

  get port(): number | undefined {
    const a = this._server?.address();
    return typeof a === 'object' && a ? a.port : undefined;
  }

  async run(signal: AbortSignal): Promise<void> {
    const server = createServer((req, res) => {
      if (serveTopology(this.state.topology, req, res)) return;
      if (req.url === '/metrics') res.writeHead(200, { 'content-type': TEXT_CONTENT_TYPE }).end(writeText(kubeStateMetrics(this.state, this._o.cluster)));
      else if (req.url === '/-/healthy') res.writeHead(200).end('ok\n');
      else res.writeHead(404).end('not found\n');
    });
    this._server = server;
    const { host, port } = parseListen(this._o.listen);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this._o.logger.info('cluster agent listening', { url: `http://${host}:${this.port ?? port}` });
    const http: Service = { name: 'cluster-agent-http', run: untilAborted };
    const ship: Service = { name: 'kube-state-loop', run: (s) => this._shipLoop(s) };
    try {
      await runGroup([this.state, http, ship, ...(this._forwarder ? [this._forwarder] : [])], signal);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private async _shipLoop(signal: AbortSignal): Promise<void> {
    await Promise.race([this.state.ready(), untilAborted(signal)]);
    while (!signal.aborted) {
      if (this._forwarder) {
        const set = kubeStateMetrics(this.state, this._o.cluster);
        this._forwarder.submit(encodeBatch(toBatch(set, { id: `cluster-agent-${this._o.cluster}`, host: 'cluster-agent', version: AGENT_VERSION }, this._seq++, Date.now())));
      }
      await this._sendEvents(signal);
      await sleep(this._o.intervalMs, signal);
    }
  }

  /** Sends queued events in batches; on failure they stay queued (bounded) for the next round. */
  private async _sendEvents(signal: AbortSignal): Promise<void> {
    if (!this._o.server) return;
    while (this.events.length > 0 && !signal.aborted) {
      const batch: FathomEvent[] = [];
      for (let e = this.events.shift(); e !== undefined; e = batch.length < 500 ? this.events.shift() : undefined) batch.push(e);
      try {
        const r = await fetch(new URL('/api/v1/events', this._o.server), { method: 'POST', body: JSON.stringify({ events: batch }), headers: { 'content-type': 'application/json' }, signal });
        if (r.status >= 500) throw new Error(`HTTP ${r.status}`);
        if (r.status >= 400) this._o.logger.warn('server refused events', { status: r.status, body: (await r.text()).slice(0, 300) });
        else this.eventsSent += batch.length;
      } catch (err) {
        for (const e of batch) this.events.push(e);
        this._o.logger.warn('sending events failed; will retry', { error: (err as Error).message, queued: this.events.length });
        return;
      }
    }
  }
}
