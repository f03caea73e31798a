/**
 * The in-memory head: per-series sample arrays kept sorted by time, an inverted index, series
 * limits, and retention. It is synchronous and does no I/O; durability is the journal's job.
 */
import { labelsKey, metricNameOf } from '@fathom/model';
import type { Labels, Matcher, Millis } from '@fathom/model';
import { StorageError } from './interface.js';
import type { SeriesData, StorageErrorCode } from './interface.js';
import { SampleBuffer } from './sample-buffer.js';
import { SeriesIndex } from './series-index.js';

export interface MemoryStoreLimits {
  readonly maxSeries: number;
  readonly maxSeriesPerMetric: number;
}

interface SeriesEntry {
  readonly id: number;
  readonly labels: Labels;
  readonly samples: SampleBuffer;
}

/** Series a batch will create, so limits count them before they exist. */
export interface NewSeries {
  readonly keys: Set<string>;
  readonly perMetric: Map<string, number>;
}

export interface PendingSample {
  readonly labels: Labels;
  readonly tMs: Millis;
  readonly value: number;
}

export class MemoryStore {
  private readonly _byKey = new Map<string, SeriesEntry>();
  private readonly _byId = new Map<number, SeriesEntry>();
  private readonly _index = new SeriesIndex();
  private _nextId = 1;
  private _samples = 0;
  readonly rejectedTotal: Record<StorageErrorCode, number> = {
    series_limit: 0,
    metric_series_limit: 0,
    duplicate_sample: 0,
    out_of_bounds: 0,
    invalid_sample: 0,
    overloaded: 0,
  };

  constructor(private readonly _limits: MemoryStoreLimits) {}

  get seriesCount(): number {
    return this._byKey.size;
  }

  get sampleCount(): number {
    return this._samples;
  }

  /**
   * Checks a sample against limits and existing data without storing it. Returns the error it
   * would cause, or undefined. `batch` tracks the series a batch creates before it is applied.
   */
  check(s: PendingSample, batch: NewSeries): StorageError | undefined {
    if (!Number.isFinite(s.tMs) || s.tMs < 0) return this._reject('out_of_bounds', `timestamp ${s.tMs} is out of bounds`);
    const key = labelsKey(s.labels);
    const entry = this._byKey.get(key);
    if (entry) return this._checkDuplicate(entry, s);
    if (batch.keys.has(key)) return undefined;
    const metric = metricNameOf(s.labels);
    if (this._byKey.size + batch.keys.size >= this._limits.maxSeries) {
      return this._reject('series_limit', `series limit of ${this._limits.maxSeries} reached; series of ${metric} refused`);
    }
    const ofMetric = batch.perMetric.get(metric) ?? 0;
    if (this._index.countWith('__name__', metric) + ofMetric >= this._limits.maxSeriesPerMetric) {
      return this._reject('metric_series_limit', `metric ${metric} reached its limit of ${this._limits.maxSeriesPerMetric} series`);
    }
    batch.keys.add(key);
    batch.perMetric.set(metric, ofMetric + 1);
    return undefined;
  }

  private _checkDuplicate(entry: SeriesEntry, s: PendingSample): StorageError | undefined {
    const i = entry.samples.lowerBound(s.tMs);
    if (entry.samples.timeAt(i) !== s.tMs) return undefined;
    const old = entry.samples.valueAt(i);
    if (Object.is(old, s.value) || (Number.isNaN(old) && Number.isNaN(s.value))) return undefined; // a replay: harmless
    return this._reject('duplicate_sample', `duplicate sample for timestamp ${s.tMs} with a different value in ${metricNameOf(s.labels)}`);
  }

  private _reject(code: StorageErrorCode, message: string): StorageError {
    this.rejectedTotal[code]++;
    return new StorageError(code, message);
  }

  /** Stores samples already accepted by {@link check}. Exact replays are no-ops. */
  apply(samples: readonly PendingSample[]): void {
    for (const s of samples) this._insert(this._entryFor(s.labels), s.tMs, s.value);
  }

  private _entryFor(labels: Labels): SeriesEntry {
    const key = labelsKey(labels);
    let entry = this._byKey.get(key);
    if (!entry) {
      entry = { id: this._nextId++, labels, samples: new SampleBuffer() };
      this._byKey.set(key, entry);
      this._byId.set(entry.id, entry);
      this._index.add(entry.id, labels);
    }
    return entry;
  }

  private _insert(e: SeriesEntry, tMs: number, value: number): void {
    if (e.samples.insert(tMs, value)) this._samples++;
  }

  /** Series matching all matchers, with their samples in [minMs, maxMs]; series with none are left out. */
  select(matchers: readonly Matcher[], minMs: Millis, maxMs: Millis): SeriesData[] {
    const out: SeriesData[] = [];
    for (const id of this._index.match(matchers)) {
      const e = this._byId.get(id);
      if (!e) continue;
      const from = e.samples.lowerBound(minMs);
      const to = e.samples.lowerBound(maxMs + 1);
      if (to <= from) continue;
      out.push({ labels: e.labels, samples: e.samples.columns(from, to) });
    }
    return out;
  }

  /** Label sets of matching series with a sample in [minMs, maxMs], without copying samples. */
  selectLabels(matchers: readonly Matcher[], minMs: Millis, maxMs: Millis): Labels[] {
    const out: Labels[] = [];
    for (const id of this._index.match(matchers)) {
      const e = this._byId.get(id);
      if (e && e.samples.lowerBound(maxMs + 1) > e.samples.lowerBound(minMs)) out.push(e.labels);
    }
    return out;
  }

  /** Drops samples older than `minMs`, and series left empty. Returns the samples dropped. */
  truncateBefore(minMs: Millis): number {
    let dropped = 0;
    for (const [key, e] of this._byKey) {
      const cut = e.samples.lowerBound(minMs);
      if (cut === 0) continue;
      e.samples.dropFront(cut);
      dropped += cut;
      if (e.samples.length === 0) {
        this._byKey.delete(key);
        this._byId.delete(e.id);
        this._index.remove(e.id);
      }
    }
    this._samples -= dropped;
    return dropped;
  }
}
