/** cgroup v1 readers: cpu, cpuacct, memory, blkio and the process list. */
import { join } from 'node:path';
import { USER_HZ } from '../host/proc-stat.js';
import { parseFlatKeyed, parseSingleInt, readText } from '../read.js';
import { UNLIMITED_THRESHOLD } from './stats.js';
import type { BlockIoStats, CgroupStats } from './stats.js';
import type { CgroupLayout } from './layout.js';

type V1Layout = Extract<CgroupLayout, { version: 1 }>;

export async function readV1Stats(layout: V1Layout, cgroupPath: string): Promise<CgroupStats | undefined> {
  const at = (dir: string, file: string): Promise<string | undefined> => readText(join(dir, cgroupPath, file));
  const [usage, acctStat, cpuStat, quota, period, shares, memUsage, memStat, memLimit, failcnt, maxUsage, ioBytes, ioOps, procs] =
    await Promise.all([
      at(layout.cpuacct, 'cpuacct.usage'),
      at(layout.cpuacct, 'cpuacct.stat'),
      at(layout.cpu, 'cpu.stat'),
      at(layout.cpu, 'cpu.cfs_quota_us'),
      at(layout.cpu, 'cpu.cfs_period_us'),
      at(layout.cpu, 'cpu.shares'),
      at(layout.memory, 'memory.usage_in_bytes'),
      at(layout.memory, 'memory.stat'),
      at(layout.memory, 'memory.limit_in_bytes'),
      at(layout.memory, 'memory.failcnt'),
      at(layout.memory, 'memory.max_usage_in_bytes'),
      at(layout.blkio, 'blkio.throttle.io_service_bytes'),
      at(layout.blkio, 'blkio.throttle.io_serviced'),
      at(layout.memory, 'cgroup.procs'),
    ]);
  if (usage === undefined && memUsage === undefined) return undefined; // the cgroup is gone
  const acct = parseFlatKeyed(acctStat ?? '');
  const cpu = parseFlatKeyed(cpuStat ?? '');
  const mem = parseFlatKeyed(memStat ?? '');
  const usageBytes = parseSingleInt(memUsage);
  const inactiveFile = mem.get('total_inactive_file') ?? 0;
  const quotaUs = parseSingleInt(quota);
  const limit = parseSingleInt(memLimit);
  return {
    ...defined('cpuUsageSeconds', nsToSeconds(parseSingleInt(usage))),
    ...defined('cpuUserSeconds', ticks(acct.get('user'))),
    ...defined('cpuSystemSeconds', ticks(acct.get('system'))),
    ...defined('cfsPeriods', cpu.get('nr_periods')),
    ...defined('cfsThrottledPeriods', cpu.get('nr_throttled')),
    ...defined('cfsThrottledSeconds', nsToSeconds(cpu.get('throttled_time'))),
    ...defined('cpuQuotaMicros', quotaUs !== undefined && quotaUs > 0 ? quotaUs : undefined),
    ...defined('cpuPeriodMicros', parseSingleInt(period)),
    ...defined('cpuShares', parseSingleInt(shares)),
    ...defined('memoryUsageBytes', usageBytes),
    ...defined('memoryWorkingSetBytes', usageBytes === undefined ? undefined : Math.max(0, usageBytes - inactiveFile)),
    ...defined('memoryRssBytes', mem.get('total_rss')),
    ...defined('memoryCacheBytes', mem.get('total_cache')),
    ...defined('memorySwapBytes', mem.get('total_swap')),
    ...defined('memoryMappedFileBytes', mem.get('total_mapped_file')),
    ...defined('memoryFailcnt', parseSingleInt(failcnt)),
    ...defined('memoryMaxUsageBytes', parseSingleInt(maxUsage)),
    ...defined('memoryLimitBytes', limit === undefined ? undefined : limit >= UNLIMITED_THRESHOLD ? 0 : limit),
    blockIo: parseBlkio(ioBytes ?? '', ioOps ?? ''),
    pids: parsePids(procs ?? ''),
  };
}

/** Parses `8:0 Read 4096` lines of blkio.throttle.io_service_bytes and io_serviced. */
export function parseBlkio(bytesText: string, opsText: string): BlockIoStats[] {
  const byDevice = new Map<string, { readBytes: number; writtenBytes: number; reads: number; writes: number }>();
  const entry = (dev: string): { readBytes: number; writtenBytes: number; reads: number; writes: number } => {
    let e = byDevice.get(dev);
    if (!e) byDevice.set(dev, (e = { readBytes: 0, writtenBytes: 0, reads: 0, writes: 0 }));
    return e;
  };
  for (const [text, isBytes] of [[bytesText, true], [opsText, false]] as const) {
    for (const line of text.split('\n')) {
      const [dev, op, value] = line.trim().split(/\s+/);
      if (!dev || !/^\d+:\d+$/.test(dev) || value === undefined) continue;
      const n = Number(value);
      if (op === 'Read') entry(dev)[isBytes ? 'readBytes' : 'reads'] += n;
      else if (op === 'Write') entry(dev)[isBytes ? 'writtenBytes' : 'writes'] += n;
    }
  }
  return [...byDevice].map(([majorMinor, e]) => ({ majorMinor, ...e }));
}

export function parsePids(text: string): number[] {
  return text
    .split('\n')
    .filter((l) => /^\d+$/.test(l.trim()))
    .map(Number);
}

function nsToSeconds(ns: number | undefined): number | undefined {
  return ns === undefined ? undefined : ns / 1e9;
}

function ticks(t: number | undefined): number | undefined {
  return t === undefined ? undefined : t / USER_HZ;
}

/** Spreads `{key: value}` only when value is defined (keeps exactOptionalPropertyTypes honest). */
export function defined<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}
