/**
 * Cooperative scheduling of rule evaluation on the server's one event loop. Prometheus runs each
 * group in its own goroutine; here the groups share the thread with ingest and the HTTP API, so:
 *
 * - at most `maxConcurrentGroups` groups evaluate at once; the others wait for a slot, first come
 *   first served (each group still keeps its own schedule, and a wait that makes it late counts as
 *   missed iterations);
 * - evaluation gives the event loop back (a `setImmediate` turn: pending HTTP requests and remote
 *   writes run) whenever `sliceMs` of work has passed since the last turn. The yield points are
 *   between rules, between an alerting rule's alerts, and before every storage selection of a
 *   query (through {@link EvalScheduler.queryable}); a single selection or evaluation step is not
 *   cut, so one heavy selector still holds the loop for its own duration.
 */
import { setImmediate } from 'node:timers/promises';
import type { Matcher } from '@fathom/model';
import type { Querier, Queryable, SelectHints } from '@fathom/storage';

export interface EvalSchedulerOptions {
  /** Groups evaluating at once (≥ 1). */
  readonly maxConcurrentGroups: number;
  /** Longest run of evaluation work between two turns of the event loop, ms. */
  readonly sliceMs: number;
  /** Monotonic clock, ms (default `performance.now`). */
  readonly clockMs?: () => number;
}

export const DEFAULT_EVAL_SCHEDULER: EvalSchedulerOptions = { maxConcurrentGroups: 2, sliceMs: 10 };

export interface EvalSchedulerStats {
  /** Turns of the event loop given back. */
  readonly yields: number;
  /** Group evaluations that waited for a slot. */
  readonly slotWaits: number;
  /** Groups evaluating now. */
  readonly running: number;
  /** Groups waiting for a slot now. */
  readonly waiting: number;
}

export class EvalScheduler {
  private readonly _clock: () => number;
  private _sliceStartMs: number;
  private _running = 0;
  private readonly _waiting: (() => void)[] = [];
  private _yields = 0;
  private _slotWaits = 0;

  constructor(private readonly _o: EvalSchedulerOptions = DEFAULT_EVAL_SCHEDULER) {
    if (!(_o.maxConcurrentGroups >= 1) || !(_o.sliceMs >= 0)) throw new Error(`invalid evaluation scheduler options: ${JSON.stringify(_o)}`);
    this._clock = _o.clockMs ?? (() => performance.now());
    this._sliceStartMs = this._clock();
  }

  /**
   * Waits for an evaluation slot; resolves with its release function (call it exactly once), or
   * with undefined when `signal` aborts first.
   */
  async acquire(signal?: AbortSignal): Promise<(() => void) | undefined> {
    if (signal?.aborted) return undefined;
    if (this._running >= this._o.maxConcurrentGroups) {
      this._slotWaits++;
      const granted = await new Promise<boolean>((resolve) => {
        const wake = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(true);
        };
        const onAbort = (): void => {
          const i = this._waiting.indexOf(wake);
          if (i >= 0) this._waiting.splice(i, 1);
          resolve(false);
        };
        this._waiting.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      if (!granted) return undefined;
    } else {
      this._running++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this._waiting.shift();
      if (next) next(); // the slot passes on: `_running` unchanged
      else this._running--;
    };
  }

  /** A turn of the event loop if the current slice is used up; else resolves at once (a microtask). */
  async pause(): Promise<void> {
    if (this._clock() - this._sliceStartMs < this._o.sliceMs) return;
    this._yields++;
    await setImmediate();
    this._sliceStartMs = this._clock();
  }

  /** `inner`, with a {@link pause} before every selection (for the query engine rules evaluate with). */
  queryable(inner: Queryable): Queryable {
    return {
      querier: async (minMs, maxMs): Promise<Querier> => {
        const q = await inner.querier(minMs, maxMs);
        return {
          select: async (matchers: readonly Matcher[], hints?: SelectHints) => {
            await this.pause();
            return q.select(matchers, hints);
          },
          labelNames: (matchers) => q.labelNames(matchers),
          labelValues: (name, matchers) => q.labelValues(name, matchers),
        };
      },
    };
  }

  stats(): EvalSchedulerStats {
    return { yields: this._yields, slotWaits: this._slotWaits, running: this._running, waiting: this._waiting.length };
  }
}
