/**
 * A local HTTP receiver for channel tests: records every request body, answers from a script of
 * responses (status, body, headers, or `hang` to never answer), then 200 by default.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedResponse {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  readonly hang?: boolean;
}

export interface Received {
  readonly path: string;
  readonly body: string;
  readonly json: unknown;
  readonly headers: IncomingMessage['headers'];
  /** Position among all requests to every receiver of the test (global arrival order). */
  readonly seq: number;
  /** When the request arrived (wall clock), Unix ms. */
  readonly atMs: number;
}

let globalSeq = 0;

export class TestReceiver {
  readonly received: Received[] = [];
  /** Requests answered with a success status. */
  readonly accepted: Received[] = [];
  private readonly _script: ScriptedResponse[] = [];
  private readonly _hanging: ServerResponse[] = [];
  private _server: Server | undefined;
  url = '';

  constructor(
    /** Answer when the script is empty. */
    private _default: ScriptedResponse = { status: 200, body: 'ok' },
    /** Validates a body; a string return is answered 400 with that text (a faithful receiver refuses bad payloads). */
    private readonly _validate?: (json: unknown) => string | undefined,
  ) {}

  /** Queues answers for the next requests. */
  script(...responses: ScriptedResponse[]): void {
    this._script.push(...responses);
  }

  setDefault(r: ScriptedResponse): void {
    this._default = r;
  }

  async start(): Promise<string> {
    this._server = createServer((req, res) => void this._handle(req, res));
    await new Promise<void>((r) => this._server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this._server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const r of this._hanging) r.destroy();
    this._server?.closeAllConnections();
    await new Promise<void>((r) => (this._server ? this._server.close(() => r()) : r()));
  }

  private async _handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += (chunk as Buffer).toString();
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    const rec: Received = { path: req.url ?? '', body, json, headers: req.headers, seq: globalSeq++, atMs: Date.now() };
    this.received.push(rec);
    const invalid = this._validate?.(json);
    const r = invalid !== undefined ? { status: 400, body: invalid } : (this._script.shift() ?? this._default);
    if (r.hang) {
      this._hanging.push(res);
      return;
    }
    if (r.status >= 200 && r.status < 300) this.accepted.push(rec);
    res.writeHead(r.status, { 'content-type': 'text/plain', ...r.headers });
    res.end(r.body ?? '');
  }
}
