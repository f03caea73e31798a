/**
 * Loads the Explore table's columns into a TableModel: a round asks each column's query once,
 * in the given order: the first alone, then at most `concurrency` at a time (the server answers
 * them one after the other anyway; the first column then arrives after one query, not after all).
 * Rounds run through a {@link LatestRun}: a new time for the same queries waits for the running
 * round (live mode at 10,000 pods: one round at a time, never aborted half-way by the next tick);
 * other queries abort it. Each answered column replaces its values, so the previous window's
 * values stay until then (no flicker).
 */
import type { ColumnSource } from './column-source.js';
import type { ColumnTiming } from './column-data.js';
import type { ColumnQuery } from './explore-queries.js';
import { LatestRun } from './latest-run.js';
import { TableModel } from './table-model.js';

export class ColumnLoader {
  readonly model = new TableModel();
  /** The current round's failed columns, "id: message". */
  errors: readonly string[] = [];
  /** Columns of the current round not answered yet. */
  pending = 0;
  /** The round (queries and time) that last ran to its end. */
  private _loadedKey: string | undefined;
  private readonly _rounds: LatestRun<void>;

  constructor(
    private readonly _source: ColumnSource,
    private readonly _by: string,
    private readonly _onChange: () => void,
    private readonly _concurrency = 2,
  ) {
    this._rounds = new LatestRun<void>(
      () => this._onChange(),
      (result) => {
        this._loadedKey = result.key;
        if (this._rounds.waitingKey === undefined) this._onChange();
      },
    );
  }

  /** Whether every column of the latest request has answered (or failed). */
  get complete(): boolean {
    return this._loadedKey !== undefined && this._rounds.runningKey === undefined && this._rounds.waitingKey === undefined;
  }

  /** Loads the queries at `atMs`, in their order. Asking again for what is loading or loaded does nothing. */
  request(queries: readonly ColumnQuery[], atMs: number): void {
    const group = queries.map((q) => `${q.id}\u0000${q.expr}`).sort().join('\u0001');
    const key = `${group}\u0002${atMs}`;
    if (key === this._loadedKey && this._rounds.runningKey === undefined) return;
    this._rounds.request(key, group, (signal) => this._round(queries, atMs, signal));
  }

  /** Aborts the running round; the model keeps its values. */
  stop(): void {
    this._rounds.abort();
  }

  private async _round(queries: readonly ColumnQuery[], atMs: number, signal: AbortSignal): Promise<void> {
    this.errors = [];
    this.pending = queries.length;
    const [first, ...queue] = queries;
    const work = async (): Promise<void> => {
      for (let q = queue.shift(); q !== undefined && !signal.aborted; q = queue.shift()) await this._one(q, atMs, signal);
    };
    // The first column alone: the table shows from its answer, so nothing shares the server with it.
    if (first !== undefined) await this._one(first, atMs, signal);
    await Promise.all(Array.from({ length: Math.min(this._concurrency, queue.length) }, work));
  }

  private async _one(q: ColumnQuery, atMs: number, signal: AbortSignal): Promise<void> {
    try {
      const { data, timing } = await this._source.load({ expr: q.expr, atMs, by: this._by }, signal);
      if (signal.aborted) return;
      const fileStart = performance.now();
      this.model.setColumn(q.id, data);
      record(q, timing, data.names.length, fileStart);
    } catch (err) {
      if (signal.aborted) return;
      this.errors = [...this.errors, `${q.id}: ${(err as Error).message}`];
    }
    this.pending--;
    this._onChange();
  }
}

/**
 * A User Timing measure per column ("explore-column cpu"), from asking to the values in the
 * table, with where the time went: queued and the server (to the first byte), download, parse,
 * delivery to the main thread, filing into the table. Visible in the browser's performance
 * panel; the web bench reads them. `fileStart` is performance.now() before filing.
 */
function record(q: ColumnQuery, t: ColumnTiming, rows: number, fileStart: number): void {
  const origin = performance.timeOrigin;
  const end = performance.now();
  const detail = {
    expr: q.expr,
    rows,
    bytes: t.bytes,
    waitMs: t.responseStartMs !== undefined ? t.responseStartMs - t.startMs : undefined,
    downloadMs: t.responseStartMs !== undefined && t.responseEndMs !== undefined ? t.responseEndMs - t.responseStartMs : undefined,
    parseMs: t.parsedMs - (t.responseEndMs ?? t.startMs),
    deliverMs: origin + fileStart - t.parsedMs,
    fileMs: end - fileStart,
  };
  const start = t.startMs - origin;
  // Instrumentation only: a timing the browser refuses must not fail the column.
  if (start >= 0 && start <= end) performance.measure(`explore-column ${q.id}`, { start, end, detail });
}
