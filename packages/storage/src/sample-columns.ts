/**
 * A series' samples as two parallel typed arrays (times, values) instead of one object per sample:
 * a select of 100,000 series × hours of samples made that many short-lived objects per query, and
 * their garbage collection was a third of a rules cycle. Float64Array also keeps NaN payloads
 * bit-exact (plain double arrays canonicalise them), so the stale marker survives.
 */
import type { Sample } from '@fathom/model';

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
 * doubling. `finish` returns views of the filled part.
 */
export class ColumnsBuilder {
  private _tMs: Float64Array;
  private _values: Float64Array;
  private _n = 0;

  constructor(capacity: number) {
    this._tMs = new Float64Array(capacity);
    this._values = new Float64Array(capacity);
  }

  get length(): number {
    return this._n;
  }

  /** Time of the newest sample pushed (−∞ when empty). */
  get lastTMs(): number {
    return this._n > 0 ? this._tMs[this._n - 1]! : -Infinity;
  }

  push(tMs: number, value: number): void {
    if (this._n === this._tMs.length) this._grow();
    this._tMs[this._n] = tMs;
    this._values[this._n] = value;
    this._n++;
  }

  /** Appends samples [from, to) of `c`. */
  pushRange(c: SampleColumns, from: number, to: number): void {
    const k = to - from;
    if (k <= 0) return;
    while (this._n + k > this._tMs.length) this._grow();
    this._tMs.set(c.tMs.subarray(from, to), this._n);
    this._values.set(c.values.subarray(from, to), this._n);
    this._n += k;
  }

  /** The samples pushed (views; the builder must not be pushed to afterwards). */
  finish(): SampleColumns {
    return this._n === 0 ? EMPTY_COLUMNS : sliceColumns({ tMs: this._tMs, values: this._values }, 0, this._n);
  }

  private _grow(): void {
    const cap = Math.max(8, this._tMs.length * 2);
    const tMs = new Float64Array(cap);
    const values = new Float64Array(cap);
    tMs.set(this._tMs.subarray(0, this._n));
    values.set(this._values.subarray(0, this._n));
    this._tMs = tMs;
    this._values = values;
  }
}
