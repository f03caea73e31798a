/**
 * One async load at a time for a view, keeping up with a moving input without starving.
 *
 * A request in the same `group` as the running load (live mode: the same panel, only the clock
 * moved) does not abort it: it waits, replacing any request already waiting, and starts when the
 * running load settles. Aborting on every tick would mean a query slower than the tick never
 * finishes and the panel stays empty. A request in another group (the user changed the scope,
 * the query or the window) aborts the running load and starts at once. Pure of React.
 */

export interface RunResult<T> {
  readonly key: string;
  readonly data?: T;
  readonly error?: string;
}

export type Loader<T> = (signal: AbortSignal) => Promise<T>;

interface Request<T> {
  readonly key: string;
  readonly group: string;
  readonly load: Loader<T>;
}

export class LatestRun<T> {
  private _running: { req: Request<T>; ac: AbortController } | undefined;
  private _waiting: Request<T> | undefined;
  private _stopped = false;
  /** Requests dropped because a newer one of the same group replaced them while they waited. */
  coalesced = 0;

  constructor(
    private readonly _onStart: (key: string) => void,
    private readonly _onResult: (result: RunResult<T>) => void,
  ) {}

  get runningKey(): string | undefined {
    return this._running?.req.key;
  }

  get waitingKey(): string | undefined {
    return this._waiting?.key;
  }

  request(key: string, group: string, load: Loader<T>): void {
    if (this._stopped) return;
    const req = { key, group, load };
    const running = this._running;
    if (!running) return this._start(req);
    if (running.req.key === key) {
      if (this._waiting) this.coalesced++;
      this._waiting = undefined;
      return;
    }
    if (running.req.group === group) {
      if (this._waiting) this.coalesced++;
      this._waiting = req;
      return;
    }
    this._waiting = undefined;
    running.ac.abort();
    this._running = undefined;
    this._start(req);
  }

  /** Aborts the running load and forgets the waiting one; later requests run again. */
  abort(): void {
    this._waiting = undefined;
    this._running?.ac.abort();
    this._running = undefined;
  }

  /** {@link abort}, and ignores every later request (unmount). */
  stop(): void {
    this._stopped = true;
    this.abort();
  }

  private _start(req: Request<T>): void {
    const ac = new AbortController();
    const run = { req, ac };
    this._running = run;
    this._onStart(req.key);
    req.load(ac.signal).then(
      (data) => this._settle(run, { key: req.key, data }),
      (err: unknown) => this._settle(run, { key: req.key, error: err instanceof Error ? err.message : String(err) }),
    );
  }

  private _settle(run: { req: Request<T>; ac: AbortController }, result: RunResult<T>): void {
    if (this._running !== run || run.ac.signal.aborted) return;
    this._running = undefined;
    this._onResult(result);
    const next = this._waiting;
    this._waiting = undefined;
    if (next && !this._stopped) this._start(next);
  }
}
