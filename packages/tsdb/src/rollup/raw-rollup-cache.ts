/**
 * The raw data (raw blocks + head) rolled up per tier and series, kept between selects and
 * extended with only the raw samples newer than a run holds, so a tier select decodes only what
 * arrived since the last one instead of rolling every raw hour up again. Exactness: a run is the
 * streaming rollup ({@link RollupAccumulator}) of every raw sample of its series up to
 * `lastSeenTMs`, seeded with the tier's counter state, as `rollUp` computes it from scratch.
 *
 * What a run survives (the raw samples up to `lastSeenTMs` and the seed are unchanged):
 * - a head cut and raw-block compaction: the same samples, moved (the next select reads the
 *   part newer than a run holds from the new block);
 * - the oldest raw block rolled into tier blocks: the tier blocks now serve its buckets and the
 *   seed becomes the counter state at its end, which is the run's own state there, so the run
 *   drops its points before the block's end ({@link RolledRun.trimBefore}) and equals the rollup
 *   of the remaining raw data. Only when the run had read up to that end (else it misses samples
 *   that are gone from the raw data now) and the end is a bucket boundary of the tier (else, a
 *   day tier over 2 h blocks, the split bucket's sum would be added in another order); other
 *   runs go.
 * Everything else that changes raw data empties the cache (raw samples dropped by retention
 * without a rollup, a raw block set aside as damaged); an out-of-order write to a series
 * invalidates its runs. Bounded: past `maxPoints` points new runs are not kept (those series are
 * rolled up from scratch at each select), and the held runs, which grow with the head, are
 * dropped past twice the bound.
 */
import type { Labels } from '@fathom/model';
import { ColumnsBuilder } from '@fathom/storage';
import type { SampleColumns } from '@fathom/storage';
import type { XorIterator } from '../chunk/xor-chunk.js';
import { fieldValue, ROLLED_FIELDS, RollupAccumulator } from './accumulator.js';
import type { RolledPoint } from './accumulator.js';
import type { CounterState } from './rollup-points.js';
import type { RollupField } from './tiers.js';

const STRIDE = 1 + ROLLED_FIELDS.length;
/** Where {@link RolledRun.addFrom} has a chunk decoded, a batch at a time (rollups run one at a time: selects are synchronous). */
const BATCH_T = new Float64Array(128);
const BATCH_V = new Float64Array(128);

/** One series' rolled-up raw data for one tier. */
export class RolledRun {
  private _buf = new Float64Array(0);
  /** Closed buckets in {@link _buf}. */
  private _n = 0;
  private readonly _acc: RollupAccumulator;
  /** Newest raw sample rolled in (−∞ before the first). */
  lastSeenTMs = -Infinity;

  constructor(
    readonly labels: Labels,
    resolutionMs: number,
    start: CounterState | undefined,
    /** The series' out-of-order epoch the run was built at. */
    readonly epoch: number,
  ) {
    this._acc = new RollupAccumulator(resolutionMs);
    if (start) this._acc.restore({ open: undefined, counter: start.counter, prev: start.prev });
  }

  /** Closed points held (the open bucket not counted). */
  get pointCount(): number {
    return this._n;
  }

  /** Rolls in time-ordered samples; those not newer than {@link lastSeenTMs} are skipped. Returns points closed. */
  add(samples: SampleColumns): number {
    const before = this._n;
    const { tMs, values } = samples;
    for (let i = 0; i < tMs.length; i++) {
      const t = tMs[i]!;
      if (t <= this.lastSeenTMs) continue;
      this.lastSeenTMs = t;
      this._roll(t, values[i]!);
    }
    return this._n - before;
  }

  /** Rolls in the samples of an iterator reset on a chunk; those not newer than {@link lastSeenTMs} are skipped. Returns points closed. */
  addFrom(it: XorIterator): number {
    const before = this._n;
    const t = BATCH_T;
    const v = BATCH_V;
    for (let n = it.readBatch(t, v); n > 0; n = it.readBatch(t, v)) {
      for (let k = 0; k < n; k++) {
        const tMs = t[k]!;
        if (tMs <= this.lastSeenTMs) continue;
        this.lastSeenTMs = tMs;
        this._roll(tMs, v[k]!);
      }
    }
    return this._n - before;
  }

  /**
   * Forgets the buckets before `cutMs` (a bucket boundary: tier blocks now hold them), the open
   * one too when it is older, keeping the counter's running values. Returns closed points dropped.
   */
  trimBefore(cutMs: number): number {
    const k = this._firstFrom(cutMs);
    if (k > 0) {
      this._buf.copyWithin(0, k * STRIDE, this._n * STRIDE);
      this._n -= k;
    }
    const st = this._acc.state();
    if (st.open && st.open.tMs < cutMs) this._acc.restore({ open: undefined, counter: st.counter, prev: st.prev });
    return k;
  }

  /** Points (closed buckets, then the open one) with tMs ≥ `minMs`, as fresh objects. */
  pointsFrom(minMs: number): RolledPoint[] {
    const b = this._buf;
    const out: RolledPoint[] = [];
    for (let k = this._firstFrom(minMs); k < this._n; k++) {
      const o = k * STRIDE;
      out.push({ tMs: b[o] ?? 0, min: b[o + 1] ?? NaN, max: b[o + 2] ?? NaN, sum: b[o + 3] ?? NaN, count: b[o + 4] ?? NaN, last: b[o + 5] ?? NaN, counter: b[o + 6] ?? NaN });
    }
    const open = this._acc.open;
    if (open && open.tMs >= minMs) out.push({ ...open });
    return out;
  }

  /** One field of the points in [minMs, maxMs] as samples (what `serveField` makes of {@link pointsFrom}). */
  serve(field: RollupField, minMs: number, maxMs: number): SampleColumns {
    const b = this._buf;
    const from = this._firstFrom(minMs);
    const out = new ColumnsBuilder(this._n - from + 1);
    const f = field === 'avg' ? -1 : 1 + ROLLED_FIELDS.indexOf(field);
    for (let k = from; k < this._n; k++) {
      const o = k * STRIDE;
      const tMs = b[o] ?? 0;
      if (tMs > maxMs) return out.finish();
      out.push(tMs, f < 0 ? (b[o + 3] ?? NaN) / (b[o + 4] ?? NaN) : (b[o + f] ?? NaN));
    }
    const open = this._acc.open;
    if (open && open.tMs >= minMs && open.tMs <= maxMs) out.push(open.tMs, fieldValue(open, field));
    return out.finish();
  }

  private _firstFrom(minMs: number): number {
    const b = this._buf;
    let lo = 0;
    let hi = this._n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((b[mid * STRIDE] ?? 0) < minMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Rolls one sample in; a bucket it closes goes straight into {@link _buf}. */
  private _roll(tMs: number, value: number): void {
    if ((this._n + 1) * STRIDE > this._buf.length) this._grow();
    if (this._acc.addTo(tMs, value, this._buf, this._n * STRIDE)) this._n++;
  }

  private _grow(): void {
    const next = new Float64Array(Math.max(16 * STRIDE, this._buf.length * 2));
    next.set(this._buf);
    this._buf = next;
  }
}

export class RawRollupCache {
  private readonly _byTier = new Map<number, Map<string, RolledRun>>();
  private _generation: string | undefined;
  private _rawFromMs = -Infinity;
  private _points = 0;
  /** Runs rolled up from the start of the raw data (cold builds) since creation. */
  builtTotal = 0;

  /** `maxPoints` 0 turns the cache off (every tier select rolls the raw data up from scratch). */
  constructor(readonly maxPoints: number) {}

  get enabled(): boolean {
    return this.maxPoints > 0;
  }

  /**
   * Brings the cache in line with the raw data: emptied when the raw generation changed (or the
   * held runs grew past twice the bound); trimmed when raw data before `rawFromMs` was rolled into
   * tier blocks since the last call (see the file comment).
   */
  sync(generation: string, rawFromMs: number): void {
    if (generation !== this._generation || this._points > 2 * this.maxPoints) {
      this._byTier.clear();
      this._points = 0;
      this._generation = generation;
      this._rawFromMs = rawFromMs;
      return;
    }
    if (rawFromMs <= this._rawFromMs) return;
    this._rawFromMs = rawFromMs;
    for (const [res, runs] of this._byTier) {
      for (const [key, run] of runs) {
        // a run that had not read up to the rolled block's end misses samples no raw data holds now
        if (rawFromMs % res === 0 && run.lastSeenTMs >= rawFromMs - 1) {
          this._points -= run.trimBefore(rawFromMs);
          continue;
        }
        this._points -= run.pointCount;
        runs.delete(key);
      }
    }
  }

  /** Runs and points held (status and tests). */
  get stats(): { runs: number; points: number; builtTotal: number } {
    let runs = 0;
    for (const m of this._byTier.values()) runs += m.size;
    return { runs, points: this._points, builtTotal: this.builtTotal };
  }

  get(resolutionMs: number, key: string): RolledRun | undefined {
    return this._byTier.get(resolutionMs)?.get(key);
  }

  /** Keeps `run` unless that would take the cache past its bound (the run then serves one select only). */
  set(resolutionMs: number, key: string, run: RolledRun): void {
    const held = this._byTier.get(resolutionMs);
    const old0 = held?.get(key)?.pointCount ?? 0;
    if (this._points - old0 + run.pointCount > this.maxPoints) {
      // The held run is out of date (that is why it was rebuilt): it must not keep its budget.
      if (held?.delete(key)) this._points -= old0;
      return;
    }
    let m = held;
    if (!m) this._byTier.set(resolutionMs, (m = new Map<string, RolledRun>()));
    const old = m.get(key);
    if (old) this._points -= old.pointCount;
    m.set(key, run);
    this._points += run.pointCount;
  }

  /** Counts points a held run closed (for the bound). */
  grew(points: number): void {
    this._points += points;
  }
}
