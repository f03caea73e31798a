/**
 * The TSDB engine behind `@fathom/storage`: the compressed head made durable by the WAL, with
 * checkpoints bounding restart time. A commit is validated against limits and stored data,
 * written to the WAL (fsynced per policy), then applied to the head; commits are serialised.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { labelsKey } from '@fathom/model';
import type { Labels, Matcher, Millis } from '@fathom/model';
import { BlockStore, blocksDirOf } from './block/block-store.js';
import { legacyTierBlocks } from './block/legacy.js';
import { selectMerged } from './select.js';
import { readGridOf } from './read-grid.js';
import { StorageError, withArena } from '@fathom/storage';
import type { Appender, CommitResult, Querier, SelectHints, SeriesData, Storage, StorageStats } from '@fathom/storage';
import { BatchState, Head } from './head/head.js';
import type { HeadLimits } from './head/head.js';
import type { MemSeries } from './head/mem-series.js';
import { seriesKey } from './head/series-key.js';
import { PendingSamples } from './pending.js';
import { decodeXorChunk } from './chunk/xor-chunk.js';
import { checkTiers, planSelect } from './rollup/tiers.js';
import { RawRollupCache } from './rollup/raw-rollup-cache.js';
import { loadCheckpoint, writeCheckpoint } from './wal/checkpoint.js';
import { ByteWriter } from './wal/codec.js';
import { beginRecord, endRecord, RecordType } from './wal/records.js';
import { Wal } from './wal/wal.js';
import type { FsyncPolicy } from './wal/wal.js';
import { decodeSamples, decodeSeries, writeSampleColumns, writeSeries } from './wal/wal-records.js';

export interface TsdbOptions extends HeadLimits {
  readonly dataDir: string;
  readonly fsync: FsyncPolicy;
  /** Raw samples older than now − retention are dropped (and refused); rollup tiers keep their own. */
  readonly retentionMs: Millis;
  readonly walSegmentBytes?: number;
  /** A checkpoint is written once this many WAL bytes accumulated since the last one. */
  readonly checkpointEveryBytes?: number;
  /** Time partition of a block cut from the head (2 h by default, as Prometheus). */
  readonly blockRangeMs?: number;
  /**
   * Bound of the cache of rolled-up raw data that tier selects extend as the head grows, in
   * points (56 bytes each); 0 turns it off. Default {@link DEFAULT_TIER_CACHE_POINTS}.
   */
  readonly tierCacheMaxPoints?: number;
  /**
   * Bound of the samples in commits waiting on the commit chain (queued behind, or in, the WAL
   * write and its fdatasync). A commit that would pass it is refused at once with a
   * `StorageError` `overloaded` (counted in `rejectedTotal.overloaded`), storing nothing; one is
   * always admitted when none waits, so a batch bigger than the bound still goes through alone.
   * ~20-40 bytes per queued sample. Default {@link DEFAULT_MAX_QUEUED_SAMPLES}.
   */
  readonly maxQueuedSamples?: number;
  /**
   * Leave the block cuts, block maintenance and retention that open would run to the first
   * {@link TsdbStorage.applyRetention} or commit, so a restart answers queries sooner (a server
   * calls applyRetention periodically). Until then the head may hold more than 1.5 block ranges
   * and samples past retention. Default false: open runs them.
   */
  readonly deferMaintenance?: boolean;
  /**
   * Raw blocks' indexes are decoded at their first use, or from this long after open on, one
   * block per task, so a restart answers its first queries (which mostly want the head) without
   * decoding every block first. Default {@link DEFAULT_INDEX_DECODE_DELAY_MS}.
   */
  readonly indexDecodeDelayMs?: Millis;
  /**
   * A checkpoint is written once no commit has come for this long while the WAL since the last one
   * holds at least a quarter of `checkpointEveryBytes`, so a restart after a quiet spell (agents
   * gone, a backfill done) replays little. Longer than the gaps of steady ingest (agents push every
   * 10 s), or it would checkpoint between their pushes; 0 turns it off. Default
   * {@link DEFAULT_IDLE_CHECKPOINT_MS}.
   */
  readonly idleCheckpointMs?: Millis;
  /** Injectable clock for retention tests. */
  readonly nowMs?: () => Millis;
}

export const DEFAULT_BLOCK_RANGE_MS = 2 * 3_600_000;
export const DEFAULT_TIER_CACHE_POINTS = 1_000_000;
export const DEFAULT_MAX_QUEUED_SAMPLES = 2_000_000;
export const DEFAULT_INDEX_DECODE_DELAY_MS = 1000;
export const DEFAULT_IDLE_CHECKPOINT_MS = 30_000;

export interface OpenReport {
  readonly checkpointSeries: number;
  readonly walSegments: number;
  readonly walRecords: number;
  readonly droppedBytes: number;
  readonly blocks: number;
  /** One line per problem found and skipped: which file, where, what was lost. */
  readonly problems: readonly string[];
  readonly openMs: number;
}

const MAX_REPORTED_ERRORS = 5;

interface SeriesRef {
  readonly labels: Labels;
  readonly key: string;
  series: MemSeries | undefined;
}
const DEFAULT_CHECKPOINT_BYTES = 16 * 1024 * 1024;
/** The scratch writer keeps at most this much once the engine has written nothing for {@link SCRATCH_IDLE_MS}. */
const SCRATCH_KEEP_BYTES = 1024 * 1024;
/** Shorter than the server's idle GC's calm window (500 ms), so its first collection frees the old buffer. */
const SCRATCH_IDLE_MS = 250;

export class TsdbStorage implements Storage {
  private _chain: Promise<unknown> = Promise.resolve();
  /** Series by label-set object: senders that reuse label objects across requests skip the key. */
  private readonly _seriesOf = new WeakMap<Labels, MemSeries>();
  private _closed = false;
  /** close() has begun: no idle checkpoint may queue behind its own. */
  private _closing = false;
  private _checkpointSeq: number;
  private readonly _tierCache: RawRollupCache;
  /**
   * One buffer for every WAL record and checkpoint this engine writes (all written synchronously,
   * one at a time on the commit chain; block files go through block-writer.ts' own process-wide
   * buffer, ~1 MiB kept for the process): it grows to the working size once instead
   * of leaving MiBs of dead Buffers per commit for a major GC (and malloc fragmentation after).
   */
  private readonly _scratch = new ByteWriter(64 * 1024);
  /**
   * Gives the scratch writer's buffer back (grown to 8 MiB by big remote-write batches) once the
   * engine has written nothing for SCRATCH_IDLE_MS: one unref'd timer, refreshed per use, so steady
   * ingest keeps the buffer and a pause costs one regrowth at most.
   */
  private _scratchIdle: NodeJS.Timeout | undefined;
  /** Decodes the block indexes not used yet, one per run (see {@link TsdbOptions.indexDecodeDelayMs}). */
  private _indexDecode: NodeJS.Timeout | undefined;
  /** Fires once commits have paused for {@link TsdbOptions.idleCheckpointMs}; refreshed by each commit. */
  private _idleCheckpoint: NodeJS.Timeout | undefined;
  /** Commits whose WAL records wait for their fdatasync (0 or 1: commits are serialised). */
  private _inFlight = 0;
  /** Samples of the commits on the chain, from commit() until each settles (bounded by maxQueuedSamples). */
  private _queuedSamples = 0;
  /** Why the last checkpoint failed, if it did (the WAL is kept, nothing is lost). */
  lastCheckpointError: string | undefined;
  /** Why the last block cut or maintenance failed, if it did (the data stays in the head and WAL). */
  lastBlockError: string | undefined;

  private constructor(
    private readonly _head: Head,
    private readonly _wal: Wal,
    private readonly _blocks: BlockStore,
    private readonly _opts: TsdbOptions,
    checkpointSeq: number,
    readonly openReport: OpenReport,
  ) {
    this._checkpointSeq = checkpointSeq;
    this._tierCache = new RawRollupCache(_opts.tierCacheMaxPoints ?? DEFAULT_TIER_CACHE_POINTS);
  }

  static open(opts: TsdbOptions): TsdbStorage {
    const started = performance.now();
    const badTiers = checkTiers(opts.tiers ?? [], opts.retentionMs);
    if (badTiers) throw new Error(`invalid rollup tiers: ${badTiers}`);
    const walDir = join(opts.dataDir, 'wal');
    mkdirSync(walDir, { recursive: true });
    const head = new Head(opts);
    // raw blocks keep the keys of their series still in the head, as references to the head's strings
    const shareKey = (key: string): string | undefined => head.byKey(key)?.key;
    const blocks = new BlockStore({ dir: blocksDirOf(opts.dataDir), blockRangeMs: opts.blockRangeMs ?? DEFAULT_BLOCK_RANGE_MS, rawRetentionMs: opts.retentionMs, tiers: opts.tiers ?? [], nowMs: opts.nowMs ?? Date.now, shareKey });
    const blockProblems = blocks.open();
    const cp = loadCheckpoint(walDir, head);
    const wal = new Wal({ dir: walDir, fsync: opts.fsync, ...(opts.walSegmentBytes ? { segmentBytes: opts.walSegmentBytes } : {}) });
    const replay = replayWal(wal, cp?.seq ?? 0, head);
    // a crash between a block's rename and the WAL truncation: those samples are in the block already
    if (Number.isFinite(blocks.rawMaxTMs)) {
      head.cutBefore(blocks.rawMaxTMs);
      head.dropEmptySeries();
    }
    if (cp && cp.legacyTiers.length > 0) legacyTierBlocks(blocks, cp.legacyTiers, Math.min(head.minTMs, blocks.rawMinTMs));
    const report: OpenReport = {
      checkpointSeries: cp?.series ?? 0,
      walSegments: replay.segments,
      walRecords: replay.records,
      droppedBytes: replay.droppedBytes,
      blocks: blocks.blocks.length,
      problems: [...blockProblems, ...(cp?.problems ?? []), ...replay.problems],
      openMs: performance.now() - started,
    };
    const storage = new TsdbStorage(head, wal, blocks, opts, cp?.seq ?? 0, report);
    if (cp && cp.legacyTiers.length > 0) storage._checkpointNow();
    if (!opts.deferMaintenance) storage.applyRetention();
    storage._decodeIndexesLater();
    return storage;
  }

  /**
   * Decodes the indexes of the blocks open found and no query used yet, newest first, one block
   * per task, from indexDecodeDelayMs on (blocks written while running are decoded as they are
   * adopted). Nothing when a run is already pending.
   */
  private _decodeIndexesLater(delayMs = this._opts.indexDecodeDelayMs ?? DEFAULT_INDEX_DECODE_DELAY_MS): void {
    if (this._indexDecode || this._closed) return;
    this._indexDecode = setTimeout(() => {
      this._indexDecode = undefined;
      if (!this._closed && this._blocks.decodeNext()) this._decodeIndexesLater(0);
    }, delayMs);
    this._indexDecode.unref();
  }

  appender(): Appender {
    const pending = new PendingSamples();
    let done = false;
    return {
      append: (labels, tMs, value) => {
        if (done) throw new Error('appender already committed or rolled back');
        pending.push(labels, tMs, value);
      },
      commit: () => {
        if (done) return Promise.reject(new Error('appender already committed or rolled back'));
        done = true;
        const n = pending.length;
        const max = this._opts.maxQueuedSamples ?? DEFAULT_MAX_QUEUED_SAMPLES;
        if (this._queuedSamples > 0 && this._queuedSamples + n > max) {
          this._head.rejectedTotal.overloaded += n;
          pending.clear();
          return Promise.reject(new StorageError('overloaded', `storage overloaded: ${this._queuedSamples} samples already wait to be written (bound ${max}); nothing of this batch of ${n} was stored, retry later`));
        }
        this._queuedSamples += n;
        const run = this._serialised(() => this._commit(pending));
        const settle = (): void => {
          this._queuedSamples -= n;
        };
        void run.then(settle, settle);
        return run;
      },
      rollback: () => {
        done = true;
        pending.clear();
      },
    };
  }

  private _serialised<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this._chain.then(fn);
    this._chain = run.catch(() => undefined);
    return run;
  }

  /** Validates every sample, then writes the accepted ones to the WAL, then applies them. */
  private async _commit(pending: PendingSamples): Promise<CommitResult> {
    if (this._closed) throw new Error('storage is closed');
    const batch = new BatchState();
    // one key computation and lookup per distinct labels object (senders share it across samples)
    const refs = new Map<Labels, SeriesRef>();
    const runRefs = pending.runs.map((labels) => {
      let ref = refs.get(labels);
      if (!ref) {
        const known = this._seriesOf.get(labels);
        if (known && this._head.byKey(known.key) === known) ref = { labels, key: known.key, series: known };
        else {
          const key = seriesKey(labels);
          ref = { labels, key, series: this._head.byKey(key) };
          if (ref.series) this._seriesOf.set(labels, ref.series);
        }
        refs.set(labels, ref);
      }
      return ref;
    });
    const accepted = new Int32Array(pending.length);
    let n = 0;
    const errors: StorageError[] = [];
    let rejected = 0;
    for (let i = 0; i < pending.length; i++) {
      const ref = runRefs[pending.runOf(i)];
      if (!ref) continue;
      const err = this._head.check(ref.labels, ref.key, ref.series, pending.timeAt(i), pending.valueAt(i), batch);
      if (!err) accepted[n++] = i;
      else if (++rejected <= MAX_REPORTED_ERRORS) errors.push(err);
    }
    if (n > 0) await this._write(pending, accepted.subarray(0, n), runRefs);
    return { accepted: n, rejected, errors };
  }

  /** `accepted`: indexes of the samples to store; `runRefs`: the series of each of the batch's runs. */
  private async _write(pending: PendingSamples, accepted: Int32Array, runRefs: readonly SeriesRef[]): Promise<void> {
    const created: MemSeries[] = [];
    for (const i of accepted) {
      const r = runRefs[pending.runOf(i)];
      if (!r || r.series) continue;
      const fresh = this._head.getOrCreate(r.labels, r.key);
      created.push(fresh);
      r.series = fresh;
      this._seriesOf.set(r.labels, fresh);
    }
    const seriesAt = (i: number): MemSeries | undefined => runRefs[pending.runOf(i)]?.series;
    const w = this._scratch.reset();
    if (created.length > 0) {
      const at = beginRecord(w, RecordType.Series);
      endRecord(writeSeries(w, created), at);
    }
    const at = beginRecord(w, RecordType.Samples);
    endRecord(writeSampleColumns(w, accepted.length, (k) => seriesAt(accepted[k] ?? 0)?.id ?? 0, (k) => pending.timeAt(accepted[k] ?? 0), (k) => pending.valueAt(accepted[k] ?? 0)), at);
    this._inFlight++;
    try {
      let durable: Promise<void>;
      try {
        durable = this._wal.write(w.view());
      } finally {
        w.reset();
        this._scratchUsed();
      }
      await durable;
    } catch (err) {
      for (const s of created) this._head.dropIfEmpty(s);
      throw err;
    } finally {
      this._inFlight--;
    }
    for (const i of accepted) {
      const series = seriesAt(i);
      if (series) this._head.applyTo(series, pending.timeAt(i), pending.valueAt(i));
    }
    if (!this._maybeCut()) this._maybeCheckpoint();
    this._armIdleCheckpoint();
  }

  private _armIdleCheckpoint(): void {
    const ms = this._opts.idleCheckpointMs ?? DEFAULT_IDLE_CHECKPOINT_MS;
    if (ms <= 0 || this._closing) return;
    if (this._idleCheckpoint) {
      this._idleCheckpoint.refresh();
      return;
    }
    // less WAL than this replays in tens of ms: not worth writing the whole head again
    const minBytes = (this._opts.checkpointEveryBytes ?? DEFAULT_CHECKPOINT_BYTES) / 4;
    const worth = (): boolean => !this._closing && this._wal.bytesFrom(this._checkpointSeq) >= minBytes;
    this._idleCheckpoint = setTimeout(() => {
      this._idleCheckpoint = undefined;
      if (!worth()) return;
      // checked again on the chain: a cut's checkpoint may have run meanwhile, or close() begun
      void this._serialised(() => {
        if (worth()) this._checkpointNow();
      });
    }, ms);
    this._idleCheckpoint.unref();
  }

  private get _rangeMs(): number {
    return this._opts.blockRangeMs ?? DEFAULT_BLOCK_RANGE_MS;
  }

  /**
   * Cuts the head's oldest block range into a block once the head spans 1.5 ranges (or the range
   * is past the raw retention), then checkpoints so the WAL before it is deleted: restart reads
   * the blocks' indexes plus a head of at most ~1.5 ranges. Returns true when it cut.
   */
  private _maybeCut(): boolean {
    const head = this._head;
    const range = this._rangeMs;
    const retainFromMs = (this._opts.nowMs ?? Date.now)() - this._opts.retentionMs;
    let cut = false;
    while (Number.isFinite(head.minTMs)) {
      const start = Math.floor(head.minTMs / range) * range;
      const end = start + range;
      if (head.maxTMs - start < 1.5 * range && end > retainFromMs) break;
      if (!this._cut(start, end)) return cut;
      cut = true;
    }
    if (cut) this._checkpointNow();
    return cut;
  }

  private _cut(start: number, end: number): boolean {
    const head = this._head;
    const minValid = head.minValidMs;
    const taken = head.cutBefore(end);
    if (taken.length === 0) return true;
    try {
      this._blocks.addRaw(taken, start, end);
      head.dropEmptySeries();
      this.lastBlockError = undefined;
      return true;
    } catch (err) {
      // not persisted: everything goes back into the head (still durable in the WAL)
      head.minValidMs = minValid;
      for (const t of taken) {
        const s = head.getOrCreate(t.labels); // still there: empty series are dropped only after a persisted cut
        for (const c of t.chunks) decodeXorChunk(c.bytes, (tMs, v) => head.applyTo(s, tMs, v));
      }
      head.minTMs = Math.min(head.minTMs, start);
      this.lastBlockError = `block cut of [${start}, ${end}) failed, the data stays in the head and WAL: ${(err as Error).message}`;
      return false;
    }
  }

  private _maybeCheckpoint(): void {
    const every = this._opts.checkpointEveryBytes ?? DEFAULT_CHECKPOINT_BYTES;
    if (this._wal.bytesFrom(this._checkpointSeq) >= every) this._checkpointNow();
  }

  /** Writes a checkpoint now and deletes the WAL it covers. A failure keeps the WAL and is reported. */
  checkpoint(): Promise<void> {
    return this._serialised(() => this._checkpointNow());
  }

  private _checkpointNow(): void {
    try {
      const seq = this._wal.cut();
      try {
        writeCheckpoint(this._wal.dir, seq, this._head, this._scratch);
      } finally {
        this._scratchUsed();
      }
      this._wal.deleteBefore(seq);
      this._checkpointSeq = seq;
      this.lastCheckpointError = undefined;
    } catch (err) {
      this.lastCheckpointError = `checkpoint failed, the WAL is kept: ${(err as Error).message}`;
    }
  }

  /** Bytes the WAL/checkpoint scratch writer holds between uses (≤ 1 MiB once writes have paused for 250 ms). */
  get scratchBytes(): number {
    return this._scratch.capacity;
  }

  private _scratchUsed(): void {
    if (this._scratch.capacity <= SCRATCH_KEEP_BYTES) return;
    if (this._scratchIdle) this._scratchIdle.refresh();
    else
      this._scratchIdle = setTimeout(() => {
        this._scratchIdle = undefined;
        this._scratch.shrink(SCRATCH_KEEP_BYTES);
      }, SCRATCH_IDLE_MS).unref();
  }

  querier(minMs: Millis, maxMs: Millis): Promise<Querier> {
    const nowMs = (this._opts.nowMs ?? Date.now)();
    const plan = (hints: SelectHints | undefined) => planSelect(hints, nowMs, this._opts.retentionMs, this._opts.tiers ?? []);
    const labelSets = (matchers: readonly Matcher[] | undefined): Labels[] => {
      const m = matchers ?? [];
      const out = new Map<string, Labels>();
      this._blocks.labelSets(m, minMs, maxMs, out);
      for (const l of this._head.selectLabels(m, minMs, maxMs)) out.set(labelsKey(l), l);
      return [...out.values()];
    };
    return Promise.resolve({
      select: (matchers: readonly Matcher[], hints?: SelectHints): Promise<readonly SeriesData[]> => {
        try {
          const p = plan(hints);
          const fromMs = p.tier ? minMs - (hints?.tierPadBuckets ?? 0) * p.tier.resolutionMs : minMs;
          // selectMerged is synchronous: the columns it decodes (and only those) come from the caller's arena
          return Promise.resolve(withArena(hints?.arena, () => selectMerged(this._head, this._blocks, matchers, fromMs, maxMs, p, this._tierCache, readGridOf(hints))));
        } catch (err) {
          return Promise.reject(err instanceof Error ? err : new Error(String(err)));
        }
      },
      // a damaged block found on the way (labelSets: BlockCorruptError) rejects, as in select
      labelNames: (matchers?: readonly Matcher[]) => settle(() => sortedUnique(labelSets(matchers).flatMap((l) => Object.keys(l)))),
      labelValues: (name: string, matchers?: readonly Matcher[]) => settle(() => sortedUnique(labelSets(matchers).flatMap((l) => (l[name] === undefined ? [] : [l[name]])))),
    });
  }

  /**
   * Cuts head ranges past the raw retention into blocks, then block maintenance (raw blocks past
   * retention roll up into tier blocks, tier blocks past theirs are dropped, compaction), then
   * series GC of the head.
   */
  applyRetention(): { samplesDropped: number; seriesRemoved: number } {
    if (this._inFlight > 0) {
      // a commit waiting for its fdatasync has its records in the current WAL segment and its new
      // series in the head, still empty: a cut + checkpoint (which deletes that segment) or series
      // GC now would lose them. Run right after it, on the commit chain.
      void this._serialised(() => this.applyRetention()).catch((err: unknown) => {
        this.lastBlockError = `retention failed (retried at the next run): ${(err as Error).message}`;
      });
      return { samplesDropped: 0, seriesRemoved: 0 };
    }
    const nowMs = (this._opts.nowMs ?? Date.now)();
    if (!this._closed) this._maybeCut();
    try {
      this._blocks.maintain();
    } catch (err) {
      this.lastBlockError = `block maintenance failed (retried at the next run): ${(err as Error).message}`;
    }
    return this._head.gc(nowMs - this._opts.retentionMs);
  }

  /** Blocks on disk and what was set aside as damaged (for status pages and tests). */
  blockStatus(): { blocks: { id: string; minTMs: number; maxTMs: number; resolutionMs: number; level: number; series: number; samples: number; indexDecoded: boolean }[]; damagedTotal: number; problems: readonly string[] } {
    return {
      blocks: this._blocks.blocks.map((b) => ({ id: b.id, minTMs: b.meta.minTMs, maxTMs: b.meta.maxTMs, resolutionMs: b.meta.resolutionMs, level: b.meta.compaction.level, series: b.meta.stats.series, samples: b.meta.stats.samples, indexDecoded: b.decoded })),
      damagedTotal: this._blocks.damagedTotal,
      problems: this._blocks.problems,
    };
  }

  /** The tier cache: runs and points held, runs rolled up from the start of the raw data so far (status pages and tests). */
  tierCacheStats(): { runs: number; points: number; builtTotal: number } {
    return this._tierCache.stats;
  }

  stats(): StorageStats {
    return { series: this._head.seriesCount, samples: this._head.sampleCount + this._blocks.rawSamples, rejectedTotal: { ...this._head.rejectedTotal }, damagedTotal: this._blocks.damagedTotal };
  }

  /** Flushes, writes a checkpoint (so the next start replays little) and closes the WAL. */
  async close(): Promise<void> {
    if (this._closing) return;
    this._closing = true;
    clearTimeout(this._idleCheckpoint);
    await this._serialised(() => this._checkpointNow());
    this._closed = true;
    clearTimeout(this._scratchIdle);
    clearTimeout(this._indexDecode);
    this._scratch.shrink();
    this._wal.close();
    this._blocks.close();
  }
}

/** `fn()`'s value as a promise, a throw as a rejection. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

function replayWal(wal: Wal, fromSeq: number, head: Head): ReturnType<Wal['replay']> {
  const byWalId = new Map<number, MemSeries>();
  const problems: string[] = [];
  let unknown = 0;
  const report = wal.replay(fromSeq, (type, payload) => {
    if (type === RecordType.Series) {
      for (const s of decodeSeries(payload)) byWalId.set(s.id, head.getOrCreate(s.labels, undefined, s.id));
    } else if (type === RecordType.Samples) {
      const { ids, times, values } = decodeSamples(payload);
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i] ?? 0;
        const s = byWalId.get(id) ?? head.byId(id);
        if (s) head.applyTo(s, times[i] ?? 0, values[i] ?? 0);
        else unknown++;
      }
    }
  });
  if (unknown > 0) problems.push(`${unknown} WAL samples refer to series whose record was lost; dropped`);
  return { ...report, problems: [...report.problems, ...problems] };
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
