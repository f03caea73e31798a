/**
 * The agent: collectors → host label → /metrics snapshot and a protocol batch → forwarder.
 * Everything long-running is a Service in one group; stopping the agent spools what is unsent.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from '@fathom/config';
import { ContainerCollector, DockerMetadataSource, HostCollector, ProcessCollector, detectPageSizeBytes } from '@fathom/collectors';
import type { Collector } from '@fathom/collectors';
import { DEFAULT_BACKOFF, runGroup, sleep } from '@fathom/kit';
import type { Logger, Service } from '@fathom/kit';
import { MetricSetBuilder } from '@fathom/model';
import type { MetricSet } from '@fathom/model';
import { encodeBatch } from '@fathom/protocol';
import type { AgentInfo } from '@fathom/protocol';
import { DiskSpool, Forwarder, HttpSink } from '@fathom/sinks';
import type { Sink } from '@fathom/sinks';
import { toBatch, withHost } from './batch.js';
import { StalenessTracker } from './staleness.js';
import type { NodeMetadata } from '@fathom/k8s';
import { kubernetesEnabled, resourceMetrics, withKubernetesTags } from './k8s-tags.js';
import { MetricsEndpoint } from './metrics-endpoint.js';
import { selfMetrics } from './self-metrics.js';

export const AGENT_VERSION = '0.1.0';

export interface AgentDeps {
  readonly logger: Logger;
  /** Replaces the HTTP sink (tests). */
  readonly sink?: Sink;
  /** Replaces the Kubernetes metadata built from config (tests). */
  readonly kubernetes?: NodeMetadata;
}

export class Agent implements Service {
  readonly name = 'agent';
  readonly info: AgentInfo;
  readonly metricsEndpoint: MetricsEndpoint | undefined;
  private readonly _forwarder: Forwarder;
  private readonly _docker: DockerMetadataSource;
  private readonly _startSeconds = Date.now() / 1000;
  private _snapshot: MetricSet = { meta: new Map(), points: [] };
  private _seq = Date.now();
  private _cycles = 0;
  private readonly _collectSeconds = new Map<string, number>();
  private readonly _collectorErrors = new Map<string, number>();
  private readonly _containers: ContainerCollector;
  private readonly _staleness = new StalenessTracker();
  /** Kubernetes metadata of this node, when running in (or pointed at) a cluster. */
  readonly kubernetes: NodeMetadata | undefined;

  private constructor(
    private readonly _config: AgentConfig,
    private readonly _collectors: readonly Collector[],
    private readonly _logger: Logger,
    deps: { forwarder: Forwarder; docker: DockerMetadataSource; info: AgentInfo; containers: ContainerCollector; kubernetes: NodeMetadata | undefined },
  ) {
    this._containers = deps.containers;
    this.kubernetes = deps.kubernetes;
    this._forwarder = deps.forwarder;
    this._docker = deps.docker;
    this.info = deps.info;
    this.metricsEndpoint = _config.listen === 'off' ? undefined : new MetricsEndpoint(_config.listen, () => this._snapshot, _logger);
  }

  static async create(config: AgentConfig, deps: AgentDeps): Promise<Agent> {
    mkdirSync(config.dataDir, { recursive: true });
    const logger = deps.logger.child({ component: 'agent' });
    const docker = new DockerMetadataSource({ socketPath: config.dockerSocket, logger });
    const containers = new ContainerCollector({ procRoot: config.procRoot, sysRoot: config.sysRoot, metadata: docker });
    const processes = new ProcessCollector({
      procRoot: config.procRoot,
      pageSizeBytes: await detectPageSizeBytes(),
      ...config.processes,
      containerLabels: (id) => containers.seen.get(id)?.labels,
    });
    const collectors = [new HostCollector({ procRoot: config.procRoot }), containers, processes];
    const forwarder = new Forwarder({
      sink: deps.sink ?? new HttpSink(config.server),
      spool: new DiskSpool(join(config.dataDir, 'spool'), config.buffer.maxDiskBytes),
      logger,
      memoryBatches: config.buffer.memoryBatches,
      sendTimeoutMs: config.sendTimeoutMs,
      backoff: { ...DEFAULT_BACKOFF, maxMs: 10_000 },
    });
    const info: AgentInfo = { id: agentId(config.dataDir), host: config.host, version: AGENT_VERSION };
    const kubernetes = deps.kubernetes ?? (kubernetesEnabled(config.kubernetes) ? (await import('./kubernetes.js')).nodeMetadataFrom(config.kubernetes, logger) : undefined);
    return new Agent(config, collectors, logger, { forwarder, docker, info, containers, kubernetes });
  }

  async run(signal: AbortSignal): Promise<void> {
    this._logger.info('agent starting', { host: this.info.host, server: this._config.server, intervalMs: this._config.intervalMs });
    const loop: Service = { name: 'collect-loop', run: (s) => this._loop(s) };
    await runGroup([loop, this._forwarder, ...(this.metricsEndpoint ? [this.metricsEndpoint] : []), ...(this.kubernetes ? [this.kubernetes] : [])], signal);
    this._logger.info('agent stopped', { spooledBatches: this._forwarder.stats().spool.batches });
  }

  private async _loop(signal: AbortSignal): Promise<void> {
    const startMs = Date.now();
    for (let k = 0; !signal.aborted; k++) {
      await this.collectOnce(signal);
      const nextMs = startMs + (k + 1) * this._config.intervalMs;
      await sleep(Math.max(0, nextMs - Date.now()), signal);
    }
  }

  /** Runs every collector once and hands the batch to the forwarder. */
  async collectOnce(signal: AbortSignal): Promise<void> {
    const tMs = Date.now();
    const merged = new MetricSetBuilder();
    for (const c of this._collectors) {
      const began = performance.now();
      try {
        merged.merge(await c.collect(signal));
      } catch (err) {
        this._collectorErrors.set(c.name, (this._collectorErrors.get(c.name) ?? 0) + 1);
        this._logger.warn('collector failed', { collector: c.name, error: err });
      }
      this._collectSeconds.set(c.name, (performance.now() - began) / 1000);
    }
    this._cycles++;
    const collected = merged.build();
    merged.merge(selfMetrics(this._forwarder.stats(), this._cycleStats(collected.points.length), this._startSeconds));
    const set = merged.build();
    const k8s = this.kubernetes;
    let points = set.points;
    let meta = set.meta;
    if (k8s) {
      points = withKubernetesTags(set.points, k8s.tagger, this._containers.seen);
      const resources = resourceMetrics(points, k8s.tagger, this._containers.seen, k8s.parseQuantity);
      points = [...points, ...resources.points];
      meta = new Map([...meta, ...resources.meta]);
    }
    const tagged: MetricSet = { meta, points: withHost(points, this.info.host) };
    this._snapshot = tagged;
    const shipped: MetricSet = { meta, points: [...tagged.points, ...this._staleness.markers(tagged.points)] };
    this._forwarder.submit(encodeBatch(toBatch(shipped, this.info, this._seq++, tMs)));
    // Deleted pods keep their tags until a cycle no longer sees their containers.
    k8s?.tagger.sweep(new Set(this._containers.seen.keys()));
  }

  private _cycleStats(series: number): Parameters<typeof selfMetrics>[1] {
    return {
      collectSeconds: this._collectSeconds,
      collectorErrors: this._collectorErrors,
      cycles: this._cycles,
      seriesLastCycle: series,
      runtimeErrors: this._docker.errorsTotal,
    };
  }
}

/** A stable id for this agent, kept in its data dir across restarts. */
function agentId(dataDir: string): string {
  const path = join(dataDir, 'agent-id');
  try {
    const id = readFileSync(path, 'utf8').trim();
    if (id) return id;
  } catch {
    // first start
  }
  const id = randomUUID();
  writeFileSync(path, `${id}\n`);
  return id;
}
