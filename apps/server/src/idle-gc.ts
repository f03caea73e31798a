/**
 * Returning memory when the server goes idle after a burst of work (a backfill, a catch-up of a
 * remote-write queue, a burst of dashboard queries).
 *
 * V8 collects the old generation only when it outgrows a limit set at the previous collection,
 * and Node runs no idle-time GC, so after a burst the process keeps what the burst left: garbage
 * promoted into the old generation, dead Buffers only a major GC releases, old-space pages
 * fragmented by it. Browsers run major GCs in idle periods; Go's runtime scavenges in the
 * background. This does the same, in two steps:
 *
 * 1. once the event loop has been calm over the last `idleMs` (a sliding window: no tick in it
 *    busier than {@link BURST_UTILIZATION}, its mean utilization under `busyUtilization`; what came
 *    before neither hides present work nor delays a collection) and either the heap + ArrayBuffers
 *    have grown by `minGrowthBytes` (and `growthRatio` of the JS heap) since the floor the last
 *    collection left (garbage), or the old generation's committed-but-unused pages have grown by
 *    `minGrowthBytes` (V8's own last collection freed the garbage but kept the fragmented pages:
 *    used bytes alone miss that), one major GC;
 * 2. while the server stays idle, further major GCs, one per tick, as long as each returns at
 *    least {@link MIN_RETURNED_BYTES} of committed heap and at most {@link MAX_ROUNDS} of them.
 *    Each compacts the whole old generation ({@link majorGc}; V8 alone compacts ~16 MiB of
 *    fragmented pages a collection), so a second round usually finds nothing left to return.
 * A tick busier than {@link BURST_UTILIZATION} stops the sequence. Once a sequence has ended, the
 * next starts as step 1 does, growth counted from the floor its last collection left: a lightly
 * loaded server that never bursts still returns the garbage it keeps making.
 *
 * 3. once no tick has been a burst for {@link YOUNG_SHRINK_CALM_MS} (and the window is calm, the
 *    rounds done), while the young generation is committed beyond {@link YOUNG_SHRINK_BYTES}, a
 *    minor GC per tick (~1 ms each), at most {@link YOUNG_SHRINK_ATTEMPTS} per burst or sequence,
 *    the last one {@link YOUNG_SHRINK_LATE_MS} after the burst. V8 shrinks the semi-spaces after
 *    a collection when the allocation rate it measured is under 1 MB/s, 2 × 16 MiB → 1 MiB, RSS
 *    −25 to −31 MB at 16,000 series. It measures that rate over its last ~5 s or its last 10
 *    collections, whichever is shorter (V8 11.3's tracer keeps 10): right after a burst it sees
 *    the burst's rate and keeps them, and neither a major GC nor the last-resort flavor
 *    (`CollectAllAvailableGarbage`, reduce-memory flag) shrinks them (measured); after ~10 quiet
 *    minor GCs (the rounds count too) it does: the 9th of them, 2.7 s after a 400-pod ingest. The
 *    late attempt covers a V8 that keeps a longer history (its ~5 s have passed by then). A
 *    server whose light steady load V8 counts as allocating keeps its young generation. V8 did
 *    it on its own in some bench runs (a GC after 5 s of idle) and not in others.
 * The young generation regrows with the next burst (doubling whenever survivors exceed it), so
 * the work right after starts with small semi-spaces: more scavenges, survivors promoted earlier.
 * An earlier attempt (200 pods, load 4-4.7) found the bench's queries right after 1.4-1.9× slower
 * in total; at 400 pods (load 1.3-2.2) the server's CPU for the 75 queries right after was
 * 6.05 / 6.60 s without, 7.15 / 6.46 s with the shrink (A/B, wall times within the noise).
 *
 * Cost: each major GC is a full, non-incremental collection on the main thread, as long as marking
 * the live heap takes (50-110 ms at 8,000 series on this 2-core VM, 3-4 per burst), up to
 * MAX_ROUNDS per sequence; a request arriving meanwhile waits for one. The sampling: an event-loop-utilization and
 * a heap-statistics read per tick (four ticks per `idleMs`).
 */
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from '@fathom/kit';
import { MetricSetBuilder } from '@fathom/model';
import type { MetricSet } from '@fathom/model';
import { sleep, untilAborted } from '@fathom/kit';

export interface IdleGcOptions {
  /** The window (ms) over which the event loop must be calm before collecting; 0 turns it off. */
  readonly idleMs: number;
  /** Heap (+ ArrayBuffers) growth, or old-generation slack growth, since the floor the last collection left that makes one worth it. */
  readonly minGrowthBytes: number;
  /**
   * The heap growth must also be this fraction of the JS heap's used size at that floor. A forced
   * major GC marks the whole live JS heap in one pause, so a big heap waits for proportionally more
   * garbage before one (the amortization of Go's GOGC). ArrayBuffers (the tsdb's chunk slabs) are
   * not marked, so they do not raise the bar. Default 0: `minGrowthBytes` alone.
   */
  readonly growthRatio?: number;
  /** Mean event-loop utilization (0..1) over the last `idleMs` at or above which the server is busy. Default 0.05. */
  readonly busyUtilization?: number;
  /**
   * Whether the idle major GCs compact the whole old generation (V8's `--compact-on-every-full-gc`,
   * set around each of them) rather than the few most fragmented pages V8 picks. Default true.
   */
  readonly compact?: boolean;
}

/** Heap state: what a collection is measured by. */
export interface IdleHeap {
  /** JS heap used + external (ArrayBuffer) memory. */
  readonly bytes: number;
  /** JS heap used only: what a major GC marks, so what its pause grows with. */
  readonly heapUsedBytes: number;
  /** Committed minus used bytes of the heap outside the young generation (whose semi-spaces are always committed). */
  readonly slackBytes: number;
  /** Committed bytes of the young generation (its semi-spaces). */
  readonly youngBytes: number;
}

export interface IdleSample extends IdleHeap {
  readonly nowMs: number;
  /** Event-loop utilization since the previous sample. */
  readonly utilization: number;
}

/** `shrink`: a minor GC after which V8 shrinks the young generation (if it measured a low allocation rate). */
export type IdleGcAction = 'none' | 'major' | 'shrink';

/** Major GCs per sequence at most. */
export const MAX_ROUNDS = 8;
/** A further major GC only while the previous one gave back at least this much committed heap. */
export const MIN_RETURNED_BYTES = 4 * 1024 * 1024;
/** The young generation is shrunk when committed beyond this (V8 starts it at 1 MiB, grows it up to 2 × 16 MiB). */
export const YOUNG_SHRINK_BYTES = 4 * 1024 * 1024;
/** … the first attempt this long after the last burst tick (the burst's own short pauses are not idleness). */
export const YOUNG_SHRINK_CALM_MS = 1500;
/** Minor GCs per burst or sequence at most (~1 ms each). */
export const YOUNG_SHRINK_ATTEMPTS = 16;
/** The last attempt waits for this long without a burst (V8's allocation-rate window is ~5 s). */
export const YOUNG_SHRINK_LATE_MS = 10_000;

/**
 * A tick this busy in the window means the server is not idle. Below it, the window's mean
 * utilization decides: a poller's 20 ms request once a second (8 % of a 250 ms tick, 2 % of the
 * window) leaves the server idle; steady work above `busyUtilization` does not.
 */
export const BURST_UTILIZATION = 0.25;

/** Ticks kept at most; `runIdleGc` has four per window. Past it the window counts as not covered (no calm claimed without data). */
const MAX_WINDOW_TICKS = 64;

/** One sampling interval: the event loop's utilization over (startMs, endMs]. */
interface Tick {
  readonly startMs: number;
  readonly endMs: number;
  readonly utilization: number;
}

/**
 * Event-loop utilization over the last `windowMs` only. A mean since some older event (the last
 * burst) lets an hour at 1 % hide present steady work, and an hour at 10 % delay the collection
 * after it by as long.
 */
class UtilizationWindow {
  private readonly _ticks: Tick[] = [];
  private _prevMs: number | undefined;

  constructor(private readonly _windowMs: number) {}

  /** The first sample only starts the clock: its utilization covers an interval not known here. */
  add(nowMs: number, utilization: number): void {
    const startMs = this._prevMs;
    this._prevMs = nowMs;
    if (startMs === undefined) return;
    this._ticks.push({ startMs, endMs: nowMs, utilization });
    const fromMs = nowMs - this._windowMs;
    while (this._ticks.length > MAX_WINDOW_TICKS || (this._ticks[0]?.endMs ?? Infinity) <= fromMs) this._ticks.shift();
  }

  /** Whether ticks cover the whole window, none of them a burst, with a mean under `busyUtilization`. */
  calm(nowMs: number, busyUtilization: number): boolean {
    const fromMs = nowMs - this._windowMs;
    const first = this._ticks[0];
    if (first === undefined || first.startMs > fromMs) return false;
    let busyMs = 0;
    for (const t of this._ticks) {
      if (t.utilization >= BURST_UTILIZATION) return false;
      // the oldest tick may start before the window: only its part inside counts
      busyMs += t.utilization * (t.endMs - Math.max(t.startMs, fromMs));
    }
    return busyMs < busyUtilization * this._windowMs;
  }
}

/** The trigger logic, pure (no clock, no V8): fed one sample per tick, says what to collect. */
export class IdleGcTrigger {
  private readonly _window: UtilizationWindow;
  private _low: IdleHeap;
  /** Rounds of the sequence running; 0 when none is (not started, or ended). */
  private _rounds = 0;
  /** The last sample with a burst tick (or the first sample). */
  private _burstMs: number | undefined;
  /** Young-generation shrinks tried since the last burst or sequence. */
  private _shrinkAttempts = 0;

  constructor(
    private readonly _opts: IdleGcOptions,
    start: IdleHeap,
  ) {
    this._window = new UtilizationWindow(_opts.idleMs);
    this._low = start;
  }

  /** What to collect now (then report it with {@link collected}). */
  sample(s: IdleSample): IdleGcAction {
    this._lowerFloor(s);
    this._window.add(s.nowMs, s.utilization);
    this._burstMs ??= s.nowMs;
    if (this._opts.idleMs <= 0 || s.utilization >= BURST_UTILIZATION) {
      this._rounds = 0;
      this._burstMs = s.nowMs;
      this._shrinkAttempts = 0;
      return 'none';
    }
    if (this._rounds > 0) return 'major';
    if (!this._window.calm(s.nowMs, this._opts.busyUtilization ?? 0.05)) return 'none';
    if (this._grown(s)) return 'major';
    return this._shrinkDue(s, s.nowMs - this._burstMs) ? 'shrink' : 'none';
  }

  /**
   * After a major GC: what it left is the new floor (the slack it could not give back is not
   * asked for again); `returnedBytes`, the committed heap it gave back, decides on another round.
   * A sequence that ends here lets the next start on new growth (see {@link sample}), and
   * young-generation shrinks be tried again. (A `shrink` is not reported: a minor GC leaves the
   * old generation's garbage, the floor stays.)
   */
  collected(after: IdleHeap, returnedBytes: number): void {
    this._low = after;
    this._rounds++;
    if (returnedBytes >= MIN_RETURNED_BYTES && this._rounds < MAX_ROUNDS) return;
    this._rounds = 0;
    this._shrinkAttempts = 0;
  }

  private _shrinkDue(s: IdleSample, calmMs: number): boolean {
    if (s.youngBytes <= YOUNG_SHRINK_BYTES || calmMs < YOUNG_SHRINK_CALM_MS || this._shrinkAttempts >= YOUNG_SHRINK_ATTEMPTS) return false;
    if (this._shrinkAttempts === YOUNG_SHRINK_ATTEMPTS - 1 && calmMs < YOUNG_SHRINK_LATE_MS) return false;
    this._shrinkAttempts++;
    return true;
  }

  /** V8's own collections lower the floor: growth counts from the lowest point seen. */
  private _lowerFloor(s: IdleHeap): void {
    this._low = {
      bytes: Math.min(this._low.bytes, s.bytes),
      heapUsedBytes: Math.min(this._low.heapUsedBytes, s.heapUsedBytes),
      slackBytes: Math.min(this._low.slackBytes, s.slackBytes),
      youngBytes: s.youngBytes,
    };
  }

  /**
   * Garbage or slack worth a pause. The ratio weighs the JS heap only (the pause marks it; 2 GiB
   * of chunk slabs would otherwise hide 1 GiB of garbage). Slack needs `minGrowthBytes` alone: it
   * is committed memory the OS can have back whatever the heap's size, a burst is needed to make
   * it, a collection's leftover is not asked for again, and MIN_RETURNED_BYTES stops rounds that
   * do not return it; a fraction of committed old space would bring the miss back on big heaps.
   */
  private _grown(s: IdleHeap): boolean {
    const worthBytes = Math.max(this._opts.minGrowthBytes, (this._opts.growthRatio ?? 0) * this._low.heapUsedBytes);
    return s.bytes - this._low.bytes >= worthBytes || s.slackBytes - this._low.slackBytes >= this._opts.minGrowthBytes;
  }
}

/** What the idle GC did, for `/metrics`. */
export class IdleGcStats {
  collections = 0;
  /** Minor GCs run to shrink the young generation (not in `collections`). */
  youngShrinks = 0;
  pauseMs = 0;
  returnedBytes = 0;

  metrics(): MetricSet {
    return new MetricSetBuilder()
      .describe('fathom_server_idle_gc_collections_total', 'counter', 'Major GCs the server ran while idle after a burst (server.idleGc).')
      .describe('fathom_server_idle_gc_young_shrinks_total', 'counter', 'Minor GCs the server ran while idle after a burst so that V8 shrinks the young generation.')
      .describe('fathom_server_idle_gc_pause_seconds_total', 'counter', 'Time the event loop spent in those collections (major and minor).')
      .describe('fathom_server_idle_gc_returned_bytes_total', 'counter', 'Committed heap those collections gave back.')
      .add('fathom_server_idle_gc_collections_total', {}, this.collections)
      .add('fathom_server_idle_gc_young_shrinks_total', {}, this.youngShrinks)
      .add('fathom_server_idle_gc_pause_seconds_total', {}, this.pauseMs / 1000)
      .add('fathom_server_idle_gc_returned_bytes_total', {}, this.returnedBytes)
      .build();
  }
}

/** V8's gc extension (options as of V8 11.3). */
export type GcFunction = (options: { type: 'major' | 'minor'; execution: 'async' }) => Promise<void>;

/**
 * V8's `gc` function. Node exposes it only with `--expose-gc`; setting the flag at run time makes
 * it available to contexts created afterwards, so one is created to fetch it, and the flag is
 * cleared again (no other context gets it). Undefined if this V8 refuses.
 */
export function v8Gc(): GcFunction | undefined {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as GcFunction;
  try {
    setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('gc');
    setFlagsFromString('--no-expose-gc');
    return typeof fn === 'function' ? (fn as GcFunction) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A major GC; with `compact`, one that evacuates every old-generation page with live objects
 * (V8's `--compact-on-every-full-gc`, on for this collection only). V8's own choice, even in its
 * memory-reducing GCs, is the few most fragmented pages, a few MiB a collection: after an ingest
 * burst at 16,000 series three idle rounds left ~18 MiB of old space committed and unused (pages
 * ~3/4 full), which V8's memory reducer gave back only ~10-60 s later. Compacting all of it costs
 * the copy of the live heap (89 ms instead of ~50 at that size) and gives the slack back at once.
 */
export async function majorGc(gc: GcFunction, compact: boolean): Promise<void> {
  if (!compact || COMPACTING_ALREADY) return gc({ type: 'major', execution: 'async' });
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    // async (V8 runs it as a task, with no stack to scan): a synchronous major GC called with the
    // flag on compacted nothing (V8 11.3). A GC that allocation starts before the task runs
    // compacts too; the task is next in line, so that is rare.
    await gc({ type: 'major', execution: 'async' });
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
}

/** An operator who started node with the flag keeps it (it is not turned off after a collection). */
const COMPACTING_ALREADY = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)].some((a) => a === '--compact-on-every-full-gc' || a === '--compact_on_every_full_gc');

function heap(): IdleHeap & { committed: number } {
  const h = getHeapStatistics();
  let slackBytes = 0;
  let youngBytes = 0;
  for (const sp of getHeapSpaceStatistics()) {
    if (sp.space_name === 'new_space') youngBytes = sp.space_size;
    else slackBytes += sp.space_size - sp.space_used_size;
  }
  return { bytes: h.used_heap_size + h.external_memory, heapUsedBytes: h.used_heap_size, slackBytes, youngBytes, committed: h.total_heap_size };
}

/** Ticks four times per window: the first collection comes 1-1.25 × `idleMs` after the burst. */
function tickMs(o: IdleGcOptions): number {
  return Math.max(50, Math.round(o.idleMs / 4));
}

/** The loop of the server's `idle-gc` service; returns when `signal` aborts (idles when off). */
export async function runIdleGc(o: IdleGcOptions, log: Logger, signal: AbortSignal, stats = new IdleGcStats()): Promise<void> {
  const gc = o.idleMs > 0 ? v8Gc() : undefined;
  if (!gc) {
    if (o.idleMs > 0) log.warn('idle GC unavailable in this runtime; memory is returned by V8 alone');
    return untilAborted(signal);
  }
  const trigger = new IdleGcTrigger(o, heap());
  let elu = performance.eventLoopUtilization();
  while (!signal.aborted) {
    await sleep(tickMs(o), signal);
    const now = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(now, elu).utilization;
    const action = trigger.sample({ nowMs: performance.now(), utilization, ...heap() });
    elu = now;
    if (action === 'none') continue;
    const before = heap();
    const started = performance.now();
    await (action === 'shrink' ? gc({ type: 'minor', execution: 'async' }) : majorGc(gc, o.compact !== false));
    const after = heap();
    const returned = before.committed - after.committed;
    if (action === 'shrink') stats.youngShrinks++;
    else {
      trigger.collected(after, returned);
      stats.collections++;
    }
    stats.pauseMs += performance.now() - started;
    stats.returnedBytes += Math.max(0, returned);
    elu = performance.eventLoopUtilization(); // the collection itself is not load
    log.debug('idle GC', { action, usedBytes: [before.bytes, after.bytes], slackBytes: [before.slackBytes, after.slackBytes], committedBytes: [before.committed, after.committed], youngBytes: [before.youngBytes, after.youngBytes], ms: Math.round(performance.now() - started) });
  }
}
