/**
 * The samples of one series: parallel Float64Arrays of times and values, kept sorted by time.
 * Typed arrays matter beyond memory (16 bytes a sample): V8 canonicalises NaN payloads stored in
 * plain double arrays, which would erase the bits of Prometheus' stale marker.
 */
import { ColumnsBuilder } from './sample-columns.js';
import type { SampleColumns } from './sample-columns.js';

export class SampleBuffer {
  private _times: Float64Array;
  private _values: Float64Array;
  private _length = 0;

  constructor(initialCapacity = 8) {
    this._times = new Float64Array(initialCapacity);
    this._values = new Float64Array(initialCapacity);
  }

  get length(): number {
    return this._length;
  }

  timeAt(i: number): number {
    return this._times[i] ?? NaN;
  }

  valueAt(i: number): number {
    return this._values[i] ?? NaN;
  }

  /** First index whose time is >= t. */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this._length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this._times[mid] ?? 0) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The value stored at time t, or undefined. */
  get(t: number): number | undefined {
    const i = this.lowerBound(t);
    return i < this._length && this._times[i] === t ? this._values[i] : undefined;
  }

  /** Inserts in time order; returns false (and stores nothing) when the time is already present. */
  insert(t: number, v: number): boolean {
    const n = this._length;
    const i = n === 0 || (this._times[n - 1] ?? 0) < t ? n : this.lowerBound(t);
    if (i < n && this._times[i] === t) return false;
    if (n === this._times.length) this._grow();
    if (i < n) {
      this._times.copyWithin(i + 1, i, n);
      this._values.copyWithin(i + 1, i, n);
    }
    this._times[i] = t;
    this._values[i] = v;
    this._length++;
    return true;
  }

  /** Samples [from, to) as columns: a copy (slab views, see ColumnsBuilder), as later inserts shift the buffer in place. */
  columns(from: number, to: number): SampleColumns {
    const out = new ColumnsBuilder(to - from);
    out.pushRange({ tMs: this._times, values: this._values }, from, to);
    return out.finish();
  }

  /** Removes the first `count` samples. */
  dropFront(count: number): void {
    if (count <= 0) return;
    this._times.copyWithin(0, count, this._length);
    this._values.copyWithin(0, count, this._length);
    this._length -= count;
  }

  /** Drops samples older than `minMs`; returns how many. */
  dropBefore(minMs: number): number {
    const cut = this.lowerBound(minMs);
    this.dropFront(cut);
    return cut;
  }

  private _grow(): void {
    const times = new Float64Array(this._times.length * 2);
    const values = new Float64Array(this._values.length * 2);
    times.set(this._times);
    values.set(this._values);
    this._times = times;
    this._values = values;
  }
}
