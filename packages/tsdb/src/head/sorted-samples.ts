/**
 * A small sorted sample buffer (parallel Float64Arrays: NaN bits survive) for out-of-order
 * samples that cannot go into the series' append-only XOR chunk.
 */
export class SortedSamples {
  private _times = new Float64Array(4);
  private _values = new Float64Array(4);
  private _length = 0;

  get length(): number {
    return this._length;
  }

  timeAt(i: number): number {
    return this._times[i] ?? NaN;
  }

  valueAt(i: number): number {
    return this._values[i] ?? NaN;
  }

  /** First index whose time is ≥ t. */
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

  /** Inserts in time order; returns false when the time is already present. */
  insert(t: number, v: number): boolean {
    const n = this._length;
    const i = this.lowerBound(t);
    if (i < n && this._times[i] === t) return false;
    if (n === this._times.length) this._grow();
    this._times.copyWithin(i + 1, i, n);
    this._values.copyWithin(i + 1, i, n);
    this._times[i] = t;
    this._values[i] = v;
    this._length++;
    return true;
  }

  /** Drops samples older than `minMs`; returns how many. */
  dropBefore(minMs: number): number {
    const cut = this.lowerBound(minMs);
    if (cut === 0) return 0;
    this._times.copyWithin(0, cut, this._length);
    this._values.copyWithin(0, cut, this._length);
    this._length -= cut;
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
