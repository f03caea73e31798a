/**
 * The samples of one appender in typed columns (times and values in Float64Arrays, so NaN payloads
 * such as the stale marker survive; plain JS arrays may canonicalise them) and the label sets once
 * per run of consecutive samples of one series (remote write sends a series' samples together).
 * No object and no JS-heap slot per sample: a large batch lives across a few scavenges while it
 * is validated and written, and per-sample JS arrays were promoted to the old generation with it.
 */
import type { Labels } from '@fathom/model';

export class PendingSamples {
  /** Label set of each run of consecutive samples with the same labels object. */
  readonly runs: Labels[] = [];
  private _run = new Int32Array(256);
  private _times = new Float64Array(256);
  private _values = new Float64Array(256);
  private _n = 0;

  get length(): number {
    return this._n;
  }

  push(labels: Labels, tMs: number, value: number): void {
    const i = this._n;
    if (i === this._values.length) this._grow();
    if (this.runs[this.runs.length - 1] !== labels || i === 0) this.runs.push(labels);
    this._run[i] = this.runs.length - 1;
    this._times[i] = tMs;
    this._values[i] = value;
    this._n++;
  }

  private _grow(): void {
    const n = this._values.length * 2;
    const run = new Int32Array(n);
    run.set(this._run);
    this._run = run;
    const times = new Float64Array(n);
    times.set(this._times);
    this._times = times;
    const values = new Float64Array(n);
    values.set(this._values);
    this._values = values;
  }

  /** Index into {@link runs} of sample `i`. */
  runOf(i: number): number {
    return this._run[i] ?? 0;
  }

  timeAt(i: number): number {
    return this._times[i] ?? NaN;
  }

  valueAt(i: number): number {
    return this._values[i] ?? NaN;
  }

  clear(): void {
    this.runs.length = 0;
    this._n = 0;
  }
}
