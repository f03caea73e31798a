/**
 * Drives a server with the simulated cluster through the real ingest path: protocol-v1 batches,
 * one agent per node plus kube-state-metrics, posted to /api/agent/v1/batches like real agents;
 * Kubernetes events posted to /api/v1/events. Backfills `historyMs` first, then runs live.
 */
import type { Logger, Service } from '@fathom/kit';
import { sleep } from '@fathom/kit';
import { encodeBatch, PROTOCOL_VERSION } from '@fathom/protocol';
import type { Batch, BatchSeries } from '@fathom/protocol';
import { HttpSink } from '@fathom/sinks';
import type { DemoEvent } from './events.js';
import { defaultIncidents } from './incidents.js';
import { sampleWithExtras } from './kube-state-extra.js';
import { METRIC_META } from './metrics.js';
import type { Incident } from './scenario.js';
import { ClusterSimulator } from './simulator.js';
import type { SimPoint } from './simulator.js';

export interface DemoDriverOptions {
  readonly serverUrl: string;
  readonly nodes: number;
  readonly seed: number;
  /** History to backfill before going live (0: none). */
  readonly historyMs: number;
  /** Live sample interval. */
  readonly intervalMs: number;
  /** Sample interval of the backfilled history. */
  readonly backfillStepMs: number;
  readonly incidents?: readonly Incident[];
  readonly logger: Logger;
  /** Stop after the backfill (for tests and one-shot loads). */
  readonly backfillOnly?: boolean;
  readonly nowMs?: () => number;
  /** Parallel requests in flight. */
  readonly concurrency?: number;
}

export interface DemoStats {
  batches: number;
  samples: number;
  failedBatches: number;
  events: number;
  droppedEvents: number;
  backfillDoneMs: number | undefined;
}

const SEND_TIMEOUT_MS = 30_000;
const MAX_TRIES = 5;
const BACKFILL_CHUNK_MS = 15 * 60_000;
const EVENTS_PER_POST = 500;
/** Backfill passes towards the moving present before going live. */
const MAX_CATCH_UP_PASSES = 4;

export class DemoDriver implements Service {
  readonly name = 'demo';
  readonly stats: DemoStats = { batches: 0, samples: 0, failedBatches: 0, events: 0, droppedEvents: 0, backfillDoneMs: undefined };
  private readonly _sink: HttpSink;
  private readonly _seq = new Map<string, number>();
  private _eventsApiMissing = false;
  private _sim: ClusterSimulator | undefined;

  constructor(private readonly _opts: DemoDriverOptions) {
    this._sink = new HttpSink(_opts.serverUrl);
  }

  get simulator(): ClusterSimulator | undefined {
    return this._sim;
  }

  async run(signal: AbortSignal): Promise<void> {
    const o = this._opts;
    const now = (o.nowMs ?? Date.now)();
    const startMs = Math.floor((now - o.historyMs) / o.intervalMs) * o.intervalMs;
    const sim = new ClusterSimulator({ nodes: o.nodes, seed: o.seed, startMs, incidents: o.incidents ?? defaultIncidents(now, o.historyMs) });
    this._sim = sim;
    const log = o.logger.child({ component: 'demo' });
    log.info('demo cluster', { nodes: sim.topology.nodes.length, pods: sim.timeline.epochs[0]!.pods.size, backfillFrom: new Date(startMs).toISOString() });
    // Backfill until caught up with the clock (it moves while we send): coarse steps for old
    // history, the live interval for the last minutes, so live data follows without a gap. The
    // chase is bounded: when ingesting a tick takes longer than a tick (a big cluster on a busy
    // machine) the clock would stay ahead for ever; after a few passes live mode takes over.
    const clock = o.nowMs ?? Date.now;
    let t = startMs;
    let target = clock();
    for (let pass = 0; ; ) {
      if (t + o.intervalMs > target) {
        if (++pass >= MAX_CATCH_UP_PASSES) break;
        target = clock();
      }
      if (signal.aborted || t + o.intervalMs > target) break;
      const step = target - t > 10 * 60_000 ? o.backfillStepMs : o.intervalMs;
      const until = Math.min(target - (target % o.intervalMs), t + BACKFILL_CHUNK_MS);
      if (until <= t) break;
      const times: number[] = [];
      for (let s = t; s < until; s += step) times.push(s);
      await this._sendSamples(sim, times, signal);
      await this._sendEvents(sim.eventsBetween(t - 1, until - 1), signal, log);
      t = until;
    }
    this.stats.backfillDoneMs = t;
    log.info('demo backfill done', { batches: this.stats.batches, samples: this.stats.samples, events: this.stats.events });
    if (o.backfillOnly) return;
    let last = t - 1;
    while (!signal.aborted) {
      const nowMs = clock();
      const tick = Math.floor(nowMs / o.intervalMs) * o.intervalMs;
      if (tick > last) {
        await this._sendSamples(sim, [tick], signal);
        await this._sendEvents(sim.eventsBetween(last, tick), signal, log);
        last = tick;
        sim.prune(tick);
      }
      await sleep(Math.max(50, tick + o.intervalMs - clock()), signal);
    }
  }

  private async _sendSamples(sim: ClusterSimulator, times: readonly number[], signal: AbortSignal): Promise<void> {
    const byAgent = new Map<string, SeriesMap>();
    for (const tMs of times) {
      for (const [agent, points] of sampleWithExtras(sim, tMs)) {
        let series = byAgent.get(agent);
        if (!series) byAgent.set(agent, (series = new Map() as SeriesMap));
        addPoints(series, points, tMs);
      }
    }
    const jobs = [...byAgent].map(([agent, series]) => () => this._post(agent, [...series.values()], signal));
    await runLimited(jobs, this._opts.concurrency ?? 2);
  }

  private async _post(agent: string, series: readonly BatchSeries[], signal: AbortSignal): Promise<void> {
    const seq = this._seq.get(agent) ?? 0;
    this._seq.set(agent, seq + 1);
    const batch: Batch = { version: PROTOCOL_VERSION, agent: { id: `demo-${agent}`, host: agent, version: 'demo' }, seq, metadata: METRIC_META, series };
    const payload = encodeBatch(batch);
    for (let attempt = 1; attempt <= MAX_TRIES && !signal.aborted; attempt++) {
      const r = await this._sink.send(payload, { timeoutMs: SEND_TIMEOUT_MS, signal });
      if (r.status === 'success') {
        this.stats.batches++;
        for (const s of series) this.stats.samples += s.samples.length;
        return;
      }
      if (r.status === 'failure' || attempt === MAX_TRIES) {
        this.stats.failedBatches++;
        this._opts.logger.warn('demo batch not accepted', { agent, error: r.error });
        return;
      }
      await sleep(r.retryAfterMs ?? 500 * attempt, signal);
    }
  }

  private async _sendEvents(events: readonly DemoEvent[], signal: AbortSignal, log: Logger): Promise<void> {
    for (let i = 0; i < events.length && !signal.aborted; i += EVENTS_PER_POST) {
      const chunk = events.slice(i, i + EVENTS_PER_POST);
      if (this._eventsApiMissing) {
        this.stats.droppedEvents += chunk.length;
        continue;
      }
      const url = new URL('/api/v1/events', this._opts.serverUrl);
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: chunk }), signal: AbortSignal.any([signal, AbortSignal.timeout(SEND_TIMEOUT_MS)]) });
        const text = await res.text();
        if (res.ok) this.stats.events += chunk.length;
        else {
          this.stats.droppedEvents += chunk.length;
          if (res.status === 404) this._eventsApiMissing = true;
          log.warn('demo events not accepted', { status: res.status, body: text.slice(0, 300) });
        }
      } catch (err) {
        this.stats.droppedEvents += chunk.length;
        log.warn('demo events not sent', { error: (err as Error).message });
      }
    }
  }
}

/**
 * Series of one batch. The simulator's own series come with frozen label objects that stay the
 * same across ticks and are keyed by identity (no key string per sample); other points (the
 * extra kube-state series) are keyed by their label text.
 */
type SeriesMap = Map<Readonly<Record<string, string>> | string, { labels: Readonly<Record<string, string>>; samples: [number, number][] }>;

function addPoints(series: SeriesMap, points: readonly SimPoint[], tMs: number): void {
  for (const p of points) {
    const key = Object.isFrozen(p.labels) ? p.labels : labelText(p.labels);
    const s = series.get(key);
    if (s) s.samples.push([tMs, p.value]);
    else series.set(key, { labels: p.labels, samples: [[tMs, p.value]] });
  }
}

function labelText(labels: Readonly<Record<string, string>>): string {
  let key = '';
  for (const k in labels) key += `${k}=${labels[k]!}\u0000`;
  return key;
}

async function runLimited(jobs: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}
