/** Parsers for /proc/<pid>/stat and /proc/<pid>/io (proc(5)). */

export interface PidStat {
  readonly pid: number;
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  /** CPU time in clock ticks (USER_HZ). */
  readonly utimeTicks: number;
  readonly stimeTicks: number;
  readonly threads: number;
  /** Start time in ticks after boot. */
  readonly startTicks: number;
  readonly vsizeBytes: number;
  readonly rssPages: number;
}

/** Parses /proc/<pid>/stat. The command name may contain spaces and parentheses: it ends at the last `)`. */
export function parsePidStat(text: string): PidStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const f = text.slice(close + 2).trim().split(/\s+/);
  if (f.length < 22) return undefined;
  const n = (i: number): number => Number(f[i]);
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: f[0] ?? '?',
    ppid: n(1),
    utimeTicks: n(11),
    stimeTicks: n(12),
    threads: n(17),
    startTicks: n(19),
    vsizeBytes: n(20),
    rssPages: n(21),
  };
}

export interface PidIo {
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly rchar: number;
  readonly wchar: number;
}

export function parsePidIo(text: string): PidIo | undefined {
  const kv = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.split(':');
    if (k && v !== undefined) kv.set(k.trim(), Number(v.trim()));
  }
  const readBytes = kv.get('read_bytes');
  const writeBytes = kv.get('write_bytes');
  if (readBytes === undefined || writeBytes === undefined) return undefined;
  return { readBytes, writeBytes, rchar: kv.get('rchar') ?? 0, wchar: kv.get('wchar') ?? 0 };
}
