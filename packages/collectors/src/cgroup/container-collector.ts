/**
 * Container metrics with cAdvisor's names and units, for every container found in the cgroup tree
 * (v1 or v2), whatever its runtime. Network counters come from the container's own network
 * namespace (read through one of its processes); host-network containers get none, since their
 * interfaces are the host's.
 */
import { join } from 'node:path';
import { MetricSetBuilder, sanitizeLabelName } from '@fathom/model';
import type { MetricSet } from '@fathom/model';
import type { Collector } from '../collector.js';
import { parseDiskstats } from '../host/diskstats.js';
import { parseNetDev } from '../host/netdev.js';
import { readLink, readText } from '../read.js';
import type { ContainerMetadata, ContainerMetadataSource } from '../runtime/metadata.js';
import { discoverContainers } from './discover.js';
import type { DiscoveredContainer } from './discover.js';
import { detectCgroupLayout } from './layout.js';
import type { CgroupLayout } from './layout.js';
import type { CgroupStats } from './stats.js';
import { readV1Stats } from './v1.js';
import { readV2Stats } from './v2.js';

export interface ContainerCollectorOptions {
  readonly procRoot: string;
  readonly sysRoot: string;
  readonly metadata: ContainerMetadataSource;
}

/** A container seen in the last cycle, with the labels its series carry. */
export interface ContainerSeen {
  readonly ref: DiscoveredContainer;
  readonly labels: Readonly<Record<string, string>>;
  readonly pids: readonly number[];
}

export class ContainerCollector implements Collector {
  readonly name = 'containers';
  private _layout: CgroupLayout | undefined | null = null;
  private _seen = new Map<string, ContainerSeen>();

  constructor(private readonly _opts: ContainerCollectorOptions) {}

  /** Containers of the last cycle by id (used to attribute processes). */
  get seen(): ReadonlyMap<string, ContainerSeen> {
    return this._seen;
  }

  async collect(signal: AbortSignal): Promise<MetricSet> {
    const b = describeContainerMetrics(new MetricSetBuilder());
    if (this._layout === null) this._layout = await detectCgroupLayout(this._opts.sysRoot);
    const layout = this._layout;
    if (!layout) return b.build();
    const containers = discover(layout);
    const [meta, devices, hostNetns] = await Promise.all([
      this._opts.metadata.lookup(containers.map((c) => c.id), signal),
      this._deviceNames(),
      this._hostNetns(),
    ]);
    const seen = new Map<string, ContainerSeen>();
    await Promise.all(
      containers.map(async (c) => {
        const stats = layout.version === 2 ? await readV2Stats(layout.root, c.cgroupPath) : await readV1Stats(layout, c.cgroupPath);
        if (!stats) return;
        const labels = containerLabels(c, meta.get(c.id));
        seen.set(c.id, { ref: c, labels, pids: stats.pids });
        addStats(b, labels, stats, devices);
        await this._addNetwork(b, labels, stats.pids[0], hostNetns);
      }),
    );
    this._seen = seen;
    return b.build();
  }

  /** The host's network namespace: pid 1's, or the agent's own when pid 1 is not readable. */
  private async _hostNetns(): Promise<string | undefined> {
    const proc = this._opts.procRoot;
    return (await readLink(join(proc, '1', 'ns', 'net'))) ?? (await readLink(join(proc, 'self', 'ns', 'net')));
  }

  private async _deviceNames(): Promise<Map<string, string>> {
    const text = await readText(join(this._opts.procRoot, 'diskstats'));
    return new Map(parseDiskstats(text ?? '').map((d) => [`${d.major}:${d.minor}`, d.device]));
  }

  private async _addNetwork(b: MetricSetBuilder, labels: Record<string, string>, pid: number | undefined, hostNetns: string | undefined): Promise<void> {
    if (pid === undefined) return;
    const pidDir = join(this._opts.procRoot, String(pid));
    const netns = await readLink(join(pidDir, 'ns', 'net'));
    if (netns !== undefined && netns === hostNetns) return;
    const text = await readText(join(pidDir, 'net', 'dev'));
    for (const d of parseNetDev(text ?? '')) {
      if (d.device === 'lo') continue;
      const l = { ...labels, interface: d.device };
      b.add('container_network_receive_bytes_total', l, d.receiveBytes);
      b.add('container_network_receive_packets_total', l, d.receivePackets);
      b.add('container_network_receive_errors_total', l, d.receiveErrs);
      b.add('container_network_receive_packets_dropped_total', l, d.receiveDrop);
      b.add('container_network_transmit_bytes_total', l, d.transmitBytes);
      b.add('container_network_transmit_packets_total', l, d.transmitPackets);
      b.add('container_network_transmit_errors_total', l, d.transmitErrs);
      b.add('container_network_transmit_packets_dropped_total', l, d.transmitDrop);
    }
  }
}

/** Every container has a cgroup in each v1 hierarchy, so one walk (memory, else cpuacct) finds them all. */
function discover(layout: CgroupLayout): DiscoveredContainer[] {
  if (layout.version === 2) return discoverContainers(layout.root);
  const viaMemory = discoverContainers(layout.memory);
  return viaMemory.length > 0 ? viaMemory : discoverContainers(layout.cpuacct);
}

/** The labels every series of a container carries. Runtime labels become `label_<sanitised>`. */
export function containerLabels(ref: DiscoveredContainer, meta: ContainerMetadata | undefined): Record<string, string> {
  const labels: Record<string, string> = { container_id: ref.id };
  if (meta) {
    labels['container'] = meta.name;
    labels['image'] = meta.image;
    for (const [k, v] of Object.entries(meta.labels)) labels[`label_${sanitizeLabelName(k)}`] = v;
  }
  return labels;
}

type NumericStat = Exclude<{ [K in keyof CgroupStats]-?: CgroupStats[K] extends number | undefined ? K : never }[keyof CgroupStats], undefined>;

const SCALAR_METRICS: readonly [string, 'counter' | 'gauge', string, NumericStat][] = [
  ['container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.', 'cpuUsageSeconds'],
  ['container_cpu_user_seconds_total', 'counter', 'Cumulative user cpu time consumed in seconds.', 'cpuUserSeconds'],
  ['container_cpu_system_seconds_total', 'counter', 'Cumulative system cpu time consumed in seconds.', 'cpuSystemSeconds'],
  ['container_cpu_cfs_periods_total', 'counter', 'Number of elapsed enforcement period intervals.', 'cfsPeriods'],
  ['container_cpu_cfs_throttled_periods_total', 'counter', 'Number of throttled period intervals.', 'cfsThrottledPeriods'],
  ['container_cpu_cfs_throttled_seconds_total', 'counter', 'Total time duration the container has been throttled.', 'cfsThrottledSeconds'],
  ['container_spec_cpu_quota', 'gauge', 'CPU quota of the container (microseconds per period).', 'cpuQuotaMicros'],
  ['container_spec_cpu_period', 'gauge', 'CPU period of the container (microseconds).', 'cpuPeriodMicros'],
  ['container_spec_cpu_shares', 'gauge', 'CPU share of the container.', 'cpuShares'],
  ['container_memory_usage_bytes', 'gauge', 'Current memory usage in bytes, including all memory regardless of when it was accessed.', 'memoryUsageBytes'],
  ['container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.', 'memoryWorkingSetBytes'],
  ['container_memory_rss', 'gauge', 'Size of RSS in bytes.', 'memoryRssBytes'],
  ['container_memory_cache', 'gauge', 'Number of bytes of page cache memory.', 'memoryCacheBytes'],
  ['container_memory_swap', 'gauge', 'Container swap usage in bytes.', 'memorySwapBytes'],
  ['container_memory_mapped_file', 'gauge', 'Size of memory mapped files in bytes.', 'memoryMappedFileBytes'],
  ['container_memory_failcnt', 'counter', 'Number of memory usage hits limits.', 'memoryFailcnt'],
  ['container_memory_max_usage_bytes', 'gauge', 'Maximum memory usage recorded in bytes.', 'memoryMaxUsageBytes'],
  ['container_spec_memory_limit_bytes', 'gauge', 'Memory limit for the container (0 when unlimited).', 'memoryLimitBytes'],
];

const NETWORK_METRICS: readonly [string, string][] = [
  ['container_network_receive_bytes_total', 'Cumulative count of bytes received.'],
  ['container_network_receive_packets_total', 'Cumulative count of packets received.'],
  ['container_network_receive_errors_total', 'Cumulative count of errors encountered while receiving.'],
  ['container_network_receive_packets_dropped_total', 'Cumulative count of packets dropped while receiving.'],
  ['container_network_transmit_bytes_total', 'Cumulative count of bytes transmitted.'],
  ['container_network_transmit_packets_total', 'Cumulative count of packets transmitted.'],
  ['container_network_transmit_errors_total', 'Cumulative count of errors encountered while transmitting.'],
  ['container_network_transmit_packets_dropped_total', 'Cumulative count of packets dropped while transmitting.'],
];

const BLOCK_METRICS: readonly [string, string, 'readBytes' | 'writtenBytes' | 'reads' | 'writes'][] = [
  ['container_fs_reads_bytes_total', 'Cumulative count of bytes read.', 'readBytes'],
  ['container_fs_writes_bytes_total', 'Cumulative count of bytes written.', 'writtenBytes'],
  ['container_fs_reads_total', 'Cumulative count of reads completed.', 'reads'],
  ['container_fs_writes_total', 'Cumulative count of writes completed.', 'writes'],
];

function describeContainerMetrics(b: MetricSetBuilder): MetricSetBuilder {
  for (const [name, type, help] of SCALAR_METRICS) b.describe(name, type, help);
  for (const [name, help] of NETWORK_METRICS) b.describe(name, 'counter', help);
  for (const [name, help] of BLOCK_METRICS) b.describe(name, 'counter', help);
  b.describe('container_processes', 'gauge', 'Number of processes running inside the container.');
  return b;
}

function addStats(b: MetricSetBuilder, labels: Record<string, string>, s: CgroupStats, devices: Map<string, string>): void {
  for (const [name, , , field] of SCALAR_METRICS) {
    const v = s[field];
    if (v !== undefined) b.add(name, labels, v);
  }
  b.add('container_processes', labels, s.pids.length);
  for (const io of s.blockIo) {
    const l = { ...labels, device: devices.get(io.majorMinor) ?? io.majorMinor };
    for (const [name, , field] of BLOCK_METRICS) b.add(name, l, io[field]);
  }
}
