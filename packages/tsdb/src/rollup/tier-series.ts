/**
 * One series' points in one rollup tier: sealed chunks (one XOR chunk per field, bucket-start
 * timestamps, so regular buckets cost ~1 bit of time each), a short buffer of closed points, and
 * the accumulator's open bucket. Reads serve one field.
 */
import type { Sample } from '@fathom/model';
import { decodeXorChunk, XorEncoder } from '../chunk/xor-chunk.js';
import { fieldValue, ROLLED_FIELDS, RollupAccumulator } from './accumulator.js';
import type { RolledPoint } from './accumulator.js';
import type { RollupField } from './tiers.js';

/** Closed points buffered before they are compressed into a chunk. */
export const POINTS_PER_ROLLUP_CHUNK = 32;

export interface RollupChunk {
  readonly minTMs: number;
  readonly maxTMs: number;
  readonly count: number;
  /** One XOR chunk per field, in {@link ROLLED_FIELDS} order. */
  readonly fields: readonly Uint8Array[];
}

export class TierSeries {
  readonly acc: RollupAccumulator;
  readonly chunks: RollupChunk[] = [];
  buffered: RolledPoint[] = [];

  constructor(readonly resolutionMs: number) {
    this.acc = new RollupAccumulator(resolutionMs);
  }

  add(tMs: number, value: number): void {
    const closed = this.acc.add(tMs, value);
    if (!closed) return;
    this.buffered.push(closed);
    if (this.buffered.length >= POINTS_PER_ROLLUP_CHUNK) this._seal();
  }

  private _seal(): void {
    const points = this.buffered;
    const first = points[0];
    const last = points[points.length - 1];
    if (!first || !last) return;
    const fields = ROLLED_FIELDS.map((f) => {
      const enc = new XorEncoder();
      for (const p of points) enc.append(p.tMs, p[f]);
      return enc.bytes();
    });
    this.chunks.push({ minTMs: first.tMs, maxTMs: last.tMs, count: points.length, fields });
    this.buffered = [];
  }

  get isEmpty(): boolean {
    return this.chunks.length === 0 && this.buffered.length === 0 && this.acc.open === undefined;
  }

  /** One field's values at bucket starts in [minMs, maxMs], oldest first. */
  read(field: RollupField, minMs: number, maxMs: number): Sample[] {
    const out: Sample[] = [];
    for (const c of this.chunks) {
      if (c.maxTMs < minMs || c.minTMs > maxMs) continue;
      if (field === 'avg') readAvg(c, minMs, maxMs, out);
      else decodeXorChunk(c.fields[ROLLED_FIELDS.indexOf(field)] ?? new Uint8Array(2), (tMs, value) => tMs >= minMs && tMs <= maxMs && out.push({ tMs, value }));
    }
    const open = this.acc.open;
    for (const p of open ? [...this.buffered, open] : this.buffered) if (p.tMs >= minMs && p.tMs <= maxMs) out.push({ tMs: p.tMs, value: fieldValue(p, field) });
    return out;
  }

  /** Drops chunks and buffered points older than `minMs`. */
  dropBefore(minMs: number): void {
    while (this.chunks.length > 0 && (this.chunks[0]?.maxTMs ?? Infinity) < minMs) this.chunks.shift();
    if (this.buffered.length > 0 && (this.buffered[0]?.tMs ?? Infinity) < minMs) this.buffered = this.buffered.filter((p) => p.tMs >= minMs);
    const open = this.acc.open;
    if (open && open.tMs + this.resolutionMs <= minMs) this.acc.restore({ ...this.acc.state(), open: undefined });
  }
}

function readAvg(c: RollupChunk, minMs: number, maxMs: number, out: Sample[]): void {
  const sums: Sample[] = [];
  decodeXorChunk(c.fields[ROLLED_FIELDS.indexOf('sum')] ?? new Uint8Array(2), (tMs, value) => sums.push({ tMs, value }));
  let i = 0;
  decodeXorChunk(c.fields[ROLLED_FIELDS.indexOf('count')] ?? new Uint8Array(2), (tMs, count) => {
    const s = sums[i++];
    if (s && tMs >= minMs && tMs <= maxMs) out.push({ tMs, value: s.value / count });
  });
}
