/**
 * The rule manager: loads the rule files of a directory (and those put through the API), runs
 * each group on its interval (one loop per group; an evaluation never overlaps the next — a slow
 * group skips ticks and counts them), sends alerts to the AlertSink, records state changes as
 * events, and persists alert state after evaluations so a restart resumes it. Evaluation shares
 * the event loop cooperatively (EvalScheduler): a bounded number of groups at once, and turns of
 * the loop for ingest and the API every few milliseconds of work.
 */
import { join } from 'node:path';
import { labelsKey, labelsOf } from '@fathom/model';
import type { Labels } from '@fathom/model';
import { sleep, untilAborted } from '@fathom/kit';
import type { Logger, Service } from '@fathom/kit';
import type { EventStore, FathomEvent } from '@fathom/events';
import type { AlertSink } from '@fathom/notify';
import type { QueryEngine } from '@fathom/query';
import type { Appendable, Queryable } from '@fathom/storage';
import { evaluateGroup, markStale, newRuleRuntime } from './group-eval.js';
import type { EvalDeps, GroupRuntime, RuleTransition } from './group-eval.js';
import { RuleDir, isValidRuleFileName } from './rule-dir.js';
import { parseRuleFile } from './rule-file.js';
import { RuleFileError } from './rule-types.js';
import type { RuleFileSpec, RuleProblem } from './rule-types.js';
import { readStateFile, writeStateFile } from './state-file.js';
import type { SavedRuleState, SavedState } from './state-file.js';
import { exploreUrl } from './explore-url.js';
import { toEvents } from './alert-events.js';
import { EvalScheduler } from './eval-scheduler.js';
import { SelectionCache } from './selection-cache.js';
import type { SelectionCacheStats } from './selection-cache.js';

export interface RuleManagerOptions {
  readonly engine: QueryEngine;
  readonly storage: Appendable;
  readonly events?: EventStore | undefined;
  readonly sink: AlertSink;
  readonly logger: Logger;
  /** Rule files are read from here at start; files put through the API are written here. */
  readonly dir: string;
  /** Files loaded before the directory's, not written to it (the Kubernetes alert library); a file of the same name in the directory replaces one. */
  readonly builtin?: readonly { readonly name: string; readonly text: string }[];
  /** Alert state file (default `<dir>/../alert-state`); undefined → `<dir>/.alert-state`. */
  readonly stateFile?: string;
  readonly defaultIntervalMs: number;
  readonly externalLabels?: Labels;
  /** The web UI's base URL, for `generatorUrl` and `$externalURL` (a function when known only later). */
  readonly externalUrl: string | (() => string);
  readonly resendDelayMs?: number;
  /** Saved state older than this at start is not restored (Prometheus' outage tolerance: 1 h). */
  readonly outageToleranceMs?: number;
  /**
   * Least time between two writes of the state file (default 10 s): evaluations mark the state
   * changed and one write takes the state as it is then. Stopping writes it at once.
   */
  readonly stateSaveIntervalMs?: number;
  readonly nowMs?: () => number;
  /**
   * Bounds concurrent group evaluations and slices evaluation work (default: a scheduler with
   * DEFAULT_EVAL_SCHEDULER). Give the same scheduler's `queryable(storage)` to `engine` so
   * evaluation also yields before every storage selection.
   */
  readonly scheduler?: EvalScheduler;
  /**
   * When set, each group evaluation queries through a fresh SelectionCache over `queryable`
   * (selections shared by the group's rules), with an engine made by `engineFor`; else `engine`.
   */
  readonly selections?: {
    readonly queryable: Queryable;
    readonly engineFor: (q: Queryable) => QueryEngine;
    /** Most samples one evaluation's cache holds (default 2,000,000). */
    readonly maxSamples?: number;
  };
}

export interface RuleFileStatus {
  readonly name: string;
  readonly source: string;
  readonly groups: readonly string[];
  readonly status: 'loaded' | 'error';
  /** Shipped with Fathom (the alert library), not from the rules directory; cannot be deleted. */
  readonly builtin?: true;
  readonly error?: RuleProblem;
}

interface Loop {
  readonly g: GroupRuntime;
  readonly controller: AbortController;
  done: Promise<void>;
}

export class RuleManager implements Service {
  readonly name = 'rules';
  private readonly _dir: RuleDir;
  private readonly _files = new Map<string, { spec?: RuleFileSpec; text: string; error?: RuleFileError; builtin?: true }>();
  private _loops: Loop[] = [];
  private _running: AbortSignal | undefined;
  private _loading: Promise<void> | undefined;
  private _chain: Promise<unknown> = Promise.resolve();
  private _saveChain: Promise<unknown> = Promise.resolve();
  private _stateDirty = false;
  private _stateTimer: NodeJS.Timeout | undefined;
  private _lastSaveAt = -Infinity;
  private readonly _saveEveryMs: number;
  private readonly _now: () => number;
  private readonly _deps: EvalDeps;
  private readonly _stateFile: string;
  private readonly _url: () => string;
  private readonly _scheduler: EvalScheduler;
  private readonly _stats = { alertsSent: 0, sinkErrors: 0, stateSaveErrors: 0, eventsRecorded: 0, eventErrors: 0 };
  private readonly _selectionStats: SelectionCacheStats = { hits: 0, misses: 0 };

  constructor(private readonly _o: RuleManagerOptions) {
    this._dir = new RuleDir(_o.dir);
    this._now = _o.nowMs ?? Date.now;
    this._stateFile = _o.stateFile ?? join(_o.dir, '.alert-state');
    this._saveEveryMs = _o.stateSaveIntervalMs ?? 10_000;
    const url = _o.externalUrl;
    this._url = typeof url === 'function' ? url : () => url;
    const urlOf = this._url;
    const scheduler = (this._scheduler = _o.scheduler ?? new EvalScheduler());
    this._deps = {
      engine: _o.engine,
      storage: _o.storage,
      events: _o.events,
      externalLabels: _o.externalLabels ?? labelsOf({}),
      get externalUrl() {
        return urlOf();
      },
      resendDelayMs: _o.resendDelayMs ?? 60_000,
      nowMs: this._now,
      onWarning: (msg, fields) => _o.logger.warn(msg, fields),
      pause: () => scheduler.pause(),
    };
  }

  /** Reads the directory and the saved state, once (called by `run` and before any change; callable alone in tests). */
  load(): Promise<void> {
    this._loading ??= this._load();
    return this._loading;
  }

  private async _load(): Promise<void> {
    const builtin = (this._o.builtin ?? []).map((f) => ({ ...f, builtin: true as const }));
    for (const { name, text, ...origin } of [...builtin, ...(await this._dir.list())]) {
      const flag = 'builtin' in origin ? { builtin: true as const } : {};
      try {
        this._files.set(name, { spec: parseRuleFile(name, text), text, ...flag });
      } catch (err) {
        if (!(err instanceof RuleFileError)) throw err;
        this._o.logger.error('rule file refused; its rules are not loaded', { file: name, error: err.message });
        this._files.set(name, { text, error: err, ...flag });
      }
    }
    for (const f of this._files.values()) if (f.spec) this._loops.push(...this._newLoops(f.spec, []));
    await this._restore();
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.load();
    this._running = signal;
    for (const l of this._loops) this._start(l);
    this._o.logger.info('rules loaded', { files: this._files.size, groups: this._loops.length });
    await untilAborted(signal);
    await this._exclusive(async () => {
      await Promise.all(this._loops.map((l) => this._stop(l)));
      await this._flushState();
    });
  }

  files(): RuleFileStatus[] {
    return [...this._files.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, f]) => ({
        name,
        source: f.text,
        groups: f.spec?.groups.map((g) => g.name) ?? [],
        status: f.error ? 'error' : 'loaded',
        ...(f.builtin ? { builtin: true } : {}),
        ...(f.error?.problems[0] ? { error: f.error.problems[0] } : {}),
      }));
  }

  /** Counters for self-observability (the server's /metrics). */
  stats(): Readonly<{ alertsSent: number; sinkErrors: number; stateSaveErrors: number; eventsRecorded: number; eventErrors: number }> {
    return { ...this._stats };
  }

  groups(): readonly GroupRuntime[] {
    return this._loops.map((l) => l.g);
  }

  /** Selections served from / missed by the group evaluations' selection caches (`selections` option). */
  selectionStats(): Readonly<SelectionCacheStats> {
    return { ...this._selectionStats };
  }

  /** The evaluation scheduler (its counters are exported as metrics). */
  get scheduler(): EvalScheduler {
    return this._scheduler;
  }

  /** Validates, writes to the rules directory, then swaps the file's groups (state carried over by group and rule name). Throws RuleFileError when invalid; loaded rules are untouched then. */
  async putFile(name: string, text: string): Promise<RuleFileSpec> {
    if (!isValidRuleFileName(name)) throw new RuleFileError(name, [{ line: 1, column: 1, message: 'file name must be letters, digits, ".", "_" or "-" and end in .yml or .yaml' }]);
    const spec = parseRuleFile(name, text);
    await this.load(); // a PUT racing the start must not be loaded twice
    await this._exclusive(async () => {
      await this._dir.write(name, text);
      const old = this._loops.filter((l) => l.g.file === name);
      await Promise.all(old.map((l) => this._stop(l)));
      const fresh = this._newLoops(spec, old.map((l) => l.g));
      const carried = new Set(fresh.flatMap((l) => l.g.rules.map((r) => r.lastSeries)));
      await markStale(old.flatMap((l) => l.g.rules).filter((r) => !carried.has(r.lastSeries)), this._now(), this._o.storage);
      this._loops = [...this._loops.filter((l) => l.g.file !== name), ...fresh];
      this._files.set(name, { spec, text });
      if (this._running) for (const l of fresh) this._start(l);
    });
    this._o.logger.info('rule file loaded', { file: name, groups: spec.groups.length });
    return spec;
  }

  /**
   * Removes a file and its groups; their firing alerts are sent resolved. `not_found` when
   * unknown, `builtin` (nothing done) for a built-in file — those are tuned through their config.
   */
  async deleteFile(name: string): Promise<'deleted' | 'not_found' | 'builtin'> {
    await this.load();
    const f = this._files.get(name);
    if (!f) return 'not_found';
    if (f.builtin) return 'builtin';
    await this._exclusive(async () => {
      const old = this._loops.filter((l) => l.g.file === name);
      await Promise.all(old.map((l) => this._stop(l)));
      this._loops = this._loops.filter((l) => l.g.file !== name);
      this._files.delete(name);
      await markStale(old.flatMap((l) => l.g.rules), this._now(), this._o.storage);
      await this._dir.remove(name);
      const nowMs = this._now();
      const resolved = old.flatMap((l) =>
        l.g.rules.flatMap((r) =>
          [...r.active.values()]
            .filter((a) => a.state === 'firing')
            .map((a) => ({ labels: labelsOf({ ...this._deps.externalLabels, ...a.labels }), annotations: a.annotations, startsAtMs: a.firedAtMs ?? a.activeAtMs, endsAtMs: nowMs, generatorUrl: exploreUrl(this._url(), a.labels, a.activeAtMs, nowMs) })),
        ),
      );
      if (resolved.length) this._o.sink.send(resolved);
      this._save();
    });
    return 'deleted';
  }

  /** Evaluates every group once at `tsMs`, in file and group order (tests, `rules test`). */
  async evaluateAll(tsMs: number): Promise<void> {
    for (const l of this._loops) await this._evaluate(l.g, tsMs);
    await this._flushState();
  }

  private _exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this._chain.then(fn);
    this._chain = run.catch(() => undefined);
    return run;
  }

  private _newLoops(spec: RuleFileSpec, previous: readonly GroupRuntime[]): Loop[] {
    return spec.groups.map((gs) => {
      const old = previous.find((p) => p.spec.name === gs.name);
      const g: GroupRuntime = {
        file: spec.name,
        spec: gs,
        intervalMs: gs.intervalMs ?? this._o.defaultIntervalMs,
        rules: gs.rules.map((rs, i) => {
          const rt = newRuleRuntime(rs);
          const nth = gs.rules.slice(0, i).filter((x) => x.name === rs.name).length;
          const prev = old?.rules.filter((x) => x.spec.name === rs.name && x.spec.type === rs.type)[nth];
          if (prev) Object.assign(rt, { active: prev.active, lastSeries: prev.lastSeries, lastSentMs: prev.lastSentMs });
          return rt;
        }),
        lastEvaluationMs: old?.lastEvaluationMs,
        evaluationTimeMs: 0,
        evaluations: 0,
        missedIterations: 0,
        ruleFailures: 0,
      };
      return { g, controller: new AbortController(), done: Promise.resolve() };
    });
  }

  private _start(l: Loop): void {
    l.done = this._loop(l.g, l.controller.signal).catch((err: unknown) => this._o.logger.error('rule group loop failed', { group: l.g.spec.name, error: (err as Error).message }));
  }

  private async _stop(l: Loop): Promise<void> {
    l.controller.abort();
    await l.done;
  }

  private async _loop(g: GroupRuntime, signal: AbortSignal): Promise<void> {
    const interval = g.intervalMs;
    const offset = hash(`${g.file}\xff${g.spec.name}`) % interval;
    let next = Math.floor((this._now() - offset) / interval) * interval + offset + interval;
    while (!signal.aborted) {
      await sleep(Math.max(0, next - this._now()), signal);
      const release = await this._scheduler.acquire(signal);
      if (!release) break;
      try {
        await this._evaluate(g, next);
      } finally {
        release();
      }
      next += interval;
      const late = this._now() - next;
      if (late >= 0) {
        const missed = Math.floor(late / interval) + 1;
        g.missedIterations += missed;
        next += missed * interval;
        this._o.logger.warn('rule group evaluation slower than its interval; skipped iterations', { group: g.spec.name, missed, intervalMs: interval });
      }
    }
  }

  private async _evaluate(g: GroupRuntime, tsMs: number): Promise<void> {
    const sel = this._o.selections;
    const cache = sel ? new SelectionCache(sel.queryable, this._o.storage, sel.maxSamples ?? 2_000_000, this._selectionStats) : undefined;
    const deps: EvalDeps = sel && cache ? { ...this._deps, engine: sel.engineFor(cache), storage: cache } : this._deps;
    const out = await evaluateGroup(g, tsMs, deps);
    if (out.alerts.length) {
      try {
        this._o.sink.send(out.alerts);
        this._stats.alertsSent += out.alerts.length;
      } catch (err) {
        this._stats.sinkErrors++;
        this._o.logger.error('alert sink failed', { error: (err as Error).message });
      }
    }
    await this._record(out.transitions, tsMs);
    this._save();
  }

  private async _record(transitions: readonly RuleTransition[], tsMs: number): Promise<void> {
    const events: FathomEvent[] = toEvents(transitions, tsMs, this._deps.externalLabels);
    if (!events.length || !this._o.events) return;
    try {
      await this._o.events.append(events);
      this._stats.eventsRecorded += events.length;
    } catch (err) {
      this._stats.eventErrors++;
      this._o.logger.warn('cannot record alert events', { error: (err as Error).message });
    }
  }

  /** Asks for a state write: at most one every `stateSaveIntervalMs`, with the state as it is then. */
  private _save(): void {
    this._stateDirty = true;
    if (this._stateTimer) return;
    const waitMs = Math.max(0, this._lastSaveAt + this._saveEveryMs - performance.now());
    this._stateTimer = setTimeout(() => void this._flushState(), waitMs);
    this._stateTimer.unref();
  }

  /** Writes the state now if it changed since the last write; resolves once written. */
  private _flushState(): Promise<unknown> {
    clearTimeout(this._stateTimer);
    this._stateTimer = undefined;
    if (!this._stateDirty) return this._saveChain;
    this._stateDirty = false;
    this._lastSaveAt = performance.now();
    const state = this._snapshot();
    this._saveChain = this._saveChain.then(() => writeStateFile(this._stateFile, state, () => this._scheduler.pause())).catch((err: unknown) => {
      this._stats.stateSaveErrors++;
      this._o.logger.error('cannot save alert state', { error: (err as Error).message });
    });
    return this._saveChain;
  }

  private _snapshot(): SavedState {
    const rules: SavedRuleState[] = [];
    for (const l of this._loops) {
      l.g.rules.forEach((r, i) => {
        if (r.active.size === 0) return;
        const index = l.g.rules.slice(0, i).filter((x) => x.spec.name === r.spec.name).length;
        rules.push({ file: l.g.file, group: l.g.spec.name, rule: r.spec.name, index, alerts: [...r.active.values()] });
      });
    }
    return { savedAtMs: this._now(), rules };
  }

  private async _restore(): Promise<void> {
    let saved;
    try {
      saved = await readStateFile(this._stateFile);
    } catch (err) {
      this._o.logger.error('alert state file unusable; starting without it', { file: this._stateFile, error: (err as Error).message });
      return;
    }
    if (!saved) return;
    const ageMs = this._now() - saved.savedAtMs;
    if (ageMs > (this._o.outageToleranceMs ?? 3_600_000)) {
      this._o.logger.warn('alert state older than the outage tolerance; not restored', { ageMs });
      return;
    }
    let restored = 0;
    for (const s of saved.rules) {
      const g = this._loops.find((l) => l.g.file === s.file && l.g.spec.name === s.group)?.g;
      const rule = g?.rules.filter((r) => r.spec.name === s.rule && r.spec.type === 'alerting')[s.index];
      if (!rule) continue;
      rule.active = new Map(s.alerts.map((a) => [labelsKey(a.labels), a]));
      restored += s.alerts.length;
    }
    this._o.logger.info('alert state restored', { alerts: restored, ageMs });
  }
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}
