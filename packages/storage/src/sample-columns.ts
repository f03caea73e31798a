/**
 * A series' samples as two parallel typed arrays (times, values) instead of one object per sample:
 * a select of 100,000 series × hours of samples made that many short-lived objects per query, and
 * their garbage collection was a third of a rules cycle. Float64Array also keeps NaN payloads
 * bit-exact (plain double arrays canonicalise them), so the stale marker survives.
 */
import type { Sample } from '@fathom/model';
import { currentCarver } from './column-arena.js';
import type { SlabCarver } from './column-arena.js';

/**
 * Samples oldest first: `tMs[i]` is the time of `values[i]`; both have the same length. Readers
 * must not write to them (stores may hand out views of their own buffers); `subarray` views of
 * both with the same bounds are columns too.
 */
export interface SampleColumns {
  readonly tMs: Float64Array;
  readonly values: Float64Array;
}

/** No samples (shared: never written to, being empty). */
export const EMPTY_COLUMNS: SampleColumns = { tMs: new Float64Array(0), values: new Float64Array(0) };

/** Samples [from, to) as views of the same buffers (no copy). */
export function sliceColumns(c: SampleColumns, from: number, to: number): SampleColumns {
  if (from === 0 && to === c.tMs.length) return c;
  return { tMs: c.tMs.subarray(from, to), values: c.values.subarray(from, to) };
}

/** Sample objects as columns (tests and cold paths). */
export function columnsOf(samples: readonly Sample[]): SampleColumns {
  const n = samples.length;
  const tMs = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = samples[i]!;
    tMs[i] = s.tMs;
    values[i] = s.value;
  }
  return { tMs, values };
}

/** Columns as sample objects (tests, API output and other cold paths). */
export function samplesOf(c: SampleColumns): Sample[] {
  const out: Sample[] = new Array<Sample>(c.tMs.length);
  for (let i = 0; i < c.tMs.length; i++) out[i] = { tMs: c.tMs[i]!, value: c.values[i]! };
  return out;
}

/**
 * Builds columns sample by sample into preallocated arrays: a producer that knows how many samples
 * it may write (e.g. the decoded chunks' counts) allocates once; past the capacity it grows by
 * doubling. `finish` returns views of the filled part and gives the unused capacity back to the
 * slab when nothing was carved after it.
 */
export class ColumnsBuilder {
  /** Times in region [start, start + cap), values in [start + cap, start + 2 cap) of `_arr`. */
  private _arr: Float64Array;
  private _start: number;
  private _cap: number;
  private _tMs: Float64Array;
  private _values: Float64Array;
  private _n = 0;
  /** Where this builder's arrays come from: the shared slabs, or the arena of the select that made it (column-arena.ts). */
  private readonly _carver: SlabCarver = currentCarver();

  constructor(capacity: number) {
    this._cap = Math.max(1, capacity);
    const { arr, start } = this._carver.carve(2 * this._cap);
    this._arr = arr;
    this._start = start;
    this._tMs = arr.subarray(start, start + this._cap);
    this._values = arr.subarray(start + this._cap, start + 2 * this._cap);
  }

  get length(): number {
    return this._n;
  }

  /** Time of the newest sample pushed (−∞ when empty). */
  get lastTMs(): number {
    return this._n > 0 ? this._tMs[this._n - 1]! : -Infinity;
  }

  push(tMs: number, value: number): void {
    if (this._n === this._cap) this._grow(this._n + 1);
    this._tMs[this._n] = tMs;
    this._values[this._n] = value;
    this._n++;
  }

  /** Appends samples [from, to) of `c`. */
  pushRange(c: SampleColumns, from: number, to: number): void {
    const k = to - from;
    if (k <= 0) return;
    if (this._n + k > this._cap) this._grow(this._n + k);
    this._tMs.set(c.tMs.subarray(from, to), this._n);
    this._values.set(c.values.subarray(from, to), this._n);
    this._n += k;
  }

  /** The samples pushed (views; the builder must not be pushed to afterwards). */
  finish(): SampleColumns {
    const n = this._n;
    if (n === 0) return EMPTY_COLUMNS;
    const a = this._arr;
    const s = this._start;
    if (n < this._cap && this._carver.giveBack(a, s + 2 * this._cap, s + 2 * n)) {
      // the last carve: move the values next to the times (the rest went back)
      a.copyWithin(s + n, s + this._cap, s + this._cap + n);
      this._cap = n;
      this._tMs = a.subarray(s, s + n);
      this._values = a.subarray(s + n, s + 2 * n);
      return { tMs: this._tMs, values: this._values };
    }
    return { tMs: this._tMs.subarray(0, n), values: this._values.subarray(0, n) };
  }

  private _grow(atLeast: number): void {
    const cap = Math.max(8, 2 * this._cap, atLeast);
    const { arr, start } = this._carver.carve(2 * cap);
    const tMs = arr.subarray(start, start + cap);
    const values = arr.subarray(start + cap, start + 2 * cap);
    tMs.set(this._tMs.subarray(0, this._n));
    values.set(this._values.subarray(0, this._n));
    this._arr = arr;
    this._start = start;
    this._cap = cap;
    this._tMs = tMs;
    this._values = values;
  }
}
