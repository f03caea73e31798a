/** cgroup v2 readers: cpu.stat, cpu.max, cpu.weight, memory.*, io.stat, cgroup.procs. */
import { join } from 'node:path';
import { parseFlatKeyed, parseSingleInt, readText } from '../read.js';
import { defined, parsePids } from './v1.js';
import type { BlockIoStats, CgroupStats } from './stats.js';

export async function readV2Stats(root: string, cgroupPath: string): Promise<CgroupStats | undefined> {
  const at = (file: string): Promise<string | undefined> => readText(join(root, cgroupPath, file));
  const [cpuStat, cpuMax, cpuWeight, memCurrent, memStat, memMax, swapCurrent, memPeak, memEvents, ioStat, procs] = await Promise.all([
    at('cpu.stat'),
    at('cpu.max'),
    at('cpu.weight'),
    at('memory.current'),
    at('memory.stat'),
    at('memory.max'),
    at('memory.swap.current'),
    at('memory.peak'),
    at('memory.events'),
    at('io.stat'),
    at('cgroup.procs'),
  ]);
  if (cpuStat === undefined && memCurrent === undefined) return undefined;
  const cpu = parseFlatKeyed(cpuStat ?? '');
  const mem = parseFlatKeyed(memStat ?? '');
  const events = parseFlatKeyed(memEvents ?? '');
  const usage = parseSingleInt(memCurrent);
  const [quota, period] = parseCpuMax(cpuMax);
  const weight = parseSingleInt(cpuWeight);
  return {
    ...defined('cpuUsageSeconds', usToSeconds(cpu.get('usage_usec'))),
    ...defined('cpuUserSeconds', usToSeconds(cpu.get('user_usec'))),
    ...defined('cpuSystemSeconds', usToSeconds(cpu.get('system_usec'))),
    ...defined('cfsPeriods', cpu.get('nr_periods')),
    ...defined('cfsThrottledPeriods', cpu.get('nr_throttled')),
    ...defined('cfsThrottledSeconds', usToSeconds(cpu.get('throttled_usec'))),
    ...defined('cpuQuotaMicros', quota),
    ...defined('cpuPeriodMicros', period),
    ...defined('cpuShares', weight === undefined ? undefined : weightToShares(weight)),
    ...defined('memoryUsageBytes', usage),
    ...defined('memoryWorkingSetBytes', usage === undefined ? undefined : Math.max(0, usage - (mem.get('inactive_file') ?? 0))),
    ...defined('memoryRssBytes', mem.get('anon')),
    ...defined('memoryCacheBytes', mem.get('file')),
    ...defined('memorySwapBytes', parseSingleInt(swapCurrent)),
    ...defined('memoryMappedFileBytes', mem.get('file_mapped')),
    ...defined('memoryFailcnt', events.get('max')),
    ...defined('memoryMaxUsageBytes', parseSingleInt(memPeak)),
    ...defined('memoryLimitBytes', memMax === undefined ? undefined : (parseSingleInt(memMax) ?? 0)),
    blockIo: parseIoStat(ioStat ?? ''),
    pids: parsePids(procs ?? ''),
  };
}

/** `cpu.max` is `<quota|max> <period>` in microseconds. */
export function parseCpuMax(text: string | undefined): [quota: number | undefined, period: number | undefined] {
  const [q, p] = (text ?? '').trim().split(/\s+/);
  const quota = q !== undefined && /^\d+$/.test(q) ? Number(q) : undefined;
  const period = p !== undefined && /^\d+$/.test(p) ? Number(p) : undefined;
  return [quota, period];
}

/** Inverse of the runtimes' shares → weight mapping (OCI: weight = 1 + (shares-2)*9999/262142). */
export function weightToShares(weight: number): number {
  return Math.round(2 + ((weight - 1) * 262142) / 9999);
}

/** `io.stat` lines: `8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0`. */
export function parseIoStat(text: string): BlockIoStats[] {
  const out: BlockIoStats[] = [];
  for (const line of text.split('\n')) {
    const [dev, ...pairs] = line.trim().split(/\s+/);
    if (!dev || !/^\d+:\d+$/.test(dev)) continue;
    const kv = new Map(pairs.map((p) => p.split('=') as [string, string]).map(([k, v]) => [k, Number(v)]));
    out.push({ majorMinor: dev, readBytes: kv.get('rbytes') ?? 0, writtenBytes: kv.get('wbytes') ?? 0, reads: kv.get('rios') ?? 0, writes: kv.get('wios') ?? 0 });
  }
  return out;
}

function usToSeconds(us: number | undefined): number | undefined {
  return us === undefined ? undefined : us / 1e6;
}
