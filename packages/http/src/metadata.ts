/**
 * Metric metadata (type, help, unit) per metric family, as remote-write senders report it; served
 * by /api/v1/metadata. Bounded: past `maxFamilies` new families are dropped and counted.
 */
export interface MetricMetadataEntry {
  readonly type: string;
  readonly help: string;
  readonly unit: string;
}

export class MetadataStore {
  private readonly _byFamily = new Map<string, MetricMetadataEntry>();
  /** Families refused because the store was full. */
  dropped = 0;

  constructor(private readonly _maxFamilies = 100_000) {}

  set(family: string, entry: MetricMetadataEntry): void {
    if (!this._byFamily.has(family) && this._byFamily.size >= this._maxFamilies) {
      this.dropped++;
      return;
    }
    this._byFamily.set(family, entry);
  }

  /** Prometheus' /api/v1/metadata shape: family → list of entries; at most `limit` families. */
  query(metric: string | undefined, limit: number | undefined): Record<string, MetricMetadataEntry[]> {
    const out: Record<string, MetricMetadataEntry[]> = {};
    let n = 0;
    for (const family of [...this._byFamily.keys()].sort()) {
      if (metric !== undefined && metric !== '' && family !== metric) continue;
      if (limit !== undefined && limit > 0 && n >= limit) break;
      const e = this._byFamily.get(family);
      if (e) out[family] = [e];
      n++;
    }
    return out;
  }
}
