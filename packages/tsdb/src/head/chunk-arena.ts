/**
 * Pooled storage for the head's sealed chunks: chunk bytes are appended to large slabs instead of
 * one `Uint8Array` (typed array + ArrayBuffer + backing store, ~250 bytes of overhead) per chunk.
 * A chunk is addressed by a ref (`slab × SLAB_SPAN + offset`). Slabs are append-only and never
 * written twice, so a view handed out stays valid; a slab is dropped once every chunk in it was
 * released. Chunks sealed at about the same time share a slab and leave the head together (the
 * block cut takes every chunk of a time range), so slabs empty out instead of fragmenting.
 */

/** Offsets within a slab stay below this; a ref is `slab * SLAB_SPAN + offset`. */
export const SLAB_SPAN = 1 << 21;
const MIN_SLAB_BYTES = 16 * 1024;
const MAX_SLAB_BYTES = 1 << 20;

export class ChunkArena {
  private readonly _slabs: (Uint8Array | undefined)[] = [];
  private readonly _live: number[] = [];
  private readonly _free: number[] = [];
  private _current = -1;
  private _used = 0;
  private _nextSlabBytes = MIN_SLAB_BYTES;

  /** Bytes held in slabs (allocated, live or not yet released). */
  get slabBytes(): number {
    let n = 0;
    for (const s of this._slabs) n += s?.length ?? 0;
    return n;
  }

  get slabCount(): number {
    return this._slabs.length - this._free.length;
  }

  /** Stores `len` bytes written by `write(slab, offset)`; returns the chunk's ref. */
  put(len: number, write: (slab: Uint8Array, offset: number) => void): number {
    if (len > SLAB_SPAN) throw new Error(`chunk of ${len} bytes is larger than a slab`);
    let slab = this._slabs[this._current];
    if (!slab || this._used + len > slab.length) slab = this._newSlab(len);
    const offset = this._used;
    write(slab, offset);
    this._used += len;
    this._live[this._current] = (this._live[this._current] ?? 0) + 1;
    return this._current * SLAB_SPAN + offset;
  }

  /** Copies `bytes` in; returns the ref. */
  putBytes(bytes: Uint8Array): number {
    return this.put(bytes.length, (slab, off) => slab.set(bytes, off));
  }

  /**
   * Takes `bytes` (at most a slab's span, no longer written by anyone) as a slab of its own, its
   * chunks added in place with {@link refIn}: a checkpoint's pieces become slabs, their chunk
   * bytes not copied. Returns the slab's number; a slab left without chunks goes at {@link dropIfEmpty}.
   */
  adoptSlab(bytes: Uint8Array): number {
    if (bytes.length > SLAB_SPAN) throw new Error(`a slab of ${bytes.length} bytes is larger than a slab's span`);
    const idx = this._free.pop() ?? this._slabs.length;
    this._slabs[idx] = bytes;
    this._live[idx] = 0;
    return idx;
  }

  /** The ref of a chunk at `offset` of adopted slab `slab` (counted live until released). */
  refIn(slab: number, offset: number): number {
    if (this._slabs[slab] === undefined || slab === this._current) throw new Error(`slab ${slab} is not an adopted slab`);
    this._live[slab] = (this._live[slab] ?? 0) + 1;
    return slab * SLAB_SPAN + offset;
  }

  /** Drops adopted slab `slab` if none of its chunks is held. */
  dropIfEmpty(slab: number): void {
    if (slab === this._current || this._slabs[slab] === undefined || (this._live[slab] ?? 0) > 0) return;
    this._slabs[slab] = undefined;
    this._free.push(slab);
  }

  /** A view of a stored chunk (valid for as long as it is held, even after release). */
  view(ref: number, len: number): Uint8Array {
    const slabIdx = Math.floor(ref / SLAB_SPAN);
    const slab = this._slabs[slabIdx];
    if (!slab) throw new Error(`chunk ref ${ref} points to a released slab`);
    const off = ref - slabIdx * SLAB_SPAN;
    return slab.subarray(off, off + len);
  }

  /** The slab holding the chunk at `ref` (read in place from {@link offsetOf}; no view made). */
  slabOf(ref: number): Uint8Array {
    const slab = this._slabs[Math.floor(ref / SLAB_SPAN)];
    if (!slab) throw new Error(`chunk ref ${ref} points to a released slab`);
    return slab;
  }

  /** Byte offset of the chunk at `ref` within its slab. */
  offsetOf(ref: number): number {
    return ref % SLAB_SPAN;
  }

  /** The chunk at `ref` is no longer held; its slab goes once all of its chunks are. */
  release(ref: number): void {
    const slabIdx = Math.floor(ref / SLAB_SPAN);
    const live = (this._live[slabIdx] ?? 0) - 1;
    this._live[slabIdx] = live;
    if (live > 0 || slabIdx === this._current) return;
    this._slabs[slabIdx] = undefined;
    this._free.push(slabIdx);
  }

  private _newSlab(len: number): Uint8Array {
    const old = this._current;
    if (old >= 0 && (this._live[old] ?? 0) === 0) {
      this._slabs[old] = undefined;
      this._free.push(old);
    }
    const bytes = Math.max(len, this._nextSlabBytes);
    this._nextSlabBytes = Math.min(MAX_SLAB_BYTES, this._nextSlabBytes * 2);
    const slab = new Uint8Array(bytes);
    const idx = this._free.pop() ?? this._slabs.length;
    this._slabs[idx] = slab;
    this._live[idx] = 0;
    this._current = idx;
    this._used = 0;
    return slab;
  }
}
