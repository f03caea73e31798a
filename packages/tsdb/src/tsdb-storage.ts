/**
 * The TSDB engine behind `@fathom/storage`: the compressed head made durable by the WAL, with
 * checkpoints bounding restart time. A commit is validated against limits and stored data,
 * written to the WAL (fsynced per policy), then applied to the head; commits are serialised.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Labels, Matcher, Millis } from '@fathom/model';
import type { Appender, CommitResult, Querier, SelectHints, SeriesData, Storage, StorageError, StorageStats } from '@fathom/storage';
import { BatchState, Head } from './head/head.js';
import type { CheckedSample, HeadLimits } from './head/head.js';
import type { MemSeries } from './head/mem-series.js';
import { checkTiers, planSelect } from './rollup/tiers.js';
import { loadCheckpoint, writeCheckpoint } from './wal/checkpoint.js';
import { frameRecord, RecordType } from './wal/records.js';
import { Wal } from './wal/wal.js';
import type { FsyncPolicy } from './wal/wal.js';
import { decodeSamples, decodeSeries, encodeSamples, encodeSeries } from './wal/wal-records.js';

export interface TsdbOptions extends HeadLimits {
  readonly dataDir: string;
  readonly fsync: FsyncPolicy;
  /** Raw samples older than now − retention are dropped (and refused); rollup tiers keep their own. */
  readonly retentionMs: Millis;
  readonly walSegmentBytes?: number;
  /** A checkpoint is written once this many WAL bytes accumulated since the last one. */
  readonly checkpointEveryBytes?: number;
  /** Injectable clock for retention tests. */
  readonly nowMs?: () => Millis;
}

export interface OpenReport {
  readonly checkpointSeries: number;
  readonly walSegments: number;
  readonly walRecords: number;
  readonly droppedBytes: number;
  /** One line per problem found and skipped: which file, where, what was lost. */
  readonly problems: readonly string[];
  readonly openMs: number;
}

const MAX_REPORTED_ERRORS = 5;
const DEFAULT_CHECKPOINT_BYTES = 128 * 1024 * 1024;

export class TsdbStorage implements Storage {
  private _chain: Promise<unknown> = Promise.resolve();
  private _closed = false;
  private _checkpointSeq: number;
  /** Why the last checkpoint failed, if it did (the WAL is kept, nothing is lost). */
  lastCheckpointError: string | undefined;

  private constructor(
    private readonly _head: Head,
    private readonly _wal: Wal,
    private readonly _opts: TsdbOptions,
    checkpointSeq: number,
    readonly openReport: OpenReport,
  ) {
    this._checkpointSeq = checkpointSeq;
  }

  static open(opts: TsdbOptions): TsdbStorage {
    const started = performance.now();
    const badTiers = checkTiers(opts.tiers ?? [], opts.retentionMs);
    if (badTiers) throw new Error(`invalid rollup tiers: ${badTiers}`);
    const walDir = join(opts.dataDir, 'wal');
    mkdirSync(walDir, { recursive: true });
    const head = new Head(opts);
    const cp = loadCheckpoint(walDir, head);
    const wal = new Wal({ dir: walDir, fsync: opts.fsync, ...(opts.walSegmentBytes ? { segmentBytes: opts.walSegmentBytes } : {}) });
    const replay = replayWal(wal, cp?.seq ?? 0, head);
    const report: OpenReport = {
      checkpointSeries: cp?.series ?? 0,
      walSegments: replay.segments,
      walRecords: replay.records,
      droppedBytes: replay.droppedBytes,
      problems: [...(cp?.problems ?? []), ...replay.problems],
      openMs: performance.now() - started,
    };
    const storage = new TsdbStorage(head, wal, opts, cp?.seq ?? 0, report);
    storage.applyRetention();
    return storage;
  }

  appender(): Appender {
    const pending: { labels: Labels; tMs: Millis; value: number }[] = [];
    let done = false;
    return {
      append: (labels, tMs, value) => {
        if (done) throw new Error('appender already committed or rolled back');
        pending.push({ labels, tMs, value });
      },
      commit: () => {
        if (done) return Promise.reject(new Error('appender already committed or rolled back'));
        done = true;
        return this._serialised(() => this._commit(pending));
      },
      rollback: () => {
        done = true;
        pending.length = 0;
      },
    };
  }

  private _serialised<T>(fn: () => T): Promise<T> {
    const run = this._chain.then(fn);
    this._chain = run.catch(() => undefined);
    return run;
  }

  private _commit(pending: readonly { labels: Labels; tMs: Millis; value: number }[]): CommitResult {
    if (this._closed) throw new Error('storage is closed');
    const batch = new BatchState();
    const accepted: CheckedSample[] = [];
    const errors: StorageError[] = [];
    let rejected = 0;
    for (const p of pending) {
      const r = this._head.check(p.labels, p.tMs, p.value, batch);
      if ('key' in r) accepted.push(r);
      else if (++rejected <= MAX_REPORTED_ERRORS) errors.push(r);
    }
    if (accepted.length > 0) this._write(accepted);
    return { accepted: accepted.length, rejected, errors };
  }

  private _write(accepted: readonly CheckedSample[]): void {
    const created: MemSeries[] = [];
    const seriesOf = accepted.map((s) => {
      const existing = this._head.byKey(s.key);
      if (existing) return existing;
      const fresh = this._head.getOrCreate(s.labels, s.key);
      created.push(fresh);
      return fresh;
    });
    const records: Buffer[] = [];
    if (created.length > 0) records.push(frameRecord(RecordType.Series, encodeSeries(created)));
    records.push(frameRecord(RecordType.Samples, encodeSamples(accepted.map((s, i) => ({ id: seriesOf[i]?.id ?? 0, tMs: s.tMs, value: s.value })))));
    try {
      this._wal.write(Buffer.concat(records));
    } catch (err) {
      for (const s of created) this._head.dropIfEmpty(s);
      throw err;
    }
    accepted.forEach((s, i) => {
      const series = seriesOf[i];
      if (series) this._head.applyTo(series, s.tMs, s.value);
    });
    this._maybeCheckpoint();
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
      writeCheckpoint(this._wal.dir, seq, this._head);
      this._wal.deleteBefore(seq);
      this._checkpointSeq = seq;
      this.lastCheckpointError = undefined;
    } catch (err) {
      this.lastCheckpointError = `checkpoint failed, the WAL is kept: ${(err as Error).message}`;
    }
  }

  querier(minMs: Millis, maxMs: Millis): Promise<Querier> {
    const head = this._head;
    const nowMs = (this._opts.nowMs ?? Date.now)();
    const plan = (hints: SelectHints | undefined) => planSelect(hints, nowMs, this._opts.retentionMs, this._opts.tiers ?? []);
    const labelSets = (matchers: readonly Matcher[] | undefined): Labels[] => head.selectLabels(matchers ?? [], minMs, maxMs);
    return Promise.resolve({
      select: (matchers: readonly Matcher[], hints?: SelectHints): Promise<readonly SeriesData[]> => Promise.resolve(head.select(matchers, minMs, maxMs, plan(hints))),
      labelNames: (matchers?: readonly Matcher[]) => Promise.resolve(sortedUnique(labelSets(matchers).flatMap((l) => Object.keys(l)))),
      labelValues: (name: string, matchers?: readonly Matcher[]) =>
        Promise.resolve(sortedUnique(labelSets(matchers).flatMap((l) => (l[name] === undefined ? [] : [l[name]])))),
    });
  }

  /** Drops raw samples and rollup points past their retention, and the series left empty (series GC). */
  applyRetention(): { samplesDropped: number; seriesRemoved: number } {
    const nowMs = (this._opts.nowMs ?? Date.now)();
    return this._head.gc(nowMs - this._opts.retentionMs, (this._opts.tiers ?? []).map((t) => nowMs - t.retentionMs));
  }

  stats(): StorageStats {
    return { series: this._head.seriesCount, samples: this._head.sampleCount, rejectedTotal: { ...this._head.rejectedTotal } };
  }

  /** Flushes, writes a checkpoint (so the next start replays little) and closes the WAL. */
  async close(): Promise<void> {
    if (this._closed) return;
    await this._serialised(() => this._checkpointNow());
    this._closed = true;
    this._wal.close();
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
