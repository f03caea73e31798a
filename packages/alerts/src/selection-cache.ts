/**
 * The selections of one group evaluation, shared by its rules. Rule files select the same few
 * metric families over and over (1,000 rules of the rules benchmark: 112 selections a group of 100
 * rules, 40 distinct): within one evaluation every rule queries at the same timestamp, so the same
 * selector over the same range gives the same series, and storage is read once for it.
 *
 * Correctness: a rule must see what earlier rules of the group wrote (recording rules, ALERTS), so
 * the appender this cache hands out drops the entries a commit may have changed — those selecting
 * a written metric name, and every entry without an exact `__name__`. Samples that ingest adds
 * during the evaluation may be missed by later rules, as if they had run a moment earlier.
 * Bounded: at most `maxSamples` samples held; past it the oldest entries are dropped. Lives for
 * one evaluation (a new cache each time), so nothing is held between cycles. The entries are the
 * storage's columns as selected, views into its shared slabs (packages/storage ColumnsBuilder),
 * not copies: an entry keeps its slab (≤ 1 MiB, with whatever else was carved from it) alive until
 * the evaluation ends — more than its samples, for no longer than that.
 */
import { METRIC_NAME } from '@fathom/model';
import type { Labels, Matcher } from '@fathom/model';
import type { Appendable, Appender, Querier, Queryable, SelectHints, SeriesData } from '@fathom/storage';

export interface SelectionCacheStats {
  hits: number;
  misses: number;
}

interface Entry {
  readonly name: string | undefined;
  readonly series: Promise<readonly SeriesData[]>;
  samples: number;
}

export class SelectionCache implements Queryable, Appendable {
  private readonly _entries = new Map<string, Entry>();
  private _samples = 0;

  constructor(
    private readonly _queryable: Queryable,
    private readonly _appendable: Appendable,
    private readonly _maxSamples: number,
    private readonly _stats: SelectionCacheStats,
  ) {}

  async querier(minMs: number, maxMs: number): Promise<Querier> {
    const inner = await this._queryable.querier(minMs, maxMs);
    return {
      select: (matchers, hints) => this._select(inner, `${minMs},${maxMs}`, matchers, hints),
      labelNames: (matchers) => inner.labelNames(matchers),
      labelValues: (name, matchers) => inner.labelValues(name, matchers),
    };
  }

  appender(): Appender {
    const app = this._appendable.appender();
    const names = new Set<string>();
    return {
      append: (labels: Labels, tMs: number, value: number) => {
        names.add(labels[METRIC_NAME] ?? '');
        app.append(labels, tMs, value);
      },
      commit: async () => {
        try {
          return await app.commit();
        } finally {
          this._invalidate(names);
        }
      },
      rollback: () => app.rollback(),
    };
  }

  private _select(inner: Querier, range: string, matchers: readonly Matcher[], hints: SelectHints | undefined): Promise<readonly SeriesData[]> {
    const key = `${range}\xff${hints ? JSON.stringify(hints) : ''}\xff${matchers.map((m) => `${m.name}\xfd${m.type}\xfd${m.value}`).join('\xfe')}`;
    const hit = this._entries.get(key);
    if (hit) {
      this._stats.hits++;
      return hit.series;
    }
    this._stats.misses++;
    const name = matchers.find((m) => m.name === METRIC_NAME && m.type === '=')?.value;
    const entry: Entry = { name, series: inner.select(matchers, hints), samples: 0 };
    this._entries.set(key, entry);
    entry.series.then(
      (series) => this._account(key, entry, series),
      () => this._entries.get(key) === entry && this._entries.delete(key),
    );
    return entry.series;
  }

  private _account(key: string, entry: Entry, series: readonly SeriesData[]): void {
    if (this._entries.get(key) !== entry) return;
    for (const s of series) entry.samples += s.samples.tMs.length;
    this._samples += entry.samples;
    for (const [k, e] of this._entries) {
      if (this._samples <= this._maxSamples) break;
      this._drop(k, e);
    }
  }

  private _invalidate(names: ReadonlySet<string>): void {
    if (names.size === 0) return;
    for (const [k, e] of this._entries) if (e.name === undefined || names.has(e.name)) this._drop(k, e);
  }

  private _drop(key: string, e: Entry): void {
    this._entries.delete(key);
    this._samples -= e.samples;
  }
}
