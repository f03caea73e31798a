/**
 * Resource usage of one cgroup, normalised across v1 and v2 to the units cAdvisor reports.
 * A field is undefined when the kernel does not expose it for this cgroup.
 */
export interface CgroupStats {
  readonly cpuUsageSeconds?: number;
  readonly cpuUserSeconds?: number;
  readonly cpuSystemSeconds?: number;
  readonly cfsPeriods?: number;
  readonly cfsThrottledPeriods?: number;
  readonly cfsThrottledSeconds?: number;
  /** CFS quota in microseconds per period; undefined when unlimited. */
  readonly cpuQuotaMicros?: number;
  readonly cpuPeriodMicros?: number;
  /** cgroup v1 cpu.shares (v2 cpu.weight converted back to shares, as cAdvisor does). */
  readonly cpuShares?: number;
  readonly memoryUsageBytes?: number;
  readonly memoryWorkingSetBytes?: number;
  readonly memoryRssBytes?: number;
  readonly memoryCacheBytes?: number;
  readonly memorySwapBytes?: number;
  readonly memoryMappedFileBytes?: number;
  readonly memoryFailcnt?: number;
  readonly memoryMaxUsageBytes?: number;
  /** 0 when unlimited, as cAdvisor reports it. */
  readonly memoryLimitBytes?: number;
  readonly blockIo: readonly BlockIoStats[];
  readonly pids: readonly number[];
}

export interface BlockIoStats {
  /** `major:minor` of the device. */
  readonly majorMinor: string;
  readonly readBytes: number;
  readonly writtenBytes: number;
  readonly reads: number;
  readonly writes: number;
}

/** The kernel's "no limit" values are huge numbers near 2^63; anything above this is unlimited. */
export const UNLIMITED_THRESHOLD = 2 ** 60;
