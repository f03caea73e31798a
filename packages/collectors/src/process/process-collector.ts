/**
 * Per-process CPU, memory, threads, open file descriptors and I/O, attributed to containers,
 * for a bounded set of processes (see select.ts) so the series count stays known.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MetricSetBuilder } from '@fathom/model';
import type { MetricSet } from '@fathom/model';
import type { Collector } from '../collector.js';
import { containerFromProcCgroup } from '../cgroup/container-id.js';
import { USER_HZ, parseProcStat } from '../host/proc-stat.js';
import { listDir, readText } from '../read.js';
import { parsePidIo, parsePidStat } from './proc-pid.js';
import type { PidStat } from './proc-pid.js';
import { selectProcesses } from './select.js';
import type { SelectionRule } from './select.js';

export interface ProcessCollectorOptions extends SelectionRule {
  readonly procRoot: string;
  readonly pageSizeBytes: number;
  /** Labels of a container by id, from the container collector of the same cycle. */
  readonly containerLabels: (containerId: string) => Readonly<Record<string, string>> | undefined;
}

interface Known {
  readonly containerId: string | undefined;
  cpuTicks: number;
}

export class ProcessCollector implements Collector {
  readonly name = 'processes';
  private _known = new Map<string, Known>();
  /** Processes cut by `maxProcesses` in the last cycle. */
  droppedLastCycle = 0;

  constructor(private readonly _opts: ProcessCollectorOptions) {}

  async collect(): Promise<MetricSet> {
    const b = describeProcessMetrics(new MetricSetBuilder());
    const proc = this._opts.procRoot;
    const [pids, statText] = await Promise.all([listDir(proc), readText(join(proc, 'stat'))]);
    const bootTime = parseProcStat(statText ?? '').bootTimeSeconds ?? 0;
    const stats = (await Promise.all(pids.filter((p) => /^\d+$/.test(p)).map((p) => readPidStat(proc, p)))).filter(
      (s): s is PidStat => s !== undefined,
    );
    const next = new Map<string, Known>();
    const candidates = await Promise.all(stats.map((s) => this._candidate(s, next)));
    const selection = selectProcesses(candidates, this._opts);
    this.droppedLastCycle = selection.dropped;
    this._known = next;
    await Promise.all(
      stats.filter((s) => selection.keys.has(keyOf(s))).map((s) => this._addProcess(b, s, next.get(keyOf(s))?.containerId, bootTime)),
    );
    b.add('fathom_agent_processes_dropped', {}, selection.dropped);
    return b.build();
  }

  private async _candidate(s: PidStat, next: Map<string, Known>): Promise<{ key: string; cpuDeltaSeconds: number; rssBytes: number; inContainer: boolean }> {
    const key = keyOf(s);
    const prev = this._known.get(key);
    const cpuTicks = s.utimeTicks + s.stimeTicks;
    const containerId = prev ? prev.containerId : containerFromProcCgroup((await readText(join(this._opts.procRoot, String(s.pid), 'cgroup'))) ?? '')?.id;
    next.set(key, { containerId, cpuTicks });
    return {
      key,
      cpuDeltaSeconds: (cpuTicks - (prev?.cpuTicks ?? 0)) / USER_HZ,
      rssBytes: s.rssPages * this._opts.pageSizeBytes,
      inContainer: containerId !== undefined,
    };
  }

  private async _addProcess(b: MetricSetBuilder, s: PidStat, containerId: string | undefined, bootTime: number): Promise<void> {
    const dir = join(this._opts.procRoot, String(s.pid));
    const [ioText, fds] = await Promise.all([readText(join(dir, 'io')), countFds(join(dir, 'fd'))]);
    const container = containerId === undefined ? {} : (this._opts.containerLabels(containerId) ?? { container_id: containerId });
    const labels = { ...container, pid: String(s.pid), comm: s.comm };
    b.add('proc_cpu_seconds_total', { ...labels, mode: 'user' }, s.utimeTicks / USER_HZ);
    b.add('proc_cpu_seconds_total', { ...labels, mode: 'system' }, s.stimeTicks / USER_HZ);
    b.add('proc_resident_memory_bytes', labels, s.rssPages * this._opts.pageSizeBytes);
    b.add('proc_virtual_memory_bytes', labels, s.vsizeBytes);
    b.add('proc_threads', labels, s.threads);
    b.add('proc_start_time_seconds', labels, bootTime + s.startTicks / USER_HZ);
    if (fds !== undefined) b.add('proc_open_fds', labels, fds);
    const io = ioText === undefined ? undefined : parsePidIo(ioText);
    if (io) {
      b.add('proc_read_bytes_total', labels, io.readBytes);
      b.add('proc_written_bytes_total', labels, io.writeBytes);
    }
  }
}

/** pid alone is reused by the kernel; pid plus start time identifies one process. */
function keyOf(s: PidStat): string {
  return `${s.pid}:${s.startTicks}`;
}

async function readPidStat(procRoot: string, pid: string): Promise<PidStat | undefined> {
  const text = await readText(join(procRoot, pid, 'stat'));
  return text === undefined ? undefined : parsePidStat(text);
}

async function countFds(dir: string): Promise<number | undefined> {
  try {
    return (await readdir(dir)).length;
  } catch {
    return undefined;
  }
}

function describeProcessMetrics(b: MetricSetBuilder): MetricSetBuilder {
  return b
    .describe('proc_cpu_seconds_total', 'counter', 'CPU time a process used, by mode (user, system), in seconds.')
    .describe('proc_resident_memory_bytes', 'gauge', 'Resident set size of a process in bytes.')
    .describe('proc_virtual_memory_bytes', 'gauge', 'Virtual memory size of a process in bytes.')
    .describe('proc_threads', 'gauge', 'Number of threads of a process.')
    .describe('proc_start_time_seconds', 'gauge', 'Start time of a process since the epoch, in seconds.')
    .describe('proc_open_fds', 'gauge', 'Number of open file descriptors of a process.')
    .describe('proc_read_bytes_total', 'counter', 'Bytes a process caused to be read from storage.')
    .describe('proc_written_bytes_total', 'counter', 'Bytes a process caused to be written to storage.')
    .describe('fathom_agent_processes_dropped', 'gauge', 'Processes that qualified for series but were cut by processes.maxProcesses in the last cycle.');
}

/** Reads the page size of this machine from the agent's own /proc entries (RSS kB over pages). */
export async function detectPageSizeBytes(procRoot = '/proc'): Promise<number> {
  const [status, stat] = await Promise.all([readText(join(procRoot, 'self', 'status')), readText(join(procRoot, 'self', 'stat'))]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status ?? '')?.[1]);
  const pages = stat ? parsePidStat(stat)?.rssPages : undefined;
  if (!rssKb || !pages) return 4096;
  const guess = (rssKb * 1024) / pages;
  return [4096, 16384, 65536].reduce((best, size) => (Math.abs(size - guess) < Math.abs(best - guess) ? size : best), 4096);
}
