/** /proc/stat: CPU time per mode, context switches, interrupts, forks, boot time, process counts. */

/** Kernel ticks per second for /proc times (USER_HZ); 100 on every Linux ABI Node runs on. */
export const USER_HZ = 100;

export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

export interface CpuTimes {
  readonly cpu: string;
  /** Seconds per mode, in the order of {@link CPU_MODES}. */
  readonly seconds: Record<(typeof CPU_MODES)[number], number>;
  readonly guestSeconds: number;
  readonly guestNiceSeconds: number;
}

export interface ProcStat {
  readonly cpus: CpuTimes[];
  readonly contextSwitches?: number;
  readonly interrupts?: number;
  readonly bootTimeSeconds?: number;
  readonly forks?: number;
  readonly procsRunning?: number;
  readonly procsBlocked?: number;
}

export function parseProcStat(text: string): ProcStat {
  const cpus: CpuTimes[] = [];
  const scalars = new Map<string, number>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const key = fields[0] ?? '';
    if (/^cpu\d+$/.test(key)) cpus.push(parseCpuLine(key.slice(3), fields.slice(1).map(Number)));
    else if (fields.length >= 2) scalars.set(key, Number(fields[1]));
  }
  return {
    cpus,
    ...opt('contextSwitches', scalars.get('ctxt')),
    ...opt('interrupts', scalars.get('intr')),
    ...opt('bootTimeSeconds', scalars.get('btime')),
    ...opt('forks', scalars.get('processes')),
    ...opt('procsRunning', scalars.get('procs_running')),
    ...opt('procsBlocked', scalars.get('procs_blocked')),
  };
}

function parseCpuLine(cpu: string, ticks: number[]): CpuTimes {
  const at = (i: number): number => (ticks[i] ?? 0) / USER_HZ;
  // The kernel counts guest time inside user (and guest_nice inside nice); node-exporter reports
  // them unchanged, so we do too.
  return {
    cpu,
    seconds: { user: at(0), nice: at(1), system: at(2), idle: at(3), iowait: at(4), irq: at(5), softirq: at(6), steal: at(7) },
    guestSeconds: at(8),
    guestNiceSeconds: at(9),
  };
}

function opt<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined || Number.isNaN(value) ? {} : ({ [key]: value } as Record<K, number>);
}
