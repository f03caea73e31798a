/**
 * The samples of one appender, in parallel arrays (values in a Float64Array, so NaN payloads
 * such as the stale marker survive; plain JS arrays may canonicalise them). No object per sample.
 */
import type { Labels } from '@fathom/model';

export class PendingSamples {
  readonly labels: Labels[] = [];
  readonly times: number[] = [];
  private _values = new Float64Array(256);

  get length(): number {
    return this.labels.length;
  }

  push(labels: Labels, tMs: number, value: number): void {
    const i = this.labels.length;
    if (i === this._values.length) {
      const next = new Float64Array(i * 2);
      next.set(this._values);
      this._values = next;
    }
    this.labels.push(labels);
    this.times.push(tMs);
    this._values[i] = value;
  }

  valueAt(i: number): number {
    return this._values[i] ?? NaN;
  }

  clear(): void {
    this.labels.length = 0;
    this.times.length = 0;
  }
}
