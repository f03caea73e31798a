/**
 * One string per distinct label value, shared by the label sets that hold it.
 *
 * Every decoded label set has its own copies of its values (a protobuf, WAL or checkpoint decode
 * makes fresh strings), though the ~40 series of a pod share most of them (namespace, pod, node,
 * workload, image…): at 16,000 active series, ~500k strings of which ~50k distinct (~14 MB of
 * copies). Label names need nothing: V8 internalizes property keys itself.
 *
 * The table is process-wide so the remote-write receiver (which keeps the label sets it decoded)
 * and the TSDB head (WAL replay, checkpoint restore) hand out the same strings. Interning never
 * changes a value, only which copy is kept, so a string missing from the table costs sharing,
 * never correctness. Label sets are copied, not changed (they are frozen, and may be held
 * elsewhere). Bounded: once it has grown to twice its size at the last rebuild (and past
 * {@link MIN_REBUILD_ENTRIES}), it is rebuilt from the label sets still in use, which whoever
 * holds them registers ({@link LabelStrings.liveFrom}: the head, its series); without one it is
 * emptied. Checked on every insert, so values that never become a series (a request refused at
 * the series limit, a request that failed) cannot pile up either.
 */
import type { Labels } from './labels.js';

/** The table is not rebuilt below this many entries (a rebuild walks every label set in use). */
export const MIN_REBUILD_ENTRIES = 16_384;

export class LabelStrings {
  private _table = new Map<string, string>();
  private _sizeAtRebuild = 0;
  /** Label sets {@link internLabels} made (JS cannot tell two equal strings apart: this is how a set is known to hold shared copies). */
  private readonly _interned = new WeakSet<Labels>();

  /** The label sets in use (for {@link rebuild}); undefined: nobody registered, the table is emptied instead. */
  private _live: (() => Iterable<Labels>) | undefined;

  /** Registers where the label sets still in use are found when the table has grown (the head: its series); undefined unregisters. */
  liveFrom(source: (() => Iterable<Labels>) | undefined): void {
    this._live = source;
  }

  /** The shared copy of `value` (`value` itself when it is the first). */
  intern(value: string): string {
    const known = this._table.get(value);
    if (known !== undefined) return known;
    this._table.set(value, value);
    this._boundCheck();
    return value;
  }

  /** Past twice the size at the last rebuild: rebuilt from the sets in use, or emptied when none is registered. */
  private _boundCheck(): void {
    if (this._table.size < Math.max(MIN_REBUILD_ENTRIES, 2 * this._sizeAtRebuild)) return;
    if (this._live) this.rebuild(this._live());
    else {
      this._table = new Map<string, string>();
      this._sizeAtRebuild = 0;
    }
  }

  /**
   * A frozen copy of `labels` holding the shared copies of its values; `labels` itself if this
   * made (or {@link adopt}ed) it. ~2 µs a 20-label set: decoders that build sets anyway intern
   * their values as they go and adopt the set instead.
   */
  internLabels(labels: Labels): Labels {
    if (this._interned.has(labels)) return labels;
    const table = this._table;
    const out: Record<string, string> = {};
    for (const name in labels) {
      const value = labels[name] ?? '';
      let shared = table.get(value);
      if (shared === undefined) table.set(value, (shared = value));
      out[name] = shared;
    }
    const labelsOut = this.adopt(out);
    this._boundCheck(); // after the set is made: a rebuild in the middle would only lose sharing
    return labelsOut;
  }

  /** Freezes a set whose values all came from {@link intern} and records it as holding shared copies (no copy made). */
  adopt(record: Record<string, string>): Labels {
    const labels = Object.freeze(record);
    this._interned.add(labels);
    return labels;
  }

  get size(): number {
    return this._table.size;
  }

  /** Entries at the last {@link rebuild} (0 before one). */
  get sizeAtRebuild(): number {
    return this._sizeAtRebuild;
  }

  /**
   * Keeps only `live` (the values of the label sets still held, already interned: their copies
   * stay the shared ones). Values nobody holds any more leave the table.
   */
  rebuild(live: Iterable<Labels>): void {
    const table = new Map<string, string>();
    for (const labels of live) {
      for (const name in labels) {
        const value = labels[name] ?? '';
        if (!table.has(value)) table.set(value, value);
      }
    }
    this._table = table;
    this._sizeAtRebuild = table.size;
  }
}

/** The process's table (see {@link LabelStrings}). */
export const labelStrings = new LabelStrings();
