/**
 * The storage contract between ingest, the query engine and whatever keeps the samples.
 * The embedded journaled memory store implements it today; the TSDB engine replaces it later
 * without touching callers. All timestamps are milliseconds since the epoch; ranges are inclusive.
 */
import type { Labels, Matcher, Millis } from '@fathom/model';
import type { ColumnArena } from './column-arena.js';
import type { SampleColumns } from './sample-columns.js';

/**
 * Batched appends. Must be finished with `commit()` or `rollback()` and not reused afterwards.
 * Not safe for concurrent use. A rejected sample does not poison the batch: it is reported in the
 * commit result and the others are stored.
 */
export interface Appender {
  append(labels: Labels, tMs: Millis, value: number): void;
  /**
   * Makes the batch durable (per the store's fsync policy) and visible; resolves after both.
   * Rejects with a `StorageError` of code `overloaded`, having stored nothing, when the store's
   * write queue is full (a bounded store); retry later.
   */
  commit(): Promise<CommitResult>;
  rollback(): void;
}

export interface CommitResult {
  readonly accepted: number;
  readonly rejected: number;
  /** The first few rejections, for the caller to report. */
  readonly errors: readonly StorageError[];
}

export interface Appendable {
  appender(): Appender;
}

/**
 * One series and its samples within the queried range, oldest first, as columns (two typed arrays,
 * no object per sample; see sample-columns.ts). Readers must not write to the columns.
 */
export interface SeriesData {
  readonly labels: Labels;
  readonly samples: SampleColumns;
  /**
   * The resolution the samples were read at: absent for raw samples, else the rollup tier's
   * interval (e.g. 60000 for the 1 m tier). Lets the query layer say which tier answered.
   */
  readonly resolutionMs?: number;
}

/**
 * What the caller will do with a selection (after Prometheus' SelectHints), so a store with
 * rollup tiers can pick the coarsest tier that still answers exactly and, for `*_over_time`
 * functions, which rolled-up field to serve (max for max_over_time, …). Purely advisory: a store
 * may ignore it and return raw samples.
 */
export interface SelectHints {
  /** The evaluation range of the query, inclusive, before lookback and range widening. */
  readonly startMs: Millis;
  readonly endMs: Millis;
  /** Query step (0 or absent for an instant query). */
  readonly stepMs?: number;
  /** The range of the enclosing range-vector selector (`[5m]` → 300000), if any. */
  readonly rangeMs?: number;
  /** The function the selection feeds (`rate`, `max_over_time`, …), if any. */
  readonly func?: string;
  /**
   * When a rollup tier answers: also return the tier's points of this many buckets before the
   * querier's range (the query layer widens windows over rolled-up points by up to two buckets).
   * Not advisory: a store that answers from a tier honours it. Default 0.
   */
  readonly tierPadBuckets?: number;
  /**
   * The caller reads this selection only as an instant vector at startMs, startMs + stepMs, … ≤
   * endMs (stepMs 0: at startMs only): at each step, the latest sample at or before it. A store may
   * then leave out raw samples a later one supersedes before the next step (the answer is the same
   * for any lookback). Advisory.
   */
  readonly readAtSteps?: boolean;
  /**
   * Where the store may carve the columns it decodes for this selection: the caller reads them
   * only until it releases the arena (column-arena.ts; the query API, once the response is
   * written). Advisory.
   */
  readonly arena?: ColumnArena;
}

export interface Querier {
  /** Series matching ALL matchers with at least one sample in the querier's range. */
  select(matchers: readonly Matcher[], hints?: SelectHints): Promise<readonly SeriesData[]>;
  /** Label names of matching series (all series without matchers), sorted. */
  labelNames(matchers?: readonly Matcher[]): Promise<readonly string[]>;
  /** Values of one label among matching series, sorted. */
  labelValues(name: string, matchers?: readonly Matcher[]): Promise<readonly string[]>;
}

export interface Queryable {
  /** A querier over the inclusive range [minMs, maxMs]. */
  querier(minMs: Millis, maxMs: Millis): Promise<Querier>;
}

export interface Storage extends Appendable, Queryable {
  /** Counters for self-observability: series, samples, rejected samples by reason. */
  stats(): StorageStats;
  close(): Promise<void>;
}

export interface StorageStats {
  readonly series: number;
  readonly samples: number;
  readonly rejectedTotal: Readonly<Record<StorageErrorCode, number>>;
  /** Stored units (e.g. tsdb blocks) found damaged and set aside since start; absent when not tracked. */
  readonly damagedTotal?: number;
}

/**
 * `overloaded`: the whole commit was refused before anything was stored because the store's write
 * queue is full; nothing of it was written, the caller should retry later (HTTP: 503 + Retry-After).
 * The other codes refuse one sample (reported in {@link CommitResult}).
 */
export type StorageErrorCode = 'series_limit' | 'metric_series_limit' | 'duplicate_sample' | 'out_of_bounds' | 'invalid_sample' | 'overloaded';

/** Why one sample (or, for `overloaded`, a whole commit: `commit()` rejects with it) was refused. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
  ) {
    super(message);
  }
}
