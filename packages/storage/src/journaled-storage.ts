/**
 * The embedded default storage: the in-memory head made durable by the journal. A commit is
 * checked against limits, written to the journal (fsynced per policy), then made visible; commits
 * are serialised so limit accounting stays exact. On open, the journal is replayed.
 */
import { join } from 'node:path';
import type { Labels, Matcher, Millis, Sample } from '@fathom/model';
import type { Appender, CommitResult, Querier, Storage, StorageError, StorageStats } from './interface.js';
import { Journal } from './journal.js';
import type { JournalSeries, ReplayReport } from './journal.js';
import { MemoryStore } from './memory-store.js';
import type { MemoryStoreLimits, NewSeries, PendingSample } from './memory-store.js';

export interface JournaledStorageOptions extends MemoryStoreLimits {
  readonly dataDir: string;
  readonly fsync: 'always' | 'never';
  readonly retentionMs: Millis;
  readonly segmentBytes?: number;
  /** Injectable clock for retention tests. */
  readonly nowMs?: () => Millis;
}

const MAX_REPORTED_ERRORS = 5;

export class JournaledStorage implements Storage {
  private _commitChain: Promise<unknown> = Promise.resolve();
  private _closed = false;

  private constructor(
    private readonly _store: MemoryStore,
    private readonly _journal: Journal,
    private readonly _opts: JournaledStorageOptions,
    /** What replay found when the storage was opened. */
    readonly replayReport: ReplayReport,
  ) {}

  static open(opts: JournaledStorageOptions): JournaledStorage {
    const store = new MemoryStore(opts);
    const journal = new Journal({ dir: join(opts.dataDir, 'journal'), fsync: opts.fsync, ...(opts.segmentBytes ? { segmentBytes: opts.segmentBytes } : {}) });
    const report = journal.replay((series) => store.apply(toPending(series)));
    const storage = new JournaledStorage(store, journal, opts, report);
    storage.applyRetention();
    return storage;
  }

  appender(): Appender {
    const pending: PendingSample[] = [];
    let done = false;
    return {
      append: (labels: Labels, tMs: Millis, value: number) => {
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
    const run = this._commitChain.then(fn);
    this._commitChain = run.catch(() => undefined);
    return run;
  }

  private _commit(pending: readonly PendingSample[]): CommitResult {
    if (this._closed) throw new Error('storage is closed');
    const newSeries: NewSeries = { keys: new Set(), perMetric: new Map() };
    const accepted: PendingSample[] = [];
    const errors: StorageError[] = [];
    let rejected = 0;
    for (const s of pending) {
      const err = this._store.check(s, newSeries);
      if (!err) accepted.push(s);
      else if (++rejected <= MAX_REPORTED_ERRORS) errors.push(err);
    }
    this._journal.append(groupBySeries(accepted));
    this._store.apply(accepted);
    return { accepted: accepted.length, rejected, errors };
  }

  querier(minMs: Millis, maxMs: Millis): Promise<Querier> {
    const store = this._store;
    const labelSets = (matchers: readonly Matcher[] | undefined): Labels[] => store.selectLabels(matchers ?? [], minMs, maxMs);
    return Promise.resolve({
      select: (matchers: readonly Matcher[]) => Promise.resolve(store.select(matchers, minMs, maxMs)),
      labelNames: (matchers?: readonly Matcher[]) => Promise.resolve(sortedUnique(labelSets(matchers).flatMap((l) => Object.keys(l)))),
      labelValues: (name: string, matchers?: readonly Matcher[]) =>
        Promise.resolve(sortedUnique(labelSets(matchers).flatMap((l) => (l[name] === undefined ? [] : [l[name]])))),
    });
  }

  /** Drops samples and journal segments older than the retention. Call periodically. */
  applyRetention(): { samplesDropped: number; segmentsDeleted: number } {
    const minMs = (this._opts.nowMs ?? Date.now)() - this._opts.retentionMs;
    return { samplesDropped: this._store.truncateBefore(minMs), segmentsDeleted: this._journal.deleteBefore(minMs) };
  }

  stats(): StorageStats {
    return { series: this._store.seriesCount, samples: this._store.sampleCount, rejectedTotal: { ...this._store.rejectedTotal } };
  }

  async close(): Promise<void> {
    await this._commitChain;
    this._closed = true;
    this._journal.close();
  }
}

function groupBySeries(samples: readonly PendingSample[]): JournalSeries[] {
  const bySeries = new Map<Labels, Sample[]>();
  for (const s of samples) {
    let list = bySeries.get(s.labels);
    if (!list) bySeries.set(s.labels, (list = []));
    list.push({ tMs: s.tMs, value: s.value });
  }
  return [...bySeries];
}

function toPending(series: readonly JournalSeries[]): PendingSample[] {
  return series.flatMap(([labels, samples]) => samples.map((p) => ({ labels, tMs: p.tMs, value: p.value })));
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
