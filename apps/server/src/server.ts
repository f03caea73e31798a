/**
 * The backend: storage (the tsdb engine by default), the query engine and the HTTP surface on one port, plus the
 * retention loop and the idle GC (idle-gc.ts). `run` resolves after the signal aborts and everything is flushed and closed.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { externalUrlOf } from '@fathom/config';
import type { ServerConfig } from '@fathom/config';
import { createServerApp } from '@fathom/http';
import { runGroup, sleep, untilAborted } from '@fathom/kit';
import type { Logger, Service } from '@fathom/kit';
import { FileEventStore } from '@fathom/events';
import { FileDashboardStore } from './dashboard-store.js';
import { QueryEngine } from '@fathom/query';
import { EvalScheduler, libraryRuleFiles, RuleManager } from '@fathom/alerts';
import type { AlertSink, Dispatcher } from '@fathom/notify';
import type { Queryable } from '@fathom/storage';
import { applyHeapGrowth } from './heap-growth.js';
import { IdleGcStats, runIdleGc } from './idle-gc.js';
import { openStorage } from './storage.js';
import { openNotifier } from './notify.js';

export interface ServerDeps {
  readonly logger: Logger;
  /** Directory of the web UI's static files, served at `/`. */
  readonly uiDir?: string;
  /** Where evaluated alerts go; default: the notification dispatcher (`server.notify`). */
  readonly alertSink?: AlertSink;
}

export class FathomServer implements Service {
  readonly name = 'server';
  private _port: number | undefined;
  private readonly _listening: Promise<number>;
  private _resolveListening!: (port: number) => void;
  private _rules: RuleManager | undefined;
  private _notify: Dispatcher | undefined;
  private readonly _idleGcStats = new IdleGcStats();

  constructor(
    private readonly _config: ServerConfig,
    private readonly _deps: ServerDeps,
  ) {
    this._listening = new Promise((r) => (this._resolveListening = r));
  }

  /** Resolves with the bound port once the server accepts connections. */
  listening(): Promise<number> {
    return this._listening;
  }

  get port(): number | undefined {
    return this._port;
  }

  /** The rule manager, once `run` has started (tests and the notify wiring read it). */
  get rules(): RuleManager | undefined {
    return this._rules;
  }

  /** The notification dispatcher, once `run` has started. */
  get notifier(): Dispatcher | undefined {
    return this._notify;
  }

  async run(signal: AbortSignal): Promise<void> {
    const log = this._deps.logger.child({ component: 'server' });
    const cfg = this._config;
    applyHeapGrowth(cfg.heapGrowthPercent);
    const opened = await openStorage(cfg, log);
    const storage = opened.storage;
    const openedEvents = FileEventStore.open({ dir: join(cfg.dataDir, 'events'), retentionMs: cfg.eventsRetentionMs, fsync: cfg.fsync });
    const events = openedEvents.store;
    for (const problem of openedEvents.report.problems) log.warn('event log damage found and skipped', { problem });
    const engine = new QueryEngine(storage, cfg.query);
    // One UI URL for alert links and notifications; it uses the bound port, so a lazy value keeps port 0 (tests) working.
    let externalUrl = externalUrlOf(cfg);
    const notify = openNotifier(cfg, log, () => externalUrl);
    this._notify = notify.dispatcher;
    const library = libraryRuleFiles(cfg.alertLibrary);
    if (!library.ok) throw new Error(`invalid configuration: ${library.error}`);
    // Rules evaluate on this event loop, cooperatively: their engine's selections are yield points.
    const scheduler = new EvalScheduler({ maxConcurrentGroups: cfg.rules.maxConcurrentGroups, sliceMs: cfg.rules.evaluationSliceMs });
    const ruleQueryable = scheduler.queryable(storage);
    const rules = new RuleManager({
      engine: new QueryEngine(ruleQueryable, cfg.query),
      scheduler,
      ...(cfg.rules.sharedSelectionsMaxSamples > 0
        ? { selections: { queryable: ruleQueryable, engineFor: (q: Queryable) => new QueryEngine(q, cfg.query), maxSamples: cfg.rules.sharedSelectionsMaxSamples } }
        : {}),
      storage,
      events,
      sink: this._deps.alertSink ?? notify.dispatcher,
      logger: log.child({ component: 'rules' }),
      dir: cfg.rules.dir ?? join(cfg.dataDir, 'rules'),
      builtin: library.files,
      stateFile: join(cfg.dataDir, 'alert-state'),
      defaultIntervalMs: cfg.rules.evaluationIntervalMs,
      externalLabels: cfg.rules.externalLabels,
      externalUrl: () => externalUrl,
      resendDelayMs: cfg.rules.resendDelayMs,
      outageToleranceMs: cfg.rules.outageToleranceMs,
    });
    this._rules = rules;
    const app = createServerApp({
      storage,
      engine,
      rules,
      logger: log,
      limits: cfg.limits,
      events,
      dashboards: new FileDashboardStore(join(cfg.dataDir, 'dashboards')),
      silences: notify.silences,
      notifyMetrics: () => notify.dispatcher.metrics(),
      processMetrics: () => this._idleGcStats.metrics(),
      ...(this._deps.uiDir ? { ui: staticFiles(this._deps.uiDir) } : {}),
    });
    const http = serve({ fetch: app.fetch, hostname: cfg.host, port: cfg.port });
    await new Promise<void>((resolve, reject) => {
      http.once('listening', resolve);
      http.once('error', (err: Error) => reject(new Error(`cannot listen on ${cfg.host}:${cfg.port}: ${err.message}`)));
    });
    this._port = (http.address() as AddressInfo).port;
    externalUrl = externalUrlOf(cfg, this._port);
    this._resolveListening(this._port);
    log.info('server listening', { url: `http://${cfg.host}:${this._port}` });
    const retention: Service = {
      name: 'retention',
      run: async (s) => {
        while (!s.aborted) {
          await sleep(60_000, s);
          events.enforceRetention();
          const r = opened.applyRetention();
          if (r.samplesDropped > 0) log.debug('retention applied', r);
        }
      },
    };
    const idleGc: Service = { name: 'idle-gc', run: (s) => runIdleGc({ idleMs: cfg.idleGc.enabled ? cfg.idleGc.afterMs : 0, minGrowthBytes: cfg.idleGc.minGrowthBytes, growthRatio: cfg.idleGc.growthRatio, compact: cfg.idleGc.compact }, log.child({ component: 'idle-gc' }), s, this._idleGcStats) };
    try {
      await runGroup([retention, rules, notify.dispatcher, idleGc, { name: 'http', run: untilAborted }], signal);
    } finally {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        if ('closeAllConnections' in http) http.closeAllConnections();
      });
      await storage.close();
      await events.close();
      log.info('server stopped');
    }
  }
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2' };

function staticFiles(dir: string): (path: string) => Promise<Response | undefined> {
  return async (path) => {
    const rel = normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(dir, rel));
      return new Response(body, { headers: { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream' } });
    } catch {
      return undefined;
    }
  };
}
