/**
 * The head: in-memory series (compressed chunks), the postings index, limits and series GC.
 * Synchronous, no I/O: the WAL makes it durable. Appends are validated first ({@link Head.check},
 * which reserves series and times of the batch), written to the WAL, then applied.
 */
import { labelStrings, metricNameOf } from '@fathom/model';
import type { Labels, Matcher, Millis } from '@fathom/model';
import { StorageError } from '@fathom/storage';
import type { SeriesData, StorageErrorCode } from '@fathom/storage';
import { sameBits } from '../chunk/float-bits.js';
import { LabelIndex } from '../index/label-index.js';
import type { Tier } from '../rollup/tiers.js';
import { ChunkArena } from './chunk-arena.js';
import { MemSeries } from './mem-series.js';
import { seriesKey } from './series-key.js';
import type { SealedChunk } from './mem-series.js';

export interface HeadLimits {
  /** Active series (with raw samples); series kept only for their rollups do not count. */
  readonly maxSeries: number;
  readonly maxSeriesPerMetric: number;
  /** How far behind a series' newest sample a sample may still arrive (0 = in order only). */
  readonly outOfOrderWindowMs: number;
  /** Rollup tiers, finest first (none: raw only). */
  readonly tiers?: readonly Tier[];
}


/**
 * What a batch has reserved before it is applied: new series, and per series the newest sample it
 * writes (an in-batch duplicate of an older time is dropped when applied, as Prometheus does).
 */
export class BatchState {
  readonly newSeries = new Map<string, Labels>();
  readonly perMetric = new Map<string, number>();
  readonly newest = new Map<string, { tMs: number; value: number }>();
}

export class Head {
  private readonly _byKey = new Map<string, MemSeries>();
  private readonly _byId = new Map<number, MemSeries>();
  private readonly _index = new LabelIndex();
  /** Bytes of every sealed chunk of the head's series. */
  readonly arena = new ChunkArena();
  private readonly _activePerMetric = new Map<string, number>();
  private _active = 0;
  private _nextId = 1;
  /** Oldest and newest sample times applied since the last cut (±∞ when none). */
  minTMs = Infinity;
  maxTMs = -Infinity;
  private _samples = 0;
  /**
   * Changes whenever stored raw samples are dropped (retention) or a series that took an
   * out-of-order write leaves the head: rollup caches check it. A cut does not change it
   * otherwise: its samples move to a block unchanged.
   */
  rawEpoch = 0;
  /** Samples older than this are refused (they would fall behind retention or persisted data). */
  minValidMs = 0;
  readonly rejectedTotal: Record<StorageErrorCode, number> = {
    series_limit: 0,
    metric_series_limit: 0,
    duplicate_sample: 0,
    out_of_bounds: 0,
    invalid_sample: 0,
    overloaded: 0,
  };

  constructor(private readonly _limits: HeadLimits) {
    // the process's label-value table rebuilds from this head's series when it has grown (the
    // newest head wins; a weak reference: a head that is dropped is not kept alive by the table)
    const self = new WeakRef(this);
    labelStrings.liveFrom(() => self.deref()?._liveLabels() ?? []);
  }

  /** Active series: those with raw samples. */
  get seriesCount(): number {
    return this._active;
  }

  /** All series held, including those kept only for their rollups. */
  get heldSeriesCount(): number {
    return this._byKey.size;
  }

  get sampleCount(): number {
    return this._samples;
  }

  /**
   * Validates one sample against limits and stored data; reserves it in `batch` when accepted.
   * `series` is the stored series of `key`, if any (the caller looked it up).
   */
  check(labels: Labels, key: string, series: MemSeries | undefined, tMs: Millis, value: number, batch: BatchState): StorageError | undefined {
    if (!Number.isSafeInteger(tMs) || tMs < this.minValidMs) return this._reject('out_of_bounds', `timestamp ${tMs} of ${metricNameOf(labels)} is out of bounds (older than ${this.minValidMs} or not an integer)`);
    if (typeof value !== 'number') return this._reject('invalid_sample', `value of ${metricNameOf(labels)} is not a number`);
    if (!series?.active && !batch.newSeries.has(key)) {
      const err = this._checkLimits(labels, batch);
      if (err) return err;
      batch.newSeries.set(key, labels);
    }
    return this._checkTime(series, key, labels, tMs, value, batch);
  }

  /** {@link check} for callers without a key (tests, imports). */
  checkOne(labels: Labels, tMs: Millis, value: number, batch: BatchState): StorageError | undefined {
    const key = seriesKey(labels);
    return this.check(labels, key, this._byKey.get(key), tMs, value, batch);
  }

  private _checkLimits(labels: Labels, batch: BatchState): StorageError | undefined {
    const metric = metricNameOf(labels);
    if (this._active + batch.newSeries.size >= this._limits.maxSeries) {
      return this._reject('series_limit', `series limit of ${this._limits.maxSeries} reached; new series of ${metric} refused`);
    }
    const ofMetric = batch.perMetric.get(metric) ?? 0;
    if ((this._activePerMetric.get(metric) ?? 0) + ofMetric >= this._limits.maxSeriesPerMetric) {
      return this._reject('metric_series_limit', `metric ${metric} reached its limit of ${this._limits.maxSeriesPerMetric} series`);
    }
    batch.perMetric.set(metric, ofMetric + 1);
    return undefined;
  }

  private _checkTime(series: MemSeries | undefined, key: string, labels: Labels, tMs: number, value: number, batch: BatchState): StorageError | undefined {
    const inBatch = batch.newest.get(key);
    const newest = Math.max(series?.lastTMs ?? -Infinity, inBatch?.tMs ?? -Infinity);
    if (tMs > newest) {
      if (inBatch) {
        inBatch.tMs = tMs;
        inBatch.value = value;
      } else batch.newest.set(key, { tMs, value });
      return undefined;
    }
    const stored = inBatch?.tMs === tMs ? inBatch.value : series && tMs <= series.lastTMs ? series.valueAt(tMs) : undefined;
    if (stored !== undefined) {
      if (sameBits(stored, value)) return undefined; // an exact replay is a no-op, as in Prometheus
      return this._reject('duplicate_sample', `duplicate sample for timestamp ${tMs} with a different value in ${metricNameOf(labels)}`);
    }
    if (tMs < newest - this._limits.outOfOrderWindowMs) {
      return this._reject('out_of_bounds', `sample at ${tMs} of ${metricNameOf(labels)} is older than the out-of-order window (${this._limits.outOfOrderWindowMs} ms behind ${newest})`);
    }
    return undefined;
  }

  private _reject(code: StorageErrorCode, message: string): StorageError {
    this.rejectedTotal[code]++;
    return new StorageError(code, message);
  }

  /** Stores a sample. Exact replays of stored samples are no-ops (WAL replay relies on that). */
  apply(labels: Labels, tMs: Millis, value: number, key = seriesKey(labels)): void {
    this.applyTo(this.getOrCreate(labels, key), tMs, value);
  }

  applyTo(s: MemSeries, tMs: Millis, value: number): void {
    if (!s.active) this._setActive(s, true);
    if (tMs < this.minTMs) this.minTMs = tMs;
    if (tMs > this.maxTMs) this.maxTMs = tMs;
    if (tMs > s.lastTMs) {
      s.appendInOrder(tMs, value);
      this._samples++;
    } else if (tMs < s.lastTMs && s.valueAt(tMs) === undefined) {
      if (s.appendOutOfOrder(tMs, value)) this._samples++;
    }
  }

  private _setActive(s: MemSeries, active: boolean): void {
    if (s.active === active) return;
    s.active = active;
    const metric = metricNameOf(s.labels);
    const n = (this._activePerMetric.get(metric) ?? 0) + (active ? 1 : -1);
    if (n > 0) this._activePerMetric.set(metric, n);
    else this._activePerMetric.delete(metric);
    this._active += active ? 1 : -1;
  }

  /** Removes a series that holds no samples (a batch that failed to reach the WAL). */
  dropIfEmpty(s: MemSeries): void {
    if (!s.isEmpty || this._byKey.get(s.key) !== s) return;
    this._remove(s);
  }

  private _remove(s: MemSeries): void {
    // A rollup cache run checks a series' out-of-order epoch in the head; once the series is gone
    // (a cut moved all of it to a block) that check reads 0 again, so a run built before its
    // out-of-order write would look current. Rare: empty every cache instead.
    if (s.oooEpoch > 0) this.rawEpoch++;
    this._setActive(s, false);
    this._byKey.delete(s.key);
    this._byId.delete(s.id);
    this._index.remove(s.id, s.labels);
  }

  byId(id: number): MemSeries | undefined {
    return this._byId.get(id);
  }

  /**
   * A series of this head not registered yet (see {@link adopt}); `key` as {@link seriesKey} makes it.
   * Like every series the head creates, it holds the process's shared copies of its label values
   * (`labelStrings`: the ~40 series of a pod share most of theirs).
   */
  newSeries(id: number, labels: Labels, key = seriesKey(labels)): MemSeries {
    return new MemSeries(id, labelStrings.internLabels(labels), key, this.arena);
  }

  /** `key`, when given, must be {@link seriesKey} of `labels` (a flat string: it is kept). */
  getOrCreate(labels: Labels, key = seriesKey(labels), id?: number): MemSeries {
    let s = this._byKey.get(key);
    if (s) return s;
    const sid = id ?? this._nextId;
    this._nextId = Math.max(this._nextId, sid + 1);
    s = new MemSeries(sid, labelStrings.internLabels(labels), key, this.arena);
    this._byKey.set(key, s);
    this._byId.set(sid, s);
    this._index.add(sid, s.labels); // the shared copies, not the decoded ones
    return s;
  }

  /** Registers a restored series (from a checkpoint) with its sample count. */
  adopt(s: MemSeries): void {
    this._byKey.set(s.key, s);
    this._byId.set(s.id, s);
    this._index.add(s.id, s.labels);
    this._nextId = Math.max(this._nextId, s.id + 1);
    this._samples += s.sampleCount;
    if (!s.rawEmpty) this._setActive(s, true);
    if (s.minTMs < this.minTMs) this.minTMs = s.minTMs;
    if (Number.isFinite(s.lastTMs) && s.lastTMs > this.maxTMs) this.maxTMs = s.lastTMs;
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

  /** Raw samples in [minMs, maxMs] of the matching series. */
  select(matchers: readonly Matcher[], minMs: Millis, maxMs: Millis): SeriesData[] {
    const out: SeriesData[] = [];
    for (const s of this.matching(matchers)) {
      const samples = s.samples(minMs, maxMs);
      if (samples.tMs.length > 0) out.push({ labels: s.labels, samples });
    }
    return out;
  }

  /**
   * A block cut: removes every sample before `endMs` and returns them per series; series left
   * empty are removed, and samples before `endMs` are refused from now on.
   */
  cutBefore(endMs: Millis): { labels: Labels; chunks: SealedChunk[] }[] {
    const out: { labels: Labels; chunks: SealedChunk[] }[] = [];
    for (const s of this._byKey.values()) {
      const chunks = s.takeBefore(endMs);
      if (chunks.length === 0) continue;
      out.push({ labels: s.labels, chunks });
      for (const c of chunks) this._samples -= c.count;
    }
    this.minValidMs = Math.max(this.minValidMs, endMs);
    this.minTMs = Math.max(this.minTMs, endMs);
    return out;
  }

  /** Removes the series a cut left without samples (after the cut was persisted). */
  dropEmptySeries(): void {
    for (const s of this._byKey.values()) if (s.isEmpty) this._remove(s);
    if (this._byKey.size === 0) {
      this.minTMs = Infinity;
      this.maxTMs = -Infinity;
    }
  }

  private *_liveLabels(): Iterable<Labels> {
    for (const s of this._byKey.values()) yield s.labels;
  }

  selectLabels(matchers: readonly Matcher[], minMs: Millis, maxMs: Millis): Labels[] {
    return this.matching(matchers).filter((s) => s.hasSamplesIn(minMs, maxMs)).map((s) => s.labels);
  }

  /**
   * Retention and series GC: drops raw samples older than `minMs`; a series left with nothing is
   * removed, from the index too, so pod churn does not grow memory.
   */
  gc(minMs: Millis): { samplesDropped: number; seriesRemoved: number } {
    this.minValidMs = Math.max(this.minValidMs, minMs);
    let samplesDropped = 0;
    let seriesRemoved = 0;
    for (const s of this._byKey.values()) {
      samplesDropped += s.dropBefore(minMs);
      if (s.rawEmpty) this._setActive(s, false);
      if (!s.isEmpty) continue;
      this._remove(s);
      seriesRemoved++;
    }
    this._samples -= samplesDropped;
    if (samplesDropped > 0) this.rawEpoch++;
    return { samplesDropped, seriesRemoved };
  }
}
