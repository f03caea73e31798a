/**
 * The `AlertSink` of the server (Alertmanager's model): holds the alerts the evaluator sends,
 * routes them, groups them per route by `groupBy` labels, and at each group flush (after
 * `groupWaitMs`, then every `groupIntervalMs`) asks the notification log whether each channel is
 * due (new alert, resolved alerts, repeat interval). Silences and mute windows are applied at the
 * flush. Alerts whose `endsAtMs` passes without a refresh resolve by themselves. The notification
 * log is appended (durably) after every delivery; the held alerts are saved at most every
 * `saveEveryMs` when alerts come, go or resolve, and every `refreshSaveEveryMs` when only refreshed
 * — in the background, encoded in slices, so many held alerts do not hold the event loop (the last
 * save, at stop, is synchronous).
 */
import type { Logger, Service } from '@fathom/kit';
import { runGroup, sleep } from '@fathom/kit';
import type { Labels, MetricSet } from '@fathom/model';
import type { Alert, AlertSink } from './alert.js';
import type { ChannelStats, NotificationChannel } from './channel.js';
import { ChannelWorker } from './channel-worker.js';
import { needsNotification } from './dedup.js';
import { notifyMetrics } from './metrics.js';
import type { MuteWindow } from './mute-window.js';
import { inMuteWindow } from './mute-window.js';
import type { Notification } from './notification.js';
import { buildNotification, fingerprintOf, isResolved } from './notification.js';
import { NotifyLogFile } from './notify-log.js';
import { loadAlerts, saveAlerts, saveAlertsInSlices } from './notify-state.js';
import type { RouteNode } from './route.js';
import { groupKeyOf, groupLabelsOf, matchRoutes } from './route.js';
import type { SilenceMatcher } from './silence.js';
import type { SilenceStore } from './silence-store.js';

export interface DispatcherOptions {
  readonly route: RouteNode;
  /** Channels per receiver name. */
  readonly receivers: ReadonlyMap<string, readonly NotificationChannel[]>;
  readonly muteWindows: ReadonlyMap<string, MuteWindow>;
  readonly silences: SilenceStore;
  /** The UI's base URL for links (a function when it is known only once the server listens). */
  readonly externalUrl: string | (() => string);
  /** Where `notify-state.json` lives. */
  readonly dir: string;
  readonly fsync: boolean;
  readonly logger: Logger;
  /** An alert sent without `endsAtMs` resolves this long after its last refresh (default 5 m). */
  readonly resolveTimeoutMs?: number;
  readonly queueCapacity?: number;
  /** Alerts held; past it new alerts are refused and counted (default 100,000). */
  readonly maxAlerts?: number;
  /** Per-attempt delivery timeout (default 10 s). */
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly backoff?: { initialMs: number; maxMs: number; multiplier: number; jitter: number };
  /** How often groups are checked for a due flush (default 200 ms). */
  readonly tickMs?: number;
  /**
   * How often held alerts are saved when alerts came, went or resolved (default 10 s; Alertmanager
   * snapshots every 15 min). The file only lets due resolve notices survive a restart.
   */
  readonly saveEveryMs?: number;
  /** How often alerts that were only refreshed (endsAtMs moved) are saved (default 60 s). */
  readonly refreshSaveEveryMs?: number;
  readonly nowMs?: () => number;
}

interface Group {
  readonly key: string;
  readonly route: RouteNode;
  readonly labels: Labels;
  readonly fingerprints: Set<string>;
  nextFlushMs: number;
}

export interface DispatcherStats {
  alertsReceived: number;
  alertsRefused: number;
  alertsHeld: number;
  groups: number;
  flushes: number;
  suppressedBySilence: number;
  mutedFlushes: number;
  /** Failed saves of the held alerts (each retried at the next save tick). */
  saveErrors: number;
}

export class Dispatcher implements AlertSink, Service {
  readonly name = 'notify-dispatcher';
  private readonly _alerts = new Map<string, Alert>();
  private readonly _groups = new Map<string, Group>();
  private readonly _log: NotifyLogFile;
  private readonly _workers: ChannelWorker[] = [];
  private readonly _workersByReceiver = new Map<string, ChannelWorker[]>();
  private readonly _now: () => number;
  private readonly _stats: DispatcherStats = { alertsReceived: 0, alertsRefused: 0, alertsHeld: 0, groups: 0, flushes: 0, suppressedBySilence: 0, mutedFlushes: 0, saveErrors: 0 };
  /** Alerts came, went or resolved since the last save. */
  private _changed = false;
  /** Alerts were only refreshed since the last save. */
  private _refreshed = false;
  private _lastSaveMs = 0;
  /** A periodic save in progress (encoded in slices, written asynchronously). */
  private _saving: Promise<void> | undefined;

  constructor(private readonly _o: DispatcherOptions) {
    this._now = _o.nowMs ?? Date.now;
    for (const [receiver, channels] of _o.receivers) {
      const workers = channels.map((c) => this._worker(c));
      this._workers.push(...workers);
      this._workersByReceiver.set(receiver, workers);
    }
    this._log = new NotifyLogFile(_o.dir, _o.fsync);
    for (const problem of this._log.problems) _o.logger.warn('notification log damage found and cut', { problem });
    this._ingest(loadAlerts(_o.dir), false);
  }

  /** Takes the evaluator's alerts; never blocks, never throws for a channel's sake. */
  send(alerts: readonly Alert[]): void {
    this._ingest(alerts, true);
  }

  async run(signal: AbortSignal): Promise<void> {
    const ticker: Service = { name: 'notify-ticker', run: (s) => this._tickLoop(s) };
    try {
      await runGroup([ticker, ...this._workers], signal);
    } finally {
      await this._saving;
      this._save();
      this._log.close();
    }
  }

  stats(): DispatcherStats {
    return { ...this._stats, alertsHeld: this._alerts.size, groups: this._groups.size };
  }

  channelStats(): Map<string, { kind: string; receiver: string; stats: ChannelStats }> {
    const out = new Map<string, { kind: string; receiver: string; stats: ChannelStats }>();
    for (const [receiver, workers] of this._workersByReceiver) for (const w of workers) out.set(w.channel.name, { kind: w.channel.kind, receiver, stats: w.stats() });
    return out;
  }

  /** Self-metrics (`fathom_notify_*`) for the server's /metrics. */
  metrics(): MetricSet {
    return notifyMetrics(this.stats(), this.channelStats());
  }

  /** Flushes every group that is due now; the ticker calls it, tests may too. */
  tick(): void {
    const now = this._now();
    const silenced = this._o.silences.matcher(now);
    for (const g of [...this._groups.values()]) if (g.nextFlushMs <= now) this._flush(g, now, silenced);
    const sinceSaveMs = now - this._lastSaveMs;
    if ((this._changed && sinceSaveMs >= (this._o.saveEveryMs ?? 10_000)) || (this._refreshed && sinceSaveMs >= (this._o.refreshSaveEveryMs ?? 60_000))) this._saveInBackground();
  }

  private async _tickLoop(signal: AbortSignal): Promise<void> {
    let lastGcMs = this._now();
    while (!signal.aborted) {
      this.tick();
      if (this._now() - lastGcMs > 60_000) {
        lastGcMs = this._now();
        this._o.silences.gc();
      }
      await sleep(this._o.tickMs ?? 200, signal);
    }
  }

  private _ingest(alerts: readonly Alert[], fresh: boolean): void {
    const now = this._now();
    for (const a of alerts) {
      this._stats.alertsReceived += fresh ? 1 : 0;
      const fp = fingerprintOf(a.labels);
      if (!this._alerts.has(fp) && this._alerts.size >= (this._o.maxAlerts ?? 100_000)) {
        this._stats.alertsRefused++;
        continue;
      }
      const endsAtMs = a.endsAtMs ?? now + (this._o.resolveTimeoutMs ?? 300_000);
      const before = this._alerts.get(fp);
      const stored = { ...a, endsAtMs };
      if (fresh && before && isResolved(before, now) === isResolved(stored, now) && before.startsAtMs === stored.startsAtMs) this._refreshed = true;
      else if (fresh) this._changed = true;
      this._alerts.set(fp, stored);
      for (const route of matchRoutes(this._o.route, a.labels)) this._addToGroup(route, a.labels, fp, now);
    }
  }

  private _addToGroup(route: RouteNode, labels: Labels, fp: string, now: number): void {
    const groupLabels = groupLabelsOf(route, labels);
    const key = groupKeyOf(route, groupLabels);
    let g = this._groups.get(key);
    if (!g) {
      g = { key, route, labels: groupLabels, fingerprints: new Set(), nextFlushMs: now + route.groupWaitMs };
      this._groups.set(key, g);
    }
    g.fingerprints.add(fp);
  }

  private _flush(g: Group, now: number, silenced: SilenceMatcher): void {
    this._stats.flushes++;
    g.nextFlushMs = now + g.route.groupIntervalMs;
    const all: [string, Alert][] = [];
    for (const fp of g.fingerprints) {
      const a = this._alerts.get(fp);
      if (a) all.push([fp, a]);
    }
    const visible = all.filter(([, a]) => silenced.silencedBy(a.labels).length === 0);
    this._stats.suppressedBySilence += all.length - visible.length;
    if (visible.length > 0) {
      if (this._muted(g.route, now)) this._stats.mutedFlushes++;
      else this._notifyDue(g, visible, now);
    }
    this._collect(g, all, now, silenced);
  }

  /** Builds the group's notification only when some channel is due, and offers it to those. */
  private _notifyDue(g: Group, visible: readonly [string, Alert][], now: number): void {
    const firing = new Set<string>();
    const resolved = new Set<string>();
    for (const [fp, a] of visible) (isResolved(a, now) ? resolved : firing).add(fp);
    const due = (this._workersByReceiver.get(g.route.receiver) ?? []).filter((w) => {
      const c = w.channel;
      return !c.deduplicated || needsNotification({ entry: this._log.get(c.name, g.key), firing, resolved, sendResolved: c.sendResolved, repeatIntervalMs: g.route.repeatIntervalMs, nowMs: now });
    });
    if (due.length === 0) return;
    const n = buildNotification({
      receiver: g.route.receiver,
      groupKey: g.key,
      groupLabels: g.labels,
      alerts: visible.map(([, a]) => a),
      fingerprints: visible.map(([fp]) => fp),
      externalUrl: typeof this._o.externalUrl === 'string' ? this._o.externalUrl : this._o.externalUrl(),
      nowMs: now,
      groupIntervalMs: g.route.groupIntervalMs,
    });
    for (const w of due) this._offer(w, n, firing.size, now);
  }

  private _muted(route: RouteNode, now: number): boolean {
    const on = (name: string): boolean => {
      const w = this._o.muteWindows.get(name);
      return w !== undefined && inMuteWindow(w, now);
    };
    if (route.muteWindows.some(on)) return true;
    return route.activeWindows.length > 0 && !route.activeWindows.some(on);
  }

  private _offer(w: ChannelWorker, n: Notification, firingCount: number, now: number): void {
    const c = w.channel;
    if (c.deduplicated && !c.sendResolved) {
      if (firingCount === 0) return this._logDelivered(c.name, n, now); // nothing to tell; clears the log
      return w.enqueue({ ...n, alerts: n.alerts.filter((a) => a.status === 'firing') });
    }
    w.enqueue(n);
  }

  /** Resolved alerts leave a group once no channel still believes them firing (or they are silenced). */
  private _collect(g: Group, all: readonly [string, Alert][], now: number, silenced: SilenceMatcher): void {
    const channels = (this._workersByReceiver.get(g.route.receiver) ?? []).map((w) => w.channel).filter((c) => c.deduplicated);
    for (const [fp, a] of all) {
      if (!isResolved(a, now)) continue;
      const told = channels.some((c) => this._log.get(c.name, g.key)?.firing.includes(fp) === true);
      if (told && silenced.silencedBy(a.labels).length === 0) continue;
      g.fingerprints.delete(fp);
      this._changed = true;
      if (![...this._groups.values()].some((o) => o.fingerprints.has(fp))) this._alerts.delete(fp);
    }
    for (const fp of [...g.fingerprints]) if (!this._alerts.has(fp)) g.fingerprints.delete(fp);
    if (g.fingerprints.size === 0) this._groups.delete(g.key);
  }

  private _worker(c: NotificationChannel): ChannelWorker {
    return new ChannelWorker(c, {
      capacity: this._o.queueCapacity ?? 1000,
      timeoutMs: this._o.timeoutMs ?? 10_000,
      ...(this._o.backoff ? { backoff: this._o.backoff } : {}),
      ...(this._o.maxAttempts !== undefined ? { maxAttempts: this._o.maxAttempts } : {}),
      logger: this._o.logger,
      stillDue: (n) => this._stillDue(c, n),
      onDelivered: (n) => this._logDelivered(c.name, n, this._now()),
    });
  }

  private _stillDue(c: NotificationChannel, n: Notification): boolean {
    if (!c.deduplicated) return true;
    const firing = new Set(n.alerts.filter((a) => a.status === 'firing').map((a) => a.fingerprint));
    const resolved = new Set(n.alerts.filter((a) => a.status === 'resolved').map((a) => a.fingerprint));
    const repeatIntervalMs = this._groups.get(n.groupKey)?.route.repeatIntervalMs ?? this._o.route.repeatIntervalMs;
    return needsNotification({ entry: this._log.get(c.name, n.groupKey), firing, resolved, sendResolved: c.sendResolved, repeatIntervalMs, nowMs: this._now() });
  }

  private _logDelivered(channel: string, n: Notification, now: number): void {
    const firing = n.alerts.filter((a) => a.status === 'firing').map((a) => a.fingerprint);
    const resolved = n.alerts.filter((a) => a.status === 'resolved').map((a) => a.fingerprint);
    try {
      this._log.record({ channel, groupKey: n.groupKey, firing, resolved, atMs: now });
    } catch (err) {
      this._o.logger.error('cannot write the notification log', { error: err as Error });
    }
  }

  /** A periodic save that does not hold the event loop; skipped while the previous one runs (the flags stay set). */
  private _saveInBackground(): void {
    if (this._saving) return;
    this._changed = false;
    this._refreshed = false;
    this._lastSaveMs = this._now();
    this._saving = saveAlertsInSlices(this._o.dir, [...this._alerts.values()], this._o.fsync, this._lastSaveMs)
      .catch((err: unknown) => {
        // Still owed: without this the file would stay stale until another alert changed, and a
        // restart could lose the resolve notices it holds.
        this._changed = true;
        this._stats.saveErrors++;
        this._o.logger.error('cannot save the held alerts; retried at the next save', { error: err as Error });
      })
      .finally(() => (this._saving = undefined));
  }

  private _save(): void {
    this._changed = false;
    this._refreshed = false;
    this._lastSaveMs = this._now();
    try {
      saveAlerts(this._o.dir, [...this._alerts.values()], this._o.fsync, this._lastSaveMs);
    } catch (err) {
      this._o.logger.error('cannot save the held alerts', { error: err as Error });
    }
  }
}
