/**
 * Where ColumnsBuilders take their arrays: views carved from 1 MiB slabs of doubles. A fresh
 * Float64Array is an off-heap buffer (~5 µs to make); a view of one costs ~50 ns, and a select
 * makes a few per series and part.
 *
 * By default from one shared carver whose slabs the garbage collector frees once no view of them
 * is left, so columns kept long (a cache) keep their slab alive: such holders copy (`slice`).
 *
 * A reader that knows when it stops reading what a select returned (the query API: after the
 * response is written) carves from a {@link ColumnArena} instead, and hands it back, so the next
 * query reuses the same slabs. What that saves, in the TSDB bench's 6 h queries (~14 MB of
 * decoded columns each): the fresh slabs' page faults (the launcher makes every buffer over 128 KiB
 * a fresh mmap, ~3 µs a page here), and, since a query outlives a scavenge or two, slabs promoted
 * to the old generation, whose ArrayBuffers only a major GC frees: past 64 MB of them V8 starts one
 * ("external memory pressure"), every ~3 such queries.
 *
 * The contract: nothing carved from an arena is read after {@link ColumnArena.release}; holders
 * that keep columns past a select copy them already, as above.
 */

/** Doubles per slab (1 MiB). */
export const SLAB_DOUBLES = 1 << 17;
/** Carves larger than this get an array of their own (a slab would waste its rest). */
const MAX_CARVE = SLAB_DOUBLES / 8;

/** A carve: `arr[start, start + n)`. */
export interface Carve {
  readonly arr: Float64Array;
  readonly start: number;
}

/** Carves views from slabs; the last carve of the current slab can give back its tail. */
export class SlabCarver {
  private _slab: Float64Array = new Float64Array(0);
  private _used = 0;

  carve(n: number): Carve {
    if (n > MAX_CARVE) return { arr: new Float64Array(n), start: 0 };
    if (this._used + n > this._slab.length) {
      this._slab = this.nextSlab();
      this._used = 0;
    }
    const start = this._used;
    this._used += n;
    return { arr: this._slab, start };
  }

  /** When `arr` up to `end` is the last carve: shrinks it to end at `newEnd` and says so. */
  giveBack(arr: Float64Array, end: number, newEnd: number): boolean {
    if (arr !== this._slab || this._used !== end) return false;
    this._used = newEnd;
    return true;
  }

  /** A slab to carve from once the current one is full. */
  protected nextSlab(): Float64Array {
    return new Float64Array(SLAB_DOUBLES);
  }

  /** Forgets the current slab (the arena's reset). */
  protected restart(): void {
    this._slab = new Float64Array(0);
    this._used = 0;
  }
}

/** Arenas released and not reused yet, held weakly: a major GC (the idle one after a burst) frees them. */
const idle: WeakRef<ColumnArena>[] = [];
/** Released arenas kept for reuse (more at once means as many queries in flight). */
const MAX_IDLE = 4;

/** Slabs one reader carves from and gives back whole (see the file comment). */
export class ColumnArena extends SlabCarver {
  private readonly _slabs: Float64Array[] = [];
  private _next = 0;
  private _released = false;

  /** A released arena if one is still alive, else a new one. */
  static acquire(): ColumnArena {
    for (let r = idle.pop(); r !== undefined; r = idle.pop()) {
      const a = r.deref();
      if (a) {
        a._released = false;
        return a;
      }
    }
    return new ColumnArena();
  }

  /** Slabs held (each SLAB_DOUBLES doubles). */
  get slabCount(): number {
    return this._slabs.length;
  }

  /** Everything carved from this arena is done with; the next acquire may carve over it. */
  release(): void {
    if (this._released) throw new Error('column arena released twice');
    this._released = true;
    this._next = 0;
    this.restart();
    if (idle.length < MAX_IDLE) idle.push(new WeakRef(this));
  }

  protected override nextSlab(): Float64Array {
    if (this._released) throw new Error('column arena used after release');
    const slab = this._slabs[this._next] ?? new Float64Array(SLAB_DOUBLES);
    if (this._next === this._slabs.length) this._slabs.push(slab);
    this._next++;
    return slab;
  }
}

const shared = new SlabCarver();
let current: SlabCarver = shared;

/** The carver builders made now take their arrays from. */
export function currentCarver(): SlabCarver {
  return current;
}

/** Runs `fn` (synchronous: nothing else may carve meanwhile) with builders carving from `arena`. */
export function withArena<T>(arena: ColumnArena | undefined, fn: () => T): T {
  if (!arena) return fn();
  const before = current;
  current = arena;
  try {
    return fn();
  } finally {
    current = before;
  }
}
