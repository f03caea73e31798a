/**
 * Where the Explore table's columns come from: a Web Worker that fetches and parses them (the
 * default in the browser), or the main thread when no worker can be started.
 */
import { fetchTiming, toColumn } from './column-data.js';
import type { LoadedColumn, WorkerReply, WorkerRequest } from './column-data.js';
import { instantQuery, instantQueryUrl } from './prom-client.js';

export interface ColumnRequest {
  readonly expr: string;
  readonly atMs: number;
  /** The label naming the rows. */
  readonly by: string;
}

/** Loads one column; rejects with the server's message, or an AbortError once `signal` aborts. */
export interface ColumnSource {
  load(req: ColumnRequest, signal: AbortSignal): Promise<LoadedColumn>;
}

function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

function abortError(): Error {
  return new DOMException('aborted', 'AbortError');
}

/** Fetches and parses on the calling thread. */
export const mainThreadSource: ColumnSource = {
  async load(req, signal) {
    const startMs = epochNow();
    const r = await instantQuery(req.expr, req.atMs, signal);
    return { data: toColumn(r.result, req.by), timing: { startMs, ...fetchTiming(instantQueryUrl(req.expr, req.atMs)), parsedMs: epochNow() } };
  },
};

interface Waiting {
  readonly req: ColumnRequest;
  readonly signal: AbortSignal;
  readonly resolve: (c: LoadedColumn) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * One worker for the page, started on first use. If it cannot start or fails to load, the loads
 * waiting on it and all later ones run on the main thread.
 */
class WorkerSource implements ColumnSource {
  private _worker: Worker | undefined;
  private _broken = false;
  private _nextId = 1;
  private readonly _waiting = new Map<number, Waiting>();

  /** Starts the worker now (its script loads while the page renders). */
  start(): void {
    this._started();
  }

  load(req: ColumnRequest, signal: AbortSignal): Promise<LoadedColumn> {
    const worker = this._started();
    if (worker === undefined) return mainThreadSource.load(req, signal);
    if (signal.aborted) return Promise.reject(abortError());
    const id = this._nextId++;
    return new Promise<LoadedColumn>((resolve, reject) => {
      this._waiting.set(id, { req, signal, resolve, reject });
      signal.addEventListener('abort', () => {
        if (!this._waiting.delete(id)) return;
        worker.postMessage({ kind: 'cancel', id } satisfies WorkerRequest);
        reject(abortError());
      }, { once: true });
      worker.postMessage({ kind: 'load', id, ...req } satisfies WorkerRequest);
    });
  }

  private _started(): Worker | undefined {
    if (this._broken) return undefined;
    if (this._worker !== undefined) return this._worker;
    try {
      const w = new Worker(new URL('./column-worker.ts', import.meta.url), { type: 'module', name: 'explore-columns' });
      w.onmessage = (e: MessageEvent<WorkerReply>) => this._reply(e.data);
      w.onerror = () => this._fallBack();
      this._worker = w;
      return w;
    } catch {
      this._broken = true;
      return undefined;
    }
  }

  private _reply(m: WorkerReply): void {
    const w = this._waiting.get(m.id);
    if (w === undefined) return;
    this._waiting.delete(m.id);
    if (m.ok) w.resolve({ data: { names: m.names, values: m.values }, timing: m.timing });
    else w.reject(new Error(m.error));
  }

  private _fallBack(): void {
    this._broken = true;
    this._worker?.terminate();
    this._worker = undefined;
    const waiting = [...this._waiting.values()];
    this._waiting.clear();
    for (const w of waiting) mainThreadSource.load(w.req, w.signal).then(w.resolve, w.reject);
  }
}

let shared: WorkerSource | undefined;

/** The page's column source: one worker, shared by every table, started by the first call. */
export function pageColumnSource(): ColumnSource {
  if (shared === undefined) {
    shared = new WorkerSource();
    shared.start();
  }
  return shared;
}
