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
 * 1. once the event loop has been idle for `idleMs` (no tick busier than {@link BURST_UTILIZATION},
 *    mean utilization under `busyUtilization`) and either the heap has grown by
 *    `minGrowthBytes` since its low point after the last collection (garbage), or the old
 *    generation's committed-but-unused pages have (V8's own last collection freed the garbage but
 *    kept the fragmented pages: used bytes alone miss that), one major GC;
 * 2. while the server stays idle, further major GCs, one per tick, as long as each returns at
 *    least {@link MIN_RETURNED_BYTES} of committed heap (V8 compacts ~16 MiB of fragmented pages
 *    per collection) and at most {@link MAX_ROUNDS} of them.
 * A tick busier than {@link BURST_UTILIZATION} stops the sequence.
 *
 * Not done: shrinking the young generation (2 × 16 MiB once grown). A minor GC 6 s into an idle
 * period makes V8 shrink it to 1 MiB (its allocation rate over 5 s is then low), 31 MiB less RSS,
 * but the next burst then starts with tiny semi-spaces: more scavenges, survivors promoted early,
 * twice the major GCs; the bench's queries right after took 1.4-1.9× longer in total (A/B,
 * 200 pods). Rounds of major GCs alone left them as without idle GC.
 *
 * Cost: each major GC is a full, non-incremental collection on the main thread, as long as marking
 * the live heap takes (50-110 ms at 8,000 series on this 2-core VM, 3-4 per burst), up to
 * MAX_ROUNDS per idle period; a request arriving meanwhile waits for one. The sampling: an event-loop-utilization and
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
  /** Idle time (event loop below `busyUtilization` every tick) before collecting; 0 turns it off. */
  readonly idleMs: number;
  /** Heap (+ ArrayBuffers) growth since the low point after the last collection that makes one worth it. */
  readonly minGrowthBytes: number;
  /**
   * The growth must also be this fraction of that low point (≈ the live heap). A forced major GC
   * marks the whole live heap in one pause, so a big heap waits for proportionally more garbage
   * before one (the amortization of Go's GOGC). Default 0: `minGrowthBytes` alone.
   */
  readonly growthRatio?: number;
  /** Mean event-loop utilization (0..1) over the idle period at or above which the server is busy. Default 0.05. */
  readonly busyUtilization?: number;
}

export interface IdleSample {
  readonly nowMs: number;
  /** Event-loop utilization since the previous sample. */
  readonly utilization: number;
  /** JS heap used + external (ArrayBuffer) memory. */
  readonly bytes: number;
  /** Committed minus used bytes of the heap outside the young generation (whose semi-spaces are always committed). */
  readonly slackBytes: number;
}

export type IdleGcAction = 'none' | 'major';

/** Major GCs per idle period at most. */
export const MAX_ROUNDS = 8;
/** A further major GC only while the previous one gave back at least this much committed heap. */
export const MIN_RETURNED_BYTES = 4 * 1024 * 1024;

/**
 * A tick this busy ends an idle period. Below it, the period goes on and its mean utilization
 * decides: a poller's 20 ms request once a second (8 % of a 250 ms tick, 2 % of the period) leaves
 * the server idle; steady work above `busyUtilization` does not.
 */
export const BURST_UTILIZATION = 0.25;

/** The trigger logic, pure (no clock, no V8): fed one sample per tick, says what to collect. */
export class IdleGcTrigger {
  private _idleSinceMs: number | undefined;
  private _busyMs = 0;
  private _prevMs: number | undefined;
  private _lowBytes: number;
  private _lowSlackBytes: number;
  private _rounds = 0;
  private _lastReturnedBytes = 0;

  constructor(
    private readonly _opts: IdleGcOptions,
    start: Pick<IdleSample, 'bytes' | 'slackBytes'>,
  ) {
    this._lowBytes = start.bytes;
    this._lowSlackBytes = start.slackBytes;
  }

  /** What to collect now (then report it with {@link collected}). */
  sample(s: IdleSample): IdleGcAction {
    // V8's own collections lower the floor: growth counts from the lowest point seen
    if (s.bytes < this._lowBytes) this._lowBytes = s.bytes;
    if (s.slackBytes < this._lowSlackBytes) this._lowSlackBytes = s.slackBytes;
    const tickMs = s.nowMs - (this._prevMs ?? s.nowMs);
    this._prevMs = s.nowMs;
    if (this._opts.idleMs <= 0 || s.utilization >= BURST_UTILIZATION) {
      this._idleSinceMs = undefined;
      this._rounds = 0;
      return 'none';
    }
    if (this._idleSinceMs === undefined) {
      this._idleSinceMs = s.nowMs;
      this._busyMs = 0;
    } else this._busyMs += s.utilization * tickMs;
    const idleForMs = s.nowMs - this._idleSinceMs;
    const calm = idleForMs >= this._opts.idleMs && this._busyMs < (this._opts.busyUtilization ?? 0.05) * idleForMs;
    const worthBytes = Math.max(this._opts.minGrowthBytes, (this._opts.growthRatio ?? 0) * this._lowBytes);
    const grown = s.bytes - this._lowBytes >= worthBytes || s.slackBytes - this._lowSlackBytes >= worthBytes;
    if (this._rounds === 0 && calm && grown) return 'major';
    if (this._rounds > 0 && this._rounds < MAX_ROUNDS && this._lastReturnedBytes >= MIN_RETURNED_BYTES) return 'major';
    return 'none';
  }

  /**
   * After a major GC: what it left is the new floor (the slack it could not give back is not
   * asked for again); `returnedBytes`, the committed heap it gave back, decides on another round.
   */
  collected(after: Pick<IdleSample, 'bytes' | 'slackBytes'>, returnedBytes: number): void {
    this._rounds++;
    this._lowBytes = after.bytes;
    this._lowSlackBytes = after.slackBytes;
    this._lastReturnedBytes = returnedBytes;
  }
}

/** What the idle GC did, for `/metrics`. */
export class IdleGcStats {
  collections = 0;
  pauseMs = 0;
  returnedBytes = 0;

  metrics(): MetricSet {
    return new MetricSetBuilder()
      .describe('fathom_server_idle_gc_collections_total', 'counter', 'Major GCs the server ran while idle after a burst (server.idleGc).')
      .describe('fathom_server_idle_gc_pause_seconds_total', 'counter', 'Time the event loop spent in those collections.')
      .describe('fathom_server_idle_gc_returned_bytes_total', 'counter', 'Committed heap those collections gave back.')
      .add('fathom_server_idle_gc_collections_total', {}, this.collections)
      .add('fathom_server_idle_gc_pause_seconds_total', {}, this.pauseMs / 1000)
      .add('fathom_server_idle_gc_returned_bytes_total', {}, this.returnedBytes)
      .build();
  }
}

type GcFunction = (options: { type: 'major'; execution: 'async' }) => Promise<void>;

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

function heap(): { bytes: number; slackBytes: number; committed: number } {
  const h = getHeapStatistics();
  let slackBytes = 0;
  for (const sp of getHeapSpaceStatistics()) if (sp.space_name !== 'new_space') slackBytes += sp.space_size - sp.space_used_size;
  return { bytes: h.used_heap_size + h.external_memory, slackBytes, committed: h.total_heap_size };
}

/** Ticks four times per idle period: the first collection comes 1-1.25 × `idleMs` after the burst. */
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
    await gc({ type: 'major', execution: 'async' });
    const after = heap();
    const returned = before.committed - after.committed;
    trigger.collected(after, returned);
    stats.collections++;
    stats.pauseMs += performance.now() - started;
    stats.returnedBytes += Math.max(0, returned);
    elu = performance.eventLoopUtilization(); // the collection itself is not load
    log.debug('idle GC', { usedBytes: [before.bytes, after.bytes], slackBytes: [before.slackBytes, after.slackBytes], committedBytes: [before.committed, after.committed], ms: Math.round(performance.now() - started) });
  }
}
