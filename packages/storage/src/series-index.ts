/**
 * Inverted index: label pair → ids of the series that carry it. `=` matchers with a non-empty
 * value use the postings; the other matchers filter the candidates.
 */
import { matchesAll } from '@fathom/model';
import type { Labels, Matcher } from '@fathom/model';

export class SeriesIndex {
  private readonly _postings = new Map<string, Map<string, Set<number>>>();
  private readonly _labels = new Map<number, Labels>();

  add(id: number, labels: Labels): void {
    this._labels.set(id, labels);
    for (const [name, value] of Object.entries(labels)) {
      let values = this._postings.get(name);
      if (!values) this._postings.set(name, (values = new Map<string, Set<number>>()));
      let ids = values.get(value);
      if (!ids) values.set(value, (ids = new Set()));
      ids.add(id);
    }
  }

  remove(id: number): void {
    const labels = this._labels.get(id);
    if (!labels) return;
    this._labels.delete(id);
    for (const [name, value] of Object.entries(labels)) {
      const values = this._postings.get(name);
      const ids = values?.get(value);
      ids?.delete(id);
      if (ids?.size === 0) values?.delete(value);
      if (values?.size === 0) this._postings.delete(name);
    }
  }

  /** Ids of series matching all matchers. */
  match(matchers: readonly Matcher[]): number[] {
    const equal = matchers.filter((m) => m.type === '=' && m.value !== '');
    let candidates: Iterable<number> = this._labels.keys();
    if (equal.length > 0) {
      const sets = equal.map((m) => this._postings.get(m.name)?.get(m.value) ?? new Set<number>()).sort((a, b) => a.size - b.size);
      const [smallest, ...rest] = sets;
      candidates = [...(smallest ?? [])].filter((id) => rest.every((s) => s.has(id)));
    }
    const out: number[] = [];
    for (const id of candidates) {
      const labels = this._labels.get(id);
      if (labels && matchesAll(labels, matchers)) out.push(id);
    }
    return out;
  }

  labels(id: number): Labels | undefined {
    return this._labels.get(id);
  }

  /** Number of series whose metric name is `name`. */
  countWith(labelName: string, value: string): number {
    return this._postings.get(labelName)?.get(value)?.size ?? 0;
  }
}
