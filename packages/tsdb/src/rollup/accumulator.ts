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

export class RollupAccumulator {
  // The open bucket as plain number fields (no object per bucket: a cold roll-up closes tens of
  // thousands); `_oT` is NaN while there is none. `_oEnd` = `_oT` + resolution.
  private _oT = NaN;
  private _oEnd = NaN;
  private _oMin = 0;
  private _oMax = 0;
  private _oSum = 0;
  private _oCount = 0;
  private _oLast = 0;
  private _oCounter = 0;
  private _counter = 0;
  private _prev = NaN;

  constructor(readonly resolutionMs: number) {}

  /**
   * Adds a sample (in time order). Returns the bucket this sample closed, if it starts a new one.
   */
  add(tMs: number, value: number): RolledPoint | undefined {
    if (!this.addTo(tMs, value, CLOSED, 0)) return undefined;
    const c = CLOSED;
    return { tMs: c[0]!, min: c[1]!, max: c[2]!, sum: c[3]!, count: c[4]!, last: c[5]!, counter: c[6]! };
  }

  /**
   * Adds a sample (in time order); when it starts a new bucket and so closes the open one, writes
   * the closed bucket to `out` from `at` (tMs, then {@link ROLLED_FIELDS}) and returns true.
   */
  addTo(tMs: number, value: number, out: Float64Array, at: number): boolean {
    if (value !== value) return false; // NaN: stale markers are not rolled up
    const prev = this._prev;
    this._counter = prev !== prev ? value : this._counter + (value >= prev ? value - prev : value);
    this._prev = value;
    // inside the open bucket (aligned): no modulo, which on epoch milliseconds is a slow double fmod
    if (tMs >= this._oT && tMs < this._oEnd) {
      if (value < this._oMin) this._oMin = value;
      if (value > this._oMax) this._oMax = value;
      this._oSum += value;
      this._oCount++;
      this._oLast = value;
      this._oCounter = this._counter;
      return false;
    }
    const res = this.resolutionMs;
    const start = tMs - (((tMs % res) + res) % res);
    const closed = this._oT === this._oT;
    if (closed) {
      out[at] = this._oT;
      out[at + 1] = this._oMin;
      out[at + 2] = this._oMax;
      out[at + 3] = this._oSum;
      out[at + 4] = this._oCount;
      out[at + 5] = this._oLast;
      out[at + 6] = this._oCounter;
    }
    this._open(start, value, value, value, 1, value, this._counter);
    return closed;
  }

  private _open(tMs: number, min: number, max: number, sum: number, count: number, last: number, counter: number): void {
    this._oT = tMs;
    this._oEnd = tMs + this.resolutionMs;
    this._oMin = min;
    this._oMax = max;
    this._oSum = sum;
    this._oCount = count;
    this._oLast = last;
    this._oCounter = counter;
  }

  /** The bucket still being filled (for reads of the recent past), if any. A fresh object. */
  get open(): RolledPoint | undefined {
    if (this._oT !== this._oT) return undefined;
    return { tMs: this._oT, min: this._oMin, max: this._oMax, sum: this._oSum, count: this._oCount, last: this._oLast, counter: this._oCounter };
  }

  /** State for checkpoints: the open bucket and the counter's running values. */
  state(): { open: RolledPoint | undefined; counter: number; prev: number } {
    return { open: this.open, counter: this._counter, prev: this._prev };
  }

  restore(s: { open: RolledPoint | undefined; counter: number; prev: number }): void {
    const o = s.open;
    if (o) this._open(o.tMs, o.min, o.max, o.sum, o.count, o.last, o.counter);
    else {
      this._oT = NaN;
      this._oEnd = NaN;
    }
    this._counter = s.counter;
    this._prev = s.prev;
  }
}

/** Where {@link RollupAccumulator.add} has {@link RollupAccumulator.addTo} write a closed bucket it then drops. */
const CLOSED = new Float64Array(1 + ROLLED_FIELDS.length);

/** The value of one field of a point, as served (avg = sum / count). */
export function fieldValue(p: RolledPoint, field: (typeof ROLLED_FIELDS)[number] | 'avg'): number {
  return field === 'avg' ? p.sum / p.count : p[field];
}
