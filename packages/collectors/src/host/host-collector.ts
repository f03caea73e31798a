/**
 * Host metrics with node-exporter's names, types and units, so existing dashboards and alert
 * rules work unchanged: CPU, memory, load, disk I/O, filesystems, network, and kernel counters.
 */
import { statfs as fsStatfs } from 'node:fs/promises';
import { join } from 'node:path';
import { MetricSetBuilder } from '@fathom/model';
import type { MetricSet } from '@fathom/model';
import type { Collector } from '../collector.js';
import { readText } from '../read.js';
import { DEFAULT_DISK_EXCLUDE, parseDiskstats } from './diskstats.js';
import { parseLoadavg } from './loadavg.js';
import { parseMeminfo } from './meminfo.js';
import { parseMounts } from './mounts.js';
import type { Mount } from './mounts.js';
import { parseNetDev } from './netdev.js';
import { CPU_MODES, parseProcStat } from './proc-stat.js';

/** The fields of statfs(2) the filesystem metrics need. */
export interface FsStats {
  readonly bsize: number;
  readonly blocks: number;
  readonly bfree: number;
  readonly bavail: number;
  readonly files: number;
  readonly ffree: number;
}

export interface HostCollectorOptions {
  readonly procRoot: string;
  /** statfs(2); injectable so recorded trees can be tested. */
  readonly statfs?: (path: string) => Promise<FsStats>;
  /** A mount whose statfs takes longer than this is reported with `node_filesystem_device_error` 1. */
  readonly statfsTimeoutMs?: number;
}

export class HostCollector implements Collector {
  readonly name = 'host';
  private readonly _statfs: (path: string) => Promise<FsStats>;

  constructor(private readonly _opts: HostCollectorOptions) {
    this._statfs = _opts.statfs ?? ((p) => fsStatfs(p));
  }

  async collect(): Promise<MetricSet> {
    const b = new MetricSetBuilder();
    const proc = (p: string): Promise<string | undefined> => readText(join(this._opts.procRoot, p));
    const [stat, meminfo, loadavg, diskstats, netdev, mounts] = await Promise.all([
      proc('stat'),
      proc('meminfo'),
      proc('loadavg'),
      proc('diskstats'),
      proc('net/dev'),
      proc('mounts'),
    ]);
    if (stat !== undefined) addStat(b, stat);
    if (meminfo !== undefined) addMeminfo(b, meminfo);
    if (loadavg !== undefined) addLoad(b, loadavg);
    if (diskstats !== undefined) addDisks(b, diskstats);
    if (netdev !== undefined) addNetwork(b, netdev);
    if (mounts !== undefined) await this._addFilesystems(b, parseMounts(mounts));
    return b.build();
  }

  private async _addFilesystems(b: MetricSetBuilder, mounts: Mount[]): Promise<void> {
    describeFilesystem(b);
    const timeoutMs = this._opts.statfsTimeoutMs ?? 5000;
    const results = await Promise.all(mounts.map((m) => withTimeout(this._statfs(m.mountpoint), timeoutMs)));
    mounts.forEach((m, i) => {
      const labels = { device: m.device, mountpoint: m.mountpoint, fstype: m.fstype };
      const st = results[i];
      b.add('node_filesystem_device_error', labels, st ? 0 : 1);
      if (!st) return;
      b.add('node_filesystem_size_bytes', labels, st.blocks * st.bsize);
      b.add('node_filesystem_free_bytes', labels, st.bfree * st.bsize);
      b.add('node_filesystem_avail_bytes', labels, st.bavail * st.bsize);
      b.add('node_filesystem_files', labels, st.files);
      b.add('node_filesystem_files_free', labels, st.ffree);
      b.add('node_filesystem_readonly', labels, m.readonly ? 1 : 0);
    });
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([p.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function addStat(b: MetricSetBuilder, text: string): void {
  const s = parseProcStat(text);
  b.describe('node_cpu_seconds_total', 'counter', 'Seconds the CPUs spent in each mode.');
  b.describe('node_cpu_guest_seconds_total', 'counter', 'Seconds the CPUs spent in guests (VMs) for each mode.');
  for (const c of s.cpus) {
    for (const mode of CPU_MODES) b.add('node_cpu_seconds_total', { cpu: c.cpu, mode }, c.seconds[mode]);
    b.add('node_cpu_guest_seconds_total', { cpu: c.cpu, mode: 'user' }, c.guestSeconds);
    b.add('node_cpu_guest_seconds_total', { cpu: c.cpu, mode: 'nice' }, c.guestNiceSeconds);
  }
  const scalar = (name: string, type: 'counter' | 'gauge', help: string, v: number | undefined): void => {
    if (v === undefined) return;
    b.describe(name, type, help).add(name, {}, v);
  };
  scalar('node_context_switches_total', 'counter', 'Total number of context switches.', s.contextSwitches);
  scalar('node_intr_total', 'counter', 'Total number of interrupts serviced.', s.interrupts);
  scalar('node_boot_time_seconds', 'gauge', 'Node boot time, in unixtime.', s.bootTimeSeconds);
  scalar('node_forks_total', 'counter', 'Total number of forks.', s.forks);
  scalar('node_procs_running', 'gauge', 'Number of processes in runnable state.', s.procsRunning);
  scalar('node_procs_blocked', 'gauge', 'Number of processes blocked waiting for I/O to complete.', s.procsBlocked);
}

function addMeminfo(b: MetricSetBuilder, text: string): void {
  for (const [key, value] of parseMeminfo(text)) {
    const name = `node_memory_${key}`;
    b.describe(name, 'gauge', `Memory information field ${key}.`).add(name, {}, value);
  }
}

function addLoad(b: MetricSetBuilder, text: string): void {
  const l = parseLoadavg(text);
  if (!l) return;
  b.describe('node_load1', 'gauge', '1m load average.').add('node_load1', {}, l.load1);
  b.describe('node_load5', 'gauge', '5m load average.').add('node_load5', {}, l.load5);
  b.describe('node_load15', 'gauge', '15m load average.').add('node_load15', {}, l.load15);
}

const DISK_METRICS = [
  ['node_disk_reads_completed_total', 'counter', 'The total number of reads completed successfully.', 'readsCompleted'],
  ['node_disk_reads_merged_total', 'counter', 'The total number of reads merged.', 'readsMerged'],
  ['node_disk_read_bytes_total', 'counter', 'The total number of bytes read successfully.', 'readBytes'],
  ['node_disk_read_time_seconds_total', 'counter', 'The total number of seconds spent by all reads.', 'readTimeSeconds'],
  ['node_disk_writes_completed_total', 'counter', 'The total number of writes completed successfully.', 'writesCompleted'],
  ['node_disk_writes_merged_total', 'counter', 'The number of writes merged.', 'writesMerged'],
  ['node_disk_written_bytes_total', 'counter', 'The total number of bytes written successfully.', 'writtenBytes'],
  ['node_disk_write_time_seconds_total', 'counter', 'This is the total number of seconds spent by all writes.', 'writeTimeSeconds'],
  ['node_disk_io_now', 'gauge', 'The number of I/Os currently in progress.', 'ioNow'],
  ['node_disk_io_time_seconds_total', 'counter', 'Total seconds spent doing I/Os.', 'ioTimeSeconds'],
  ['node_disk_io_time_weighted_seconds_total', 'counter', 'The weighted # of seconds spent doing I/Os.', 'ioTimeWeightedSeconds'],
] as const;

function addDisks(b: MetricSetBuilder, text: string): void {
  for (const [name, type, help] of DISK_METRICS) b.describe(name, type, help);
  for (const d of parseDiskstats(text)) {
    if (DEFAULT_DISK_EXCLUDE.test(d.device)) continue;
    for (const [name, , , field] of DISK_METRICS) b.add(name, { device: d.device }, d[field]);
  }
}

const NET_METRICS = [
  ['node_network_receive_bytes_total', 'receiveBytes'],
  ['node_network_receive_packets_total', 'receivePackets'],
  ['node_network_receive_errs_total', 'receiveErrs'],
  ['node_network_receive_drop_total', 'receiveDrop'],
  ['node_network_transmit_bytes_total', 'transmitBytes'],
  ['node_network_transmit_packets_total', 'transmitPackets'],
  ['node_network_transmit_errs_total', 'transmitErrs'],
  ['node_network_transmit_drop_total', 'transmitDrop'],
] as const;

function addNetwork(b: MetricSetBuilder, text: string): void {
  for (const [name] of NET_METRICS) b.describe(name, 'counter', `Network device statistic ${name.slice(13, -6)}.`);
  for (const d of parseNetDev(text)) for (const [name, field] of NET_METRICS) b.add(name, { device: d.device }, d[field]);
}

function describeFilesystem(b: MetricSetBuilder): void {
  b.describe('node_filesystem_size_bytes', 'gauge', 'Filesystem size in bytes.');
  b.describe('node_filesystem_free_bytes', 'gauge', 'Filesystem free space in bytes.');
  b.describe('node_filesystem_avail_bytes', 'gauge', 'Filesystem space available to non-root users in bytes.');
  b.describe('node_filesystem_files', 'gauge', 'Filesystem total file nodes.');
  b.describe('node_filesystem_files_free', 'gauge', 'Filesystem total free file nodes.');
  b.describe('node_filesystem_readonly', 'gauge', 'Filesystem read-only status.');
  b.describe('node_filesystem_device_error', 'gauge', 'Whether an error occurred while getting statistics for the given device.');
}
