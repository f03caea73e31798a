/** The agent's metrics about itself, under the same names Prometheus client libraries use where one exists. */
import { MetricSetBuilder } from '@fathom/model';
import type { MetricSet } from '@fathom/model';
import type { ForwarderStats } from '@fathom/sinks';

export interface CycleStats {
  readonly collectSeconds: ReadonlyMap<string, number>;
  readonly collectorErrors: ReadonlyMap<string, number>;
  readonly cycles: number;
  readonly seriesLastCycle: number;
  readonly runtimeErrors: number;
}

export function selfMetrics(f: ForwarderStats, c: CycleStats, startTimeSeconds: number): MetricSet {
  const b = new MetricSetBuilder()
    .describe('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.')
    .describe('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.')
    .describe('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.')
    .describe('nodejs_heap_size_total_bytes', 'gauge', 'Process heap size from Node.js in bytes.')
    .describe('nodejs_heap_size_used_bytes', 'gauge', 'Process heap size used from Node.js in bytes.')
    .describe('nodejs_external_memory_bytes', 'gauge', 'Node.js external memory size in bytes.')
    .describe('fathom_agent_cycles_total', 'counter', 'Collection cycles run.')
    .describe('fathom_agent_series', 'gauge', 'Series collected in the last cycle.')
    .describe('fathom_agent_collect_duration_seconds', 'gauge', 'How long each collector took in the last cycle.')
    .describe('fathom_agent_collector_errors_total', 'counter', 'Cycles in which a collector failed as a whole.')
    .describe('fathom_agent_runtime_errors_total', 'counter', 'Failed calls to the container runtime API.')
    .describe('fathom_agent_batches_sent_total', 'counter', 'Batches the server acknowledged.')
    .describe('fathom_agent_send_failures_total', 'counter', 'Retryable send failures (server down, timeouts, 5xx).')
    .describe('fathom_agent_batches_refused_total', 'counter', 'Batches the server refused for good (4xx); dropped.')
    .describe('fathom_agent_queue_batches', 'gauge', 'Batches waiting in memory.')
    .describe('fathom_agent_spool_batches', 'gauge', 'Batches buffered on disk.')
    .describe('fathom_agent_spool_bytes', 'gauge', 'Bytes buffered on disk.')
    .describe('fathom_agent_spool_dropped_batches_total', 'counter', 'Batches dropped because the disk buffer was full.')
    .describe('fathom_agent_spool_dropped_bytes_total', 'counter', 'Bytes dropped because the disk buffer was full.')
    .describe('fathom_agent_spool_corrupt_batches_total', 'counter', 'Spooled batches that failed their checksum (set aside, not sent).');
  const cpu = process.cpuUsage();
  b.add('process_cpu_seconds_total', {}, (cpu.user + cpu.system) / 1e6);
  const mem = process.memoryUsage();
  b.add('process_resident_memory_bytes', {}, mem.rss);
  b.add('nodejs_heap_size_total_bytes', {}, mem.heapTotal);
  b.add('nodejs_heap_size_used_bytes', {}, mem.heapUsed);
  b.add('nodejs_external_memory_bytes', {}, mem.external);
  b.add('process_start_time_seconds', {}, startTimeSeconds);
  b.add('fathom_agent_cycles_total', {}, c.cycles);
  b.add('fathom_agent_series', {}, c.seriesLastCycle);
  for (const [collector, s] of c.collectSeconds) b.add('fathom_agent_collect_duration_seconds', { collector }, s);
  for (const [collector, n] of c.collectorErrors) b.add('fathom_agent_collector_errors_total', { collector }, n);
  b.add('fathom_agent_runtime_errors_total', { runtime: 'docker' }, c.runtimeErrors);
  b.add('fathom_agent_batches_sent_total', {}, f.sentBatches);
  b.add('fathom_agent_send_failures_total', {}, f.sendFailures);
  b.add('fathom_agent_batches_refused_total', {}, f.refusedBatches);
  b.add('fathom_agent_queue_batches', {}, f.memoryBatches);
  b.add('fathom_agent_spool_batches', {}, f.spool.batches);
  b.add('fathom_agent_spool_bytes', {}, f.spool.bytes);
  b.add('fathom_agent_spool_dropped_batches_total', {}, f.spool.droppedBatches);
  b.add('fathom_agent_spool_dropped_bytes_total', {}, f.spool.droppedBytes);
  b.add('fathom_agent_spool_corrupt_batches_total', {}, f.spool.corruptBatches);
  return b.build();
}
