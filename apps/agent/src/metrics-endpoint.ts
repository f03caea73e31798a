/** Serves the agent's latest snapshot on /metrics in the Prometheus text format. */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { untilAborted } from '@fathom/kit';
import type { Logger, Service } from '@fathom/kit';
import { TEXT_CONTENT_TYPE, writeText } from '@fathom/expfmt';
import type { MetricSet } from '@fathom/model';

export class MetricsEndpoint implements Service {
  readonly name = 'agent-metrics-endpoint';
  private _server: Server | undefined;

  constructor(
    private readonly _listen: string,
    private readonly _snapshot: () => MetricSet,
    private readonly _logger: Logger,
  ) {}

  /** The bound port, once listening (useful with port 0). */
  get port(): number | undefined {
    const a = this._server?.address();
    return typeof a === 'object' && a ? a.port : undefined;
  }

  async run(signal: AbortSignal): Promise<void> {
    const { host, port } = parseListen(this._listen);
    const server = createServer((req, res) => {
      if (req.url === '/metrics' || req.url?.startsWith('/metrics?')) {
        res.writeHead(200, { 'content-type': TEXT_CONTENT_TYPE }).end(writeText(this._snapshot()));
      } else if (req.url === '/-/healthy') res.writeHead(200).end('ok\n');
      else res.writeHead(404).end('not found\n');
    });
    this._server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this._logger.info('agent metrics endpoint listening', { url: `http://${host}:${this.port ?? port}/metrics` });
    await untilAborted(signal);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** `host:port` → parts; throws with the offending value. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) throw new Error(`invalid listen address ${JSON.stringify(listen)}: expected host:port`);
  return { host: (m[1] ?? '').replace(/^\[(.*)\]$/, '$1') || '0.0.0.0', port: Number(m[2]) };
}
