/**
 * The server's HTTP surface on one port: agent ingest, the Prometheus API, health, self-metrics,
 * and (when given) the web UI's static files.
 */
import { Hono } from 'hono';
import type { Logger } from '@fathom/kit';
import { TEXT_CONTENT_TYPE, writeText } from '@fathom/expfmt';
import { MetricSetBuilder } from '@fathom/model';
import type { MetricSet } from '@fathom/model';
import type { QueryEngine } from '@fathom/query';
import type { Storage } from '@fathom/storage';
import type { DecodeLimits } from '@fathom/protocol';
import { ApiError, failure } from './envelope.js';
import { ingestApi } from './ingest.js';
import type { IngestStats } from './ingest.js';
import { MetadataStore } from './metadata.js';
import { promApi } from './prom-api.js';
import { newRemoteWriteStats, remoteWriteApi } from './remote-write.js';
import type { RemoteWriteLimits, RemoteWriteStats } from './remote-write.js';
import { eventsApi } from './events-api.js';
import type { EventStore } from '@fathom/events';
import type { DashboardStore } from '@fathom/dashboards';
import { dashboardsApi } from './dashboards-api.js';
import type { SilenceStore } from '@fathom/notify';
import { silencesApi } from './silences-api.js';
import type { RuleManager } from '@fathom/alerts';
import { promRulesApi, rulesManagementApi, rulesMetrics } from './rules-api.js';
import { overloadedResponse } from './overload.js';

export interface ServerAppDeps {
  readonly storage: Storage;
  readonly engine: QueryEngine;
  readonly logger: Logger;
  readonly limits: DecodeLimits & { readonly maxBodyBytes: number };
  /** Serves `/` and other non-API paths, e.g. the web UI. */
  readonly ui?: (path: string) => Promise<Response | undefined>;
  /** Limits of the remote write receiver (defaults: 16 MiB body, 64 MiB decoded, 1 M samples). */
  readonly remoteWriteLimits?: RemoteWriteLimits;
  /** Serves `/api/v1/events` when given. */
  readonly events?: EventStore;
  /** Serves `/api/fathom/dashboards` when given. */
  readonly dashboards?: DashboardStore;
  /** Serves `/api/fathom/silences` when given. */
  readonly silences?: SilenceStore;
  /** The server process' own metrics (its idle GC), added to `/metrics` when given. */
  readonly processMetrics?: () => MetricSet;
  /** The notification dispatcher's self-metrics, added to `/metrics` when given. */
  readonly notifyMetrics?: () => MetricSet;
  /** Serves `/api/v1/rules`, `/api/v1/alerts` and `/api/fathom/rules` when given. */
  readonly rules?: RuleManager;
}

export function createServerApp(deps: ServerAppDeps): Hono {
  const stats: IngestStats = { batches: 0, samplesAccepted: 0, samplesRejected: 0, badRequests: 0 };
  const rwStats = newRemoteWriteStats();
  const metadata = new MetadataStore();
  const app = new Hono();
  app.route('/api/agent/v1', ingestApi(deps, stats));
  if (deps.events) app.route('/api/v1/events', eventsApi({ events: deps.events, maxBodyBytes: deps.limits.maxBodyBytes }));
  if (deps.dashboards) app.route('/api/fathom/dashboards', dashboardsApi({ dashboards: deps.dashboards, maxBodyBytes: deps.limits.maxBodyBytes }));
  if (deps.silences) app.route('/api/fathom/silences', silencesApi({ silences: deps.silences, maxBodyBytes: deps.limits.maxBodyBytes }));
  if (deps.rules) {
    const rulesDeps = { rules: deps.rules, maxBodyBytes: deps.limits.maxBodyBytes };
    app.route('/api/v1', promRulesApi(rulesDeps));
    app.route('/api/fathom/rules', rulesManagementApi(rulesDeps));
  }
  const rwLimits = deps.remoteWriteLimits;
  app.route('/api/v1', remoteWriteApi({ storage: deps.storage, logger: deps.logger, metadata, ...(rwLimits ? { limits: rwLimits } : {}) }, rwStats));
  app.route('/api/v1', promApi({ ...deps, metadata }));
  app.get('/-/healthy', (c) => c.text('Fathom is Healthy.\n'));
  app.get('/-/ready', (c) => c.text('Fathom is Ready.\n'));
  app.get('/metrics', (c) => {
    const set = serverMetrics(deps.storage, stats, rwStats);
    const rulesSet = deps.rules ? new MetricSetBuilder().merge(set).merge(rulesMetrics(deps.rules)).build() : set;
    return c.body(writeText(withMore(withMore(rulesSet, deps.notifyMetrics), deps.processMetrics)), 200, { 'content-type': TEXT_CONTENT_TYPE });
  });
  app.all('/api/*', (c) => failure(c, new ApiError('not_found', `no API endpoint ${c.req.method} ${c.req.path}`)));
  app.get('*', async (c) => (deps.ui ? await deps.ui(c.req.path) : undefined) ?? c.text('not found\n', 404));
  app.onError((err, c) => {
    // a write the storage refused while its queue is full (remote write's commit): the sender retries
    const overloaded = overloadedResponse(c, err);
    if (overloaded) return overloaded;
    deps.logger.error('unhandled error', { path: c.req.path, error: err });
    return failure(c, new ApiError('internal', err.message));
  });
  return app;
}

function serverMetrics(storage: Storage, stats: IngestStats, rw: RemoteWriteStats): ReturnType<MetricSetBuilder['build']> {
  const s = storage.stats();
  const b = new MetricSetBuilder()
    .describe('fathom_server_ingest_batches_total', 'counter', 'Agent batches committed.')
    .describe('fathom_server_ingest_samples_total', 'counter', 'Samples received, by result.')
    .describe('fathom_server_ingest_bad_requests_total', 'counter', 'Ingest requests refused as malformed or too large.')
    .describe('fathom_server_remote_write_requests_total', 'counter', 'Remote write requests committed.')
    .describe('fathom_server_remote_write_samples_total', 'counter', 'Remote write samples received, by result.')
    .describe('fathom_server_remote_write_bad_requests_total', 'counter', 'Remote write requests refused as malformed or too large.')
    .describe('fathom_server_remote_write_unsupported_total', 'counter', 'Exemplars and native histograms received and not stored.')
    .describe('fathom_server_remote_write_buffer_leases_total', 'counter', 'Remote write requests by where their body/decode buffers came from: reused from the pool or allocated.')
    .describe('fathom_server_remote_write_buffer_dropped_total', 'counter', 'Remote write buffer sets not kept after a request (pool full, or grown past the kept size).')
    .describe('fathom_server_remote_write_buffer_pooled_bytes', 'gauge', 'Bytes of the remote write buffer sets kept for reuse.')
    .describe('fathom_server_storage_series', 'gauge', 'Series in storage.')
    .describe('fathom_server_storage_samples', 'gauge', 'Samples in storage.')
    .describe('fathom_server_storage_rejected_samples_total', 'counter', 'Samples storage refused, by reason.')
    .describe('fathom_server_storage_damaged_total', 'counter', 'Stored units (tsdb blocks) found damaged and set aside, not served.');
  b.add('fathom_server_ingest_batches_total', {}, stats.batches);
  b.add('fathom_server_ingest_samples_total', { result: 'accepted' }, stats.samplesAccepted);
  b.add('fathom_server_ingest_samples_total', { result: 'rejected' }, stats.samplesRejected);
  b.add('fathom_server_ingest_bad_requests_total', {}, stats.badRequests);
  b.add('fathom_server_remote_write_requests_total', {}, rw.requests);
  b.add('fathom_server_remote_write_samples_total', { result: 'accepted' }, rw.samplesAccepted);
  b.add('fathom_server_remote_write_samples_total', { result: 'rejected' }, rw.samplesRejected);
  b.add('fathom_server_remote_write_bad_requests_total', {}, rw.badRequests);
  b.add('fathom_server_remote_write_unsupported_total', {}, rw.unsupportedSkipped);
  const pool = rw.buffers;
  b.add('fathom_server_remote_write_buffer_leases_total', { source: 'pool' }, pool.reused);
  b.add('fathom_server_remote_write_buffer_leases_total', { source: 'allocated' }, pool.leases - pool.reused);
  b.add('fathom_server_remote_write_buffer_dropped_total', {}, pool.dropped);
  b.add('fathom_server_remote_write_buffer_pooled_bytes', {}, pool.pooledBytes);
  b.add('fathom_server_storage_series', {}, s.series);
  b.add('fathom_server_storage_samples', {}, s.samples);
  for (const [reason, n] of Object.entries(s.rejectedTotal)) b.add('fathom_server_storage_rejected_samples_total', { reason }, n);
  if (s.damagedTotal !== undefined) b.add('fathom_server_storage_damaged_total', {}, s.damagedTotal);
  return b.build();
}

function withMore(server: MetricSet, more: (() => MetricSet) | undefined): MetricSet {
  return more ? new MetricSetBuilder().merge(server).merge(more()).build() : server;
}
