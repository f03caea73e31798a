/**
 * A small in-memory storage (Appendable + Queryable over storage's MemoryStore) for rule unit
 * tests and `fathom rules test`: no durability, no retention, generous limits.
 */
import type { Labels, Matcher } from '@fathom/model';
import { MemoryStore } from '@fathom/storage';
import type { Appender, CommitResult, PendingSample, Querier, Storage, StorageError, StorageStats } from '@fathom/storage';

export class MemoryStorage implements Storage {
  private readonly _store = new MemoryStore({ maxSeries: 10_000_000, maxSeriesPerMetric: 10_000_000 });

  appender(): Appender {
    const pending: PendingSample[] = [];
    return {
      append: (labels: Labels, tMs: number, value: number) => void pending.push({ labels, tMs, value }),
      commit: () => Promise.resolve(this._commit(pending)),
      rollback: () => void (pending.length = 0),
    };
  }

  private _commit(pending: readonly PendingSample[]): CommitResult {
    const batch = { keys: new Set<string>(), perMetric: new Map<string, number>() };
    const accepted: PendingSample[] = [];
    const errors: StorageError[] = [];
    for (const s of pending) {
      const err = this._store.check(s, batch);
      if (err) errors.push(err);
      else accepted.push(s);
    }
    this._store.apply(accepted);
    return { accepted: accepted.length, rejected: errors.length, errors: errors.slice(0, 5) };
  }

  stats(): StorageStats {
    return { series: this._store.seriesCount, samples: this._store.sampleCount, rejectedTotal: { ...this._store.rejectedTotal } };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  querier(minMs: number, maxMs: number): Promise<Querier> {
    const store = this._store;
    const names = (ms: readonly Matcher[] | undefined): Labels[] => store.selectLabels(ms ?? [], minMs, maxMs);
    return Promise.resolve({
      select: (matchers: readonly Matcher[]) => Promise.resolve(store.select(matchers, minMs, maxMs)),
      labelNames: (ms?: readonly Matcher[]) => Promise.resolve([...new Set(names(ms).flatMap((l) => Object.keys(l)))].sort()),
      labelValues: (name: string, ms?: readonly Matcher[]) => Promise.resolve([...new Set(names(ms).flatMap((l) => (l[name] === undefined ? [] : [l[name]])))].sort()),
    });
  }
}
