/**
 * The head: in-memory series (compressed chunks), the postings index, limits and series GC.
 * Synchronous, no I/O: the WAL makes it durable. Appends are validated first ({@link Head.check},
 * which reserves series and times of the batch), written to the WAL, then applied.
 */
import { labelsKey, metricNameOf } from '@fathom/model';
import type { Labels, Matcher, Millis } from '@fathom/model';
import { StorageError } from '@fathom/storage';
import type { SeriesData, StorageErrorCode } from '@fathom/storage';
import { sameBits } from '../chunk/float-bits.js';
import { LabelIndex } from '../index/label-index.js';
import { MemSeries } from './mem-series.js';

export interface HeadLimits {
  readonly maxSeries: number;
  readonly maxSeriesPerMetric: number;
  /** How far behind a series' newest sample a sample may still arrive (0 = in order only). */
  readonly outOfOrderWindowMs: number;
}

/** What a batch has reserved before it is applied: new series and the times it writes. */
export class BatchState {
  readonly newSeries = new Map<string, Labels>();
  readonly perMetric = new Map<string, number>();
  readonly times = new Map<string, Map<number, number>>();
}

export interface CheckedSample {
  readonly key: string;
  readonly labels: Labels;
  readonly tMs: Millis;
  readonly value: number;
}

export class Head {
  private readonly _byKey = new Map<string, MemSeries>();
  private readonly _byId = new Map<number, MemSeries>();
  private readonly _index = new LabelIndex();
  private _nextId = 1;
  private _samples = 0;
  /** Samples older than this are refused (they would fall behind retention or persisted data). */
  minValidMs = 0;
  readonly rejectedTotal: Record<StorageErrorCode, number> = {
    series_limit: 0,
    metric_series_limit: 0,
    duplicate_sample: 0,
    out_of_bounds: 0,
    invalid_sample: 0,
  };

  constructor(private readonly _limits: HeadLimits) {}

  get seriesCount(): number {
    return this._byKey.size;
  }

  get sampleCount(): number {
    return this._samples;
  }

  /** Validates one sample against limits and stored data; reserves it in `batch` when accepted. */
  check(labels: Labels, tMs: Millis, value: number, batch: BatchState): StorageError | CheckedSample {
    if (!Number.isSafeInteger(tMs) || tMs < this.minValidMs) return this._reject('out_of_bounds', `timestamp ${tMs} of ${metricNameOf(labels)} is out of bounds (older than ${this.minValidMs} or not an integer)`);
    if (typeof value !== 'number') return this._reject('invalid_sample', `value of ${metricNameOf(labels)} is not a number`);
    const key = labelsKey(labels);
    const series = this._byKey.get(key);
    if (!series && !batch.newSeries.has(key)) {
      const err = this._checkLimits(labels, batch);
      if (err) return err;
      batch.newSeries.set(key, labels);
    }
    const err = this._checkTime(series, key, labels, tMs, value, batch);
    return err ?? { key, labels, tMs, value };
  }

  private _checkLimits(labels: Labels, batch: BatchState): StorageError | undefined {
    const metric = metricNameOf(labels);
    if (this._byKey.size + batch.newSeries.size >= this._limits.maxSeries) {
      return this._reject('series_limit', `series limit of ${this._limits.maxSeries} reached; new series of ${metric} refused`);
    }
    const ofMetric = batch.perMetric.get(metric) ?? 0;
    if (this._index.count('__name__', metric) + ofMetric >= this._limits.maxSeriesPerMetric) {
      return this._reject('metric_series_limit', `metric ${metric} reached its limit of ${this._limits.maxSeriesPerMetric} series`);
    }
    batch.perMetric.set(metric, ofMetric + 1);
    return undefined;
  }

  private _checkTime(series: MemSeries | undefined, key: string, labels: Labels, tMs: number, value: number, batch: BatchState): StorageError | undefined {
    let times = batch.times.get(key);
    const inBatch = times?.get(tMs);
    const stored = inBatch ?? (series && tMs <= series.lastTMs ? series.valueAt(tMs) : undefined);
    if (stored !== undefined) {
      if (sameBits(stored, value)) return undefined; // an exact replay is a no-op, as in Prometheus
      return this._reject('duplicate_sample', `duplicate sample for timestamp ${tMs} with a different value in ${metricNameOf(labels)}`);
    }
    const newest = series?.lastTMs ?? -Infinity;
    if (tMs < newest - this._limits.outOfOrderWindowMs) {
      return this._reject('out_of_bounds', `sample at ${tMs} of ${metricNameOf(labels)} is older than the out-of-order window (${this._limits.outOfOrderWindowMs} ms behind ${newest})`);
    }
    if (!times) batch.times.set(key, (times = new Map<number, number>()));
    times.set(tMs, value);
    return undefined;
  }

  private _reject(code: StorageErrorCode, message: string): StorageError {
    this.rejectedTotal[code]++;
    return new StorageError(code, message);
  }

  /** Stores a sample. Exact replays of stored samples are no-ops (WAL replay relies on that). */
  apply(labels: Labels, tMs: Millis, value: number, key = labelsKey(labels)): void {
    this.applyTo(this.getOrCreate(labels, key), tMs, value);
  }

  applyTo(s: MemSeries, tMs: Millis, value: number): void {
    if (tMs > s.lastTMs) {
      s.appendInOrder(tMs, value);
      this._samples++;
    } else if (tMs < s.lastTMs && s.valueAt(tMs) === undefined) {
      if (s.appendOutOfOrder(tMs, value)) this._samples++;
    }
  }

  /** Removes a series that holds no samples (a batch that failed to reach the WAL). */
  dropIfEmpty(s: MemSeries): void {
    if (!s.isEmpty || this._byKey.get(s.key) !== s) return;
    this._byKey.delete(s.key);
    this._byId.delete(s.id);
    this._index.remove(s.id, s.labels);
  }

  byId(id: number): MemSeries | undefined {
    return this._byId.get(id);
  }

  getOrCreate(labels: Labels, key = labelsKey(labels), id?: number): MemSeries {
    let s = this._byKey.get(key);
    if (s) return s;
    const sid = id ?? this._nextId;
    this._nextId = Math.max(this._nextId, sid + 1);
    s = new MemSeries(sid, labels, key);
    this._byKey.set(key, s);
    this._byId.set(sid, s);
    this._index.add(sid, labels);
    return s;
  }

  /** Registers a restored series (from a checkpoint) with its sample count. */
  adopt(s: MemSeries): void {
    this._byKey.set(s.key, s);
    this._byId.set(s.id, s);
    this._index.add(s.id, s.labels);
    this._nextId = Math.max(this._nextId, s.id + 1);
    this._samples += s.sampleCount;
  }

  byKey(key: string): MemSeries | undefined {
    return this._byKey.get(key);
  }

  /** All series in id order (checkpoints). */
  allSeries(): MemSeries[] {
    return [...this._byId.values()].sort((a, b) => a.id - b.id);
  }

  matching(matchers: readonly Matcher[]): MemSeries[] {
    const out: MemSeries[] = [];
    for (const id of this._index.match(matchers)) {
      const s = this._byId.get(id);
      if (s) out.push(s);
    }
    return out;
  }

  select(matchers: readonly Matcher[], minMs: Millis, maxMs: Millis): SeriesData[] {
    const out: SeriesData[] = [];
    for (const s of this.matching(matchers)) {
      const samples = s.samples(minMs, maxMs);
      if (samples.length > 0) out.push({ labels: s.labels, samples });
    }
    return out;
  }

  selectLabels(matchers: readonly Matcher[], minMs: Millis, maxMs: Millis): Labels[] {
    return this.matching(matchers).filter((s) => s.hasSamplesIn(minMs, maxMs)).map((s) => s.labels);
  }

  /**
   * Series GC: drops data older than `minMs` and the series left without samples, from the index
   * too, so pod churn does not grow memory. Returns what was dropped.
   */
  gc(minMs: Millis): { samplesDropped: number; seriesRemoved: number } {
    this.minValidMs = Math.max(this.minValidMs, minMs);
    let samplesDropped = 0;
    let seriesRemoved = 0;
    for (const s of this._byKey.values()) {
      samplesDropped += s.dropBefore(minMs);
      if (!s.isEmpty) continue;
      this._byKey.delete(s.key);
      this._byId.delete(s.id);
      this._index.remove(s.id, s.labels);
      seriesRemoved++;
    }
    this._samples -= samplesDropped;
    return { samplesDropped, seriesRemoved };
  }
}
