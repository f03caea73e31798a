/**
 * Pure rollup of one series into buckets of one tier. A rolled point keeps min, max, sum, count,
 * last and `counter`: the series' cumulative increase with Prometheus' reset rule (a drop means the
 * counter restarted from 0), taken at the bucket's last sample. Differences of `counter` between
 * buckets are exactly the raw increase between those samples, resets inside a bucket included, so
 * rate/increase over a rollup tier stay exact at bucket boundaries. NaN values (stale markers) are
 * not rolled up. Design room: a point is a record of fields; a mergeable histogram field (e.g.
 * DDSketch buckets) would be one more field merged the same way.
 */

export interface RolledPoint {
  /** Bucket start (aligned to the resolution, epoch-based). */
  readonly tMs: number;
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly count: number;
  readonly last: number;
  readonly counter: number;
}

export const ROLLED_FIELDS = ['min', 'max', 'sum', 'count', 'last', 'counter'] as const;

interface OpenBucket {
  tMs: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
  counter: number;
}

export class RollupAccumulator {
  private _open: OpenBucket | undefined;
  private _counter = 0;
  private _prev = NaN;

  constructor(readonly resolutionMs: number) {}

  /**
   * Adds a sample (in time order). Returns the bucket this sample closed, if it starts a new one.
   */
  add(tMs: number, value: number): RolledPoint | undefined {
    if (Number.isNaN(value)) return undefined;
    this._counter = Number.isNaN(this._prev) ? value : this._counter + (value >= this._prev ? value - this._prev : value);
    this._prev = value;
    const open = this._open;
    // inside the open bucket (aligned): no modulo, which on epoch milliseconds is a slow double fmod
    const inOpen = open !== undefined && tMs >= open.tMs && tMs < open.tMs + this.resolutionMs;
    const start = inOpen ? open.tMs : tMs - (((tMs % this.resolutionMs) + this.resolutionMs) % this.resolutionMs);
    if (open && open.tMs === start) {
      if (value < open.min) open.min = value;
      if (value > open.max) open.max = value;
      open.sum += value;
      open.count++;
      open.last = value;
      open.counter = this._counter;
      return undefined;
    }
    this._open = { tMs: start, min: value, max: value, sum: value, count: 1, last: value, counter: this._counter };
    return open;
  }

  /** The bucket still being filled (for reads of the recent past), if any. */
  get open(): RolledPoint | undefined {
    return this._open;
  }

  /** State for checkpoints: the open bucket and the counter's running values. */
  state(): { open: RolledPoint | undefined; counter: number; prev: number } {
    return { open: this._open, counter: this._counter, prev: this._prev };
  }

  restore(s: { open: RolledPoint | undefined; counter: number; prev: number }): void {
    this._open = s.open ? { ...s.open } : undefined;
    this._counter = s.counter;
    this._prev = s.prev;
  }
}

/** The value of one field of a point, as served (avg = sum / count). */
export function fieldValue(p: RolledPoint, field: (typeof ROLLED_FIELDS)[number] | 'avg'): number {
  return field === 'avg' ? p.sum / p.count : p[field];
}
