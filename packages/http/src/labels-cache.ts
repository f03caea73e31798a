/** The remote-write receiver's label sets by their wire bytes (remote-write.ts). */
import type { Labels } from '@fathom/model';

/** Senders repeat every series' labels in every request: label sets by their wire bytes, so a known series costs one lookup. */
export const LABELS_CACHE_ENTRIES = 250_000;

interface CachedLabels {
  /** A copy of the label section's wire bytes. */
  readonly bytes: Buffer;
  readonly labels: Labels;
  /** Another section with the same hash. */
  next: CachedLabels | undefined;
}

/**
 * Two generations of at most `max` entries each: bounded at 2 × max; a set evicted with its
 * generation is decoded again. Keyed by a hash of the bytes and compared byte for byte, so a
 * lookup allocates nothing (a string key per series per request was most of what the young
 * generation promoted during a backfill).
 */
export class LabelsCache {
  private _current = new Map<number, CachedLabels>();
  private _previous = new Map<number, CachedLabels>();
  private _size = 0;

  constructor(private readonly _max: number) {}

  /** No promotion: lookups never evict, so a request's answers stay valid until it is stored. */
  get(wire: Buffer, start: number, end: number): Labels | undefined {
    const h = hashBytes(wire, start, end);
    return find(this._current.get(h), wire, start, end) ?? find(this._previous.get(h), wire, start, end);
  }

  /** Keeps a copy of the bytes: `wire` is a reused request buffer, overwritten by the next request. */
  set(wire: Buffer, start: number, end: number, labels: Labels): void {
    if (this._size >= this._max) {
      this._previous = this._current;
      this._current = new Map();
      this._size = 0;
    }
    const h = hashBytes(wire, start, end);
    this._current.set(h, { bytes: Buffer.from(wire.subarray(start, end)), labels, next: this._current.get(h) });
    this._size++;
  }
}

function find(e: CachedLabels | undefined, wire: Buffer, start: number, end: number): Labels | undefined {
  for (let c = e; c; c = c.next) if (c.bytes.length === end - start && c.bytes.compare(wire, start, end) === 0) return c.labels;
  return undefined;
}

/** FNV-1a (32 bits) of `wire[start, end)`. */
function hashBytes(wire: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (wire[i] ?? 0), 0x01000193);
  return h >>> 0;
}
