import { labelsOf, METRIC_NAME } from './labels.js';
import type { MetricMeta, MetricSet, MetricType, Point } from './metric.js';

/**
 * Accumulates points for a {@link MetricSet}. Collectors call `describe` once per metric name and
 * `add` per series; adding to an undescribed name is a programming error and throws.
 */
export class MetricSetBuilder {
  private readonly _meta = new Map<string, MetricMeta>();
  private readonly _points: Point[] = [];

  describe(name: string, type: MetricType, help: string): this {
    this._meta.set(name, { type, help });
    return this;
  }

  add(name: string, labels: Record<string, string | undefined>, value: number): this {
    if (!this._meta.has(name)) throw new Error(`metric ${name} was not described`);
    this._points.push({ labels: labelsOf({ ...labels, [METRIC_NAME]: name }), value });
    return this;
  }

  /** Adds every point and description of another set. */
  merge(other: MetricSet): this {
    for (const [name, meta] of other.meta) this._meta.set(name, meta);
    for (const p of other.points) this._points.push(p);
    return this;
  }

  build(): MetricSet {
    return { meta: new Map(this._meta), points: [...this._points] };
  }
}
