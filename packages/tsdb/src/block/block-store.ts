/**
 * The blocks of one data directory (`<dataDir>/blocks/`): opens and verifies them at start
 * (damaged ones are set aside as `<id>.damaged`, reported and counted, never served), writes the
 * head's cuts, and runs the maintenance plan (retention, rollup of raw blocks past the raw
 * retention into tier blocks, compaction). Reads merge per label set across blocks.
 */
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { fsyncDirSync } from '@fathom/kit';
import { join } from 'node:path';
import { labelsKey } from '@fathom/model';
import type { Labels, Matcher } from '@fathom/model';
import { ColumnsBuilder } from '@fathom/storage';
import type { SampleColumns } from '@fathom/storage';
import { XorIterator } from '../chunk/xor-chunk.js';
import { GridThinner, maxKept } from '../read-grid.js';
import type { ReadGrid } from '../read-grid.js';
import type { RolledPoint } from '../rollup/accumulator.js';
import { appendPoints, chunkPoints, pointsToChunks, rollUp } from '../rollup/rollup-points.js';
import type { CounterState } from '../rollup/rollup-points.js';
import type { Tier } from '../rollup/tiers.js';
import type { BlockChunk, BlockSeriesIn } from './block-index.js';
import { Block, BlockCorruptError } from './block-reader.js';
import type { ChunkRequest, ChunkSummary } from './block-reader.js';
import { writeBlock } from './block-writer.js';
import { isBlockId } from './meta.js';
import { planMaintenance } from './plan.js';
import type { PlanConfig } from './plan.js';

export interface BlockStoreOptions {
  readonly dir: string;
  readonly blockRangeMs: number;
  readonly rawRetentionMs: number;
  readonly tiers: readonly Tier[];
  readonly nowMs: () => number;
  /** An equal key string held elsewhere (the head's), which blocks keep ({@link Block.keyOf}); undefined: none. */
  readonly shareKey?: (key: string) => string | undefined;
}

/** One block's share of a planned raw read ({@link BlockStore.planRaw}). */
export interface RawRead {
  readonly block: Block;
  readonly keys: readonly string[];
  readonly reqs: readonly ChunkRequest[];
}

/** One series' parts (one per block, then the head's), in time order once sorted. */
export interface SeriesParts<T> {
  readonly labels: Labels;
  readonly parts: T[];
}

export class BlockStore {
  private _blocks: Block[] = [];
  /** Per series, the counter state where its rolled-up history ends, and that end (a block's maxTMs). */
  private readonly _states = new Map<string, { readonly state: CounterState; readonly atMs: number }>();
  /** Blocks set aside as damaged since start. */
  damagedTotal = 0;
  /**
   * Bumped when raw samples go other than by a rollup into the tiers (raw past retention dropped
   * without tiers, a block set aside as damaged): rolled-up raw data cached by readers is void.
   * Head cuts and compaction move samples without changing them and leave it.
   */
  rawGeneration = 0;
  /** End of the newest raw block rolled into the tier blocks (−∞ before any): raw data starts there. */
  rawRolledToMs = -Infinity;
  /** Problems found since start (newest last, bounded). */
  readonly problems: string[] = [];

  private readonly _shareKey: (key: string) => string | undefined;

  constructor(private readonly _o: BlockStoreOptions) {
    this._shareKey = _o.shareKey ?? (() => undefined);
    mkdirSync(_o.dir, { recursive: true });
  }

  get blocks(): readonly Block[] {
    return this._blocks;
  }

  /** Opens every block; returns the problems found (each also counted and kept in {@link problems}). */
  open(): string[] {
    const found: string[] = [];
    const opened: Block[] = [];
    for (const name of readdirSync(this._o.dir).sort()) {
      const path = join(this._o.dir, name);
      if (name.endsWith('.tmp')) {
        rmSync(path, { recursive: true, force: true }); // an interrupted write: its data is still in the WAL or its sources
        continue;
      }
      if (!isBlockId(name)) continue;
      const b = Block.open(path);
      if (typeof b === 'string') found.push(this._setAside(path, name, b));
      else opened.push(b);
    }
    this._blocks = this._dropSuperseded(this._wholeResults(opened, found));
    this._sort();
    for (const b of this._blocks) {
      if (b.meta.resolutionMs === 0) continue; // raw indexes are decoded at first use or by decodeNext
      try {
        this._guard(b, () => this._loadStates(b));
      } catch (err) {
        if (!(err instanceof BlockCorruptError)) throw err;
        found.push(this.problems[this.problems.length - 1] ?? err.message);
      }
    }
    return found;
  }

  /**
   * Decodes the index of one block not decoded yet (the engine calls it on a timer after open, so
   * the first query of each block after a start does not pay for it); false when all are. A block
   * whose index fails is set aside and reported, as when a read finds it damaged.
   */
  decodeNext(): boolean {
    const b = this._blocks.findLast((x) => !x.decoded); // newest first: what dashboards read
    if (!b) return false;
    try {
      this._guard(b, () => b.decode());
    } catch (err) {
      if (!(err instanceof BlockCorruptError)) throw err;
    }
    return true;
  }

  /**
   * The blocks less the results of an interrupted compaction or rollup whose index does not decode
   * (set aside): their sources are deleted next, so a CRC that matched is not enough to trust them.
   */
  private _wholeResults(blocks: Block[], found: string[]): Block[] {
    return blocks.filter((b) => {
      if (!b.meta.compaction.sources.some((id) => blocks.some((x) => x.id === id))) return true;
      try {
        b.decode();
        return true;
      } catch (err) {
        b.close();
        found.push(this._setAside(b.dir, b.id, (err as Error).message.replace(/^block \S+: /, '')));
        return false;
      }
    });
  }

  /** A compaction or rollup interrupted after writing its result: the sources go (or the partial result). */
  private _dropSuperseded(blocks: Block[]): Block[] {
    const byId = new Map(blocks.map((b) => [b.id, b]));
    const drop = new Set<string>();
    for (const raw of blocks) {
      const results = blocks.filter((b) => b.meta.compaction.sources.includes(raw.id));
      if (results.length === 0) continue;
      const complete = raw.meta.resolutionMs > 0 || results.some((b) => b.meta.resolutionMs === 0) || results.length >= this._o.tiers.length;
      for (const b of complete ? [raw] : results) drop.add(b.id);
    }
    for (const id of drop) {
      const b = byId.get(id);
      b?.close();
      if (b) rmSync(b.dir, { recursive: true, force: true });
    }
    return blocks.filter((b) => !drop.has(b.id));
  }

  private _setAside(path: string, name: string, why: string): string {
    this.rawGeneration++;
    const msg = `block ${name}: ${why}; set aside as ${name}.damaged, its data is not served`;
    try {
      renameSync(path, `${path}.damaged`);
    } catch {
      /* keep going: it is excluded either way */
    }
    this._report(msg);
    return msg;
  }

  private _report(msg: string): void {
    this.damagedTotal++;
    this.problems.push(msg);
    if (this.problems.length > 100) this.problems.shift();
  }

  private _sort(): void {
    this._blocks.sort((a, b) => a.meta.resolutionMs - b.meta.resolutionMs || a.meta.minTMs - b.meta.minTMs);
  }

  private _loadStates(b: Block): void {
    for (let ord = 0; ord < b.seriesCount; ord++) {
      const st = b.endState(ord);
      if (st) this._setState(labelsKey(b.labels(ord)), st, b.meta.maxTMs);
    }
  }

  /**
   * Keeps the newest end of a series' rolled-up history: a compaction of older tier blocks (or
   * blocks opened in any order) must not take the state back to the end of an older range, or
   * the next rollup would count the increases since then twice.
   */
  private _setState(key: string, state: CounterState, atMs: number): void {
    const old = this._states.get(key);
    if (!old || atMs >= old.atMs) this._states.set(key, { state, atMs });
  }

  /** End of the newest raw block (−∞ when none): the head holds only samples from there on. */
  get rawMaxTMs(): number {
    let max = -Infinity;
    for (const b of this._blocks) if (b.meta.resolutionMs === 0 && b.meta.maxTMs > max) max = b.meta.maxTMs;
    return max;
  }

  /** The oldest time raw blocks still hold (∞ when none). */
  get rawMinTMs(): number {
    let min = Infinity;
    for (const b of this._blocks) if (b.meta.resolutionMs === 0 && b.meta.minTMs < min) min = b.meta.minTMs;
    return min;
  }

  get rawSamples(): number {
    return this._blocks.reduce((n, b) => n + (b.meta.resolutionMs === 0 ? b.meta.stats.samples : 0), 0);
  }

  /** Persists a head cut as a raw block of [minTMs, maxTMs). */
  addRaw(series: readonly BlockSeriesIn[], minTMs: number, maxTMs: number): void {
    const meta = writeBlock(this._o.dir, { minTMs, maxTMs, resolutionMs: 0, level: 1, sources: [], nowMs: this._o.nowMs() }, series);
    this._adopt(meta.id);
  }

  /** Writes rollup points (e.g. a legacy checkpoint's) as a tier block. */
  addTier(resolutionMs: number, series: readonly BlockSeriesIn[], minTMs: number, maxTMs: number): void {
    if (series.length === 0) return;
    const meta = writeBlock(this._o.dir, { minTMs, maxTMs, resolutionMs, level: 1, sources: [], nowMs: this._o.nowMs() }, series);
    this._adopt(meta.id);
  }

  private _adopt(id: string): Block {
    const b = Block.open(join(this._o.dir, id));
    if (typeof b === 'string') throw new Error(`block ${id} unreadable right after it was written: ${b}`);
    try {
      b.decode(); // checked now, as its sources are deleted or the head's WAL truncated after it
    } catch (err) {
      b.close();
      throw new Error(`block ${id} unreadable right after it was written: ${(err as Error).message}`);
    }
    this._blocks.push(b);
    this._sort();
    if (b.meta.resolutionMs > 0) this._loadStates(b);
    return b;
  }

  /** Retention: a raw block dropped without a rollup changes the raw data (tier blocks do not: the counter states stay). */
  private _drop(b: Block): void {
    if (b.meta.resolutionMs === 0) this.rawGeneration++;
    this._delete(b);
  }

  private _delete(b: Block): void {
    b.close();
    this._blocks = this._blocks.filter((x) => x !== b);
    rmSync(b.dir, { recursive: true, force: true });
    fsyncDirSync(this._o.dir);
  }

  /** Retention, rollups and compaction until nothing is left to do; returns what was done. */
  maintain(): string[] {
    const cfg: PlanConfig = { blockRangeMs: this._o.blockRangeMs, rawRetentionMs: this._o.rawRetentionMs, tiers: this._o.tiers };
    const done: string[] = [];
    for (let round = 0; round < 100; round++) {
      const metas = this._blocks.map((b) => ({ id: b.id, minTMs: b.meta.minTMs, maxTMs: b.meta.maxTMs, resolutionMs: b.meta.resolutionMs, level: b.meta.compaction.level }));
      const actions = planMaintenance(metas, this._o.nowMs(), cfg);
      if (actions.length === 0) break;
      for (const a of actions) {
        if (a.kind === 'drop') this._withBlock(a.id, (b) => this._drop(b));
        else if (a.kind === 'rollup') this._withBlock(a.id, (b) => this._rollup(b));
        else this._merge(a.ids, a.minTMs, a.maxTMs, a.resolutionMs, a.level);
        done.push(a.kind === 'merge' ? `merge ${a.ids.join(',')}` : `${a.kind} ${a.id}`);
      }
    }
    return done;
  }

  private _withBlock(id: string, fn: (b: Block) => void): void {
    const b = this._blocks.find((x) => x.id === id);
    if (b) this._guard(b, () => fn(b));
  }

  /** Runs `fn`; a damaged block found on the way is set aside and reported (and the error rethrown). */
  private _guard<T>(b: Block, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof BlockCorruptError) {
        b.close();
        this._blocks = this._blocks.filter((x) => x !== b);
        this._setAside(b.dir, b.id, err.message);
      }
      throw err;
    }
  }

  private _rollup(raw: Block): void {
    const series: { labels: Labels; key: string; samples: SampleColumns }[] = [];
    for (let ord = 0; ord < raw.seriesCount; ord++) {
      const labels = raw.labels(ord);
      series.push({ labels, key: labelsKey(labels), samples: decodeSamples(raw.chunks(ord)) });
    }
    const ends = new Map<string, CounterState>();
    for (const tier of this._o.tiers) {
      const out: BlockSeriesIn[] = [];
      for (const s of series) {
        const { points, end } = rollUp(s.samples, tier.resolutionMs, this._states.get(s.key)?.state);
        if (end) ends.set(s.key, end);
        if (points.length > 0) out.push({ labels: s.labels, chunks: pointsToChunks(points), ...(end ? { end } : {}) });
      }
      const minTMs = Math.floor(raw.meta.minTMs / tier.resolutionMs) * tier.resolutionMs;
      writeBlock(this._o.dir, { minTMs, maxTMs: Math.max(raw.meta.maxTMs, minTMs + 1), resolutionMs: tier.resolutionMs, level: 1, sources: [raw.id], nowMs: this._o.nowMs() }, out);
    }
    this._delete(raw);
    this.rawRolledToMs = Math.max(this.rawRolledToMs, raw.meta.maxTMs);
    for (const name of readdirSync(this._o.dir)) if (isBlockId(name) && !this._blocks.some((b) => b.id === name)) this._adopt(name);
    for (const [k, st] of ends) this._setState(k, st, raw.meta.maxTMs);
  }

  private _merge(ids: readonly string[], minTMs: number, maxTMs: number, resolutionMs: number, level: number): void {
    const sources = ids.map((id) => this._blocks.find((b) => b.id === id)).filter((b): b is Block => b !== undefined);
    const merged = new Map<string, { labels: Labels; chunks: BlockChunk[]; points: RolledPoint[]; end?: CounterState }>();
    for (const b of sources) {
      this._guard(b, () => {
        for (let ord = 0; ord < b.seriesCount; ord++) {
          const labels = b.labels(ord);
          const key = labelsKey(labels);
          let m = merged.get(key);
          if (!m) merged.set(key, (m = { labels, chunks: [], points: [] }));
          const chunks = b.chunks(ord);
          if (resolutionMs === 0) m.chunks.push(...chunks);
          else for (const c of chunks) appendPoints(m.points, chunkPoints(c.bytes));
          const end = b.endState(ord);
          if (end) m.end = end;
        }
      });
    }
    const series: BlockSeriesIn[] = [...merged.values()].map((m) => ({ labels: m.labels, chunks: resolutionMs === 0 ? m.chunks : pointsToChunks(m.points), ...(m.end ? { end: m.end } : {}) }));
    const meta = writeBlock(this._o.dir, { minTMs, maxTMs, resolutionMs, level, sources: sources.map((b) => b.id), nowMs: this._o.nowMs() }, series);
    for (const b of sources) this._delete(b);
    this._adopt(meta.id);
  }

  /** Raw samples in [minMs, maxMs] of the matching series, per label-set key, one part per block (decoded as read). */
  selectRaw(matchers: readonly Matcher[], minMs: number, maxMs: number, into: Map<string, SeriesParts<SampleColumns>>, grid?: ReadGrid): void {
    const labelsOf = new Map<string, () => Labels>();
    const reads = this.planRaw(matchers, minMs, maxMs, (key, labels) => {
      if (!labelsOf.has(key)) labelsOf.set(key, labels);
    });
    this.readRaw(reads, (key, chunks) => {
      const samples = decodeSamples(chunks, minMs, maxMs, grid);
      if (samples.tMs.length === 0) return;
      const x = into.get(key);
      if (x) x.parts.push(samples);
      else into.set(key, { labels: labelsOf.get(key)!(), parts: [samples] });
    });
  }

  /**
   * Plans a read of the raw chunks overlapping [minMs, maxMs] of the matching series from the
   * block indexes alone (nothing read): `part` learns each series' part in each block (blocks in
   * time order), and the plan is what {@link readRaw} then reads.
   */
  planRaw(matchers: readonly Matcher[], minMs: number, maxMs: number, part: (key: string, labels: () => Labels, summary: ChunkSummary) => void): RawRead[] {
    const reads: RawRead[] = [];
    for (const b of this._blocks) {
      if (b.meta.resolutionMs !== 0 || b.meta.maxTMs <= minMs || b.meta.minTMs > maxMs) continue;
      const keys: string[] = [];
      const reqs: ChunkRequest[] = [];
      this._guard(b, () => {
        for (const ord of b.matching(matchers)) {
          const summary = b.chunkSummary(ord, minMs, maxMs);
          if (!summary) continue;
          const key = b.keyOf(ord, this._shareKey);
          part(key, () => b.labels(ord), summary);
          keys.push(key);
          reqs.push({ ord, minMs, maxMs });
        }
      });
      if (keys.length > 0) reads.push({ block: b, keys, reqs });
    }
    return reads;
  }

  /**
   * Reads planned raw chunks block by block; `each` gets a series' chunks as they are read, to
   * decode before it returns (a select holds one read's chunks at a time, not every block's).
   */
  readRaw(reads: readonly RawRead[], each: (key: string, chunks: readonly BlockChunk[]) => void): void {
    for (const r of reads) {
      this._guard(r.block, () =>
        r.block.forChunksOfMany(r.reqs, (i, chunks) => {
          if (chunks.length > 0) each(r.keys[i]!, chunks);
        }),
      );
    }
  }

  /**
   * Raw chunks of the matching series, block by block (oldest first): per series, `fromOf` says
   * from which time on its samples are wanted (its labels built only if asked for), and `each`
   * gets the chunks holding any (none: not called). Chunks are read but not decoded (tier selects
   * stream them into their rollups).
   */
  forRawChunks(matchers: readonly Matcher[], fromOf: (key: string, labels: () => Labels) => number, each: (key: string, chunks: readonly BlockChunk[]) => void): void {
    for (const b of this._blocks) {
      if (b.meta.resolutionMs !== 0) continue;
      this._guard(b, () => {
        const keys: string[] = [];
        const reqs: ChunkRequest[] = [];
        for (const ord of b.matching(matchers)) {
          const key = b.keyOf(ord, this._shareKey);
          const fromMs = fromOf(key, () => b.labels(ord));
          if (b.meta.maxTMs <= fromMs) continue;
          keys.push(key);
          reqs.push({ ord, minMs: fromMs, maxMs: Infinity });
        }
        // streamed: each read's chunks go into the roll-ups before the next read
        b.forChunksOfMany(reqs, (i, chunks) => {
          if (chunks.length > 0) each(keys[i]!, chunks);
        });
      });
    }
  }

  /** True when no two raw blocks overlap in time (always, unless a directory was assembled by hand): reads may then take them one after the other. */
  get rawDisjoint(): boolean {
    let end = -Infinity;
    for (const b of this._blocks) {
      if (b.meta.resolutionMs !== 0) continue;
      if (b.meta.minTMs < end) return false;
      end = b.meta.maxTMs;
    }
    return true;
  }

  /** Rolled-up points of one tier overlapping [minMs, maxMs], per label-set key (merged across blocks). */
  selectTier(resolutionMs: number, matchers: readonly Matcher[], minMs: number, maxMs: number, into: Map<string, { labels: Labels; points: RolledPoint[] }>): void {
    for (const b of this._blocks) {
      if (b.meta.resolutionMs !== resolutionMs || b.meta.maxTMs <= minMs - resolutionMs || b.meta.minTMs > maxMs) continue;
      this._guard(b, () => {
        for (const ord of b.matching(matchers)) {
          const chunks = b.chunks(ord, minMs - resolutionMs, maxMs);
          if (chunks.length === 0) continue;
          const labels = b.labels(ord);
          const key = labelsKey(labels);
          let e = into.get(key);
          if (!e) into.set(key, (e = { labels, points: [] }));
          for (const c of chunks) appendPoints(e.points, chunkPoints(c.bytes));
        }
      });
    }
  }

  /** Label sets of the matching series with data in [minMs, maxMs] (raw and tier blocks). */
  labelSets(matchers: readonly Matcher[], minMs: number, maxMs: number, into: Map<string, Labels>): void {
    for (const b of this._blocks) {
      if (b.meta.maxTMs <= minMs || b.meta.minTMs > maxMs) continue;
      this._guard(b, () => {
        for (const ord of b.matching(matchers)) {
          if (!b.overlaps(ord, minMs, maxMs)) continue;
          const labels = b.labels(ord);
          into.set(labelsKey(labels), labels);
        }
      });
    }
  }

  /** The counter state where a series' rolled-up history ends (seeds rollups of newer raw data). */
  stateOf(key: string): CounterState | undefined {
    return this._states.get(key)?.state;
  }

  close(): void {
    for (const b of this._blocks) b.close();
    this._blocks = [];
  }
}

/**
 * Samples in [minMs, maxMs] as columns, decoded straight into arrays sized by the chunks' sample
 * counts (no object per sample); with a grid, only those its steps read (read-grid.ts).
 */
export function decodeSamples(chunks: readonly BlockChunk[], minMs = -Infinity, maxMs = Infinity, grid?: ReadGrid): SampleColumns {
  let count = 0;
  for (const c of chunks) count += c.count;
  const sink = new GridThinner(grid, new ColumnsBuilder(grid ? Math.min(count, maxKept(grid)) : count));
  decodeChunksInto(chunks, minMs, maxMs, sink);
  return sink.finish();
}

/** Pushes the samples in [minMs, maxMs] of time-ordered chunks to `sink`, oldest first. */
export function decodeChunksInto(chunks: readonly BlockChunk[], minMs: number, maxMs: number, sink: GridThinner): void {
  const it = DECODE_IT;
  const t = DECODE_T;
  const v = DECODE_V;
  for (const c of chunks) {
    it.resetChunk(c.bytes, 0, c.bytes.length);
    for (let n = it.readBatch(t, v); n > 0; n = it.readBatch(t, v)) {
      for (let k = 0; k < n; k++) {
        const tMs = t[k]!;
        if (tMs > maxMs) return;
        if (tMs >= minMs) sink.push(tMs, v[k]!);
      }
    }
  }
}

/** {@link decodeChunksInto}'s decoder and batch (reads are synchronous and do not nest). */
const DECODE_IT = new XorIterator();
const DECODE_T = new Float64Array(128);
const DECODE_V = new Float64Array(128);

export function blocksDirOf(dataDir: string): string {
  return join(dataDir, 'blocks');
}

