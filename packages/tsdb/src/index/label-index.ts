/**
 * Inverted index: label name → value → sorted postings (series ids). Answers `=`, `!=`, `=~` and
 * `!~` as Prometheus does: a matcher that rejects the empty value (a missing label counts as '')
 * intersects the union of the postings of the values it accepts; a matcher that accepts '' removes
 * the series carrying a value it rejects. Only values are tested against regexes, never series.
 */
import type { Labels, Matcher } from '@fathom/model';
import { insertSorted, intersect, removeSorted, subtract, unionAll } from './postings.js';

export class LabelIndex {
  private readonly _postings = new Map<string, Map<string, number[]>>();
  private readonly _all: number[] = [];

  /** An index over given postings (a block's), `all` being every id, ascending. */
  static fromPostings(postings: Map<string, Map<string, number[]>>, all: number[]): LabelIndex {
    const idx = new LabelIndex();
    for (const [name, values] of postings) idx._postings.set(name, values);
    for (const id of all) idx._all.push(id);
    return idx;
  }

  get size(): number {
    return this._all.length;
  }

  add(id: number, labels: Labels): void {
    insertSorted(this._all, id);
    for (const name in labels) {
      const value = labels[name] ?? '';
      let values = this._postings.get(name);
      if (!values) this._postings.set(name, (values = new Map<string, number[]>()));
      let ids = values.get(value);
      if (!ids) values.set(value, (ids = []));
      insertSorted(ids, id);
    }
  }

  remove(id: number, labels: Labels): void {
    removeSorted(this._all, id);
    for (const name in labels) {
      const values = this._postings.get(name);
      const value = labels[name] ?? '';
      const ids = values?.get(value);
      if (!values || !ids) continue;
      removeSorted(ids, id);
      if (ids.length === 0) values.delete(value);
      if (values.size === 0) this._postings.delete(name);
    }
  }

  /** Number of series carrying the label pair. */
  count(name: string, value: string): number {
    return this._postings.get(name)?.get(value)?.length ?? 0;
  }

  /** Sorted ids of the series matching all matchers (all series for none). */
  match(matchers: readonly Matcher[]): number[] {
    const positive = matchers.filter((m) => !m.matches(''));
    const negative = matchers.filter((m) => m.matches(''));
    let result: number[] | undefined;
    for (const m of sortBySelectivity(positive)) {
      const ids = this._accepting(m);
      result = result === undefined ? ids : intersect(result, ids);
      if (result.length === 0) return result;
    }
    result ??= this._all.slice();
    for (const m of negative) {
      result = subtract(result, this._rejecting(m));
      if (result.length === 0) break;
    }
    return result;
  }

  private _accepting(m: Matcher): number[] {
    const values = this._postings.get(m.name);
    if (!values) return [];
    if (m.type === '=') return (values.get(m.value) ?? []).slice();
    const lists: number[][] = [];
    for (const [value, ids] of values) if (m.matches(value)) lists.push(ids);
    return unionAll(lists);
  }

  private _rejecting(m: Matcher): number[] {
    const values = this._postings.get(m.name);
    if (!values) return [];
    if (m.type === '!=') return (values.get(m.value) ?? []).slice();
    const lists: number[][] = [];
    for (const [value, ids] of values) if (!m.matches(value)) lists.push(ids);
    return unionAll(lists);
  }
}

/** `=` first: cheapest to look up and usually the most selective. */
function sortBySelectivity(ms: readonly Matcher[]): Matcher[] {
  return [...ms].sort((a, b) => (a.type === '=' ? 0 : 1) - (b.type === '=' ? 0 : 1));
}
