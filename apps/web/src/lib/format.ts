/** Human-readable values for tables, axes and legends. Pure. */

export type Unit = 'cores' | 'bytes' | 'bytesPerS' | 'percent' | 'seconds' | 'count' | 'ratio' | 'perS' | 'none';

function trim(n: number, digits: number): string {
  return Number(n.toFixed(digits)).toString();
}

export function formatBytes(v: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${v < 0 ? '-' : ''}${trim(x, x >= 100 ? 0 : 1)} ${units[i]!}`;
}

export function formatSeconds(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) < 1e-3) return `${trim(v * 1e6, 0)} µs`;
  if (Math.abs(v) < 1) return `${trim(v * 1e3, v < 0.01 ? 1 : 0)} ms`;
  if (Math.abs(v) < 120) return `${trim(v, 2)} s`;
  return `${trim(v / 60, 1)} min`;
}

export function formatNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${trim(v / 1e9, 1)}G`;
  if (a >= 1e6) return `${trim(v / 1e6, 1)}M`;
  if (a >= 1e4) return `${trim(v / 1e3, 1)}k`;
  if (a >= 100) return trim(v, 0);
  if (a >= 1) return trim(v, 2);
  return trim(v, 3);
}

export function formatValue(v: number | undefined, unit: Unit): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  switch (unit) {
    case 'cores':
      return v < 1 ? `${trim(v * 1000, 0)}m` : trim(v, 2);
    case 'bytes':
      return formatBytes(v);
    case 'bytesPerS':
      return `${formatBytes(v)}/s`;
    case 'percent':
      return `${trim(v, v < 10 ? 1 : 0)}%`;
    case 'ratio':
      return `${trim(v * 100, v < 0.1 ? 2 : 1)}%`;
    case 'seconds':
      return formatSeconds(v);
    case 'perS':
      return `${formatNumber(v)}/s`;
    case 'count':
    case 'none':
      return formatNumber(v);
  }
}

/** `14:05` for times within a day of `nowMs`, else `Nov 24 14:05`; in UTC for stable screenshots and links. */
export function formatTime(tMs: number, nowMs: number): string {
  const d = new Date(tMs);
  const hm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  if (Math.abs(nowMs - tMs) < 86_400_000) return hm;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  return `${month} ${d.getUTCDate()} ${hm}`;
}

/** `12s`, `5m`, `3h 10m`, `2d 4h`: how long ago (or, negative, how long until). */
export function formatAge(ms: number): string {
  const a = Math.abs(ms);
  const s = Math.floor(a / 1000);
  let text: string;
  if (s < 60) text = `${s}s`;
  else if (s < 3600) text = `${Math.floor(s / 60)}m`;
  else if (s < 86_400) text = `${Math.floor(s / 3600)}h${s % 3600 >= 60 ? ` ${Math.floor((s % 3600) / 60)}m` : ''}`;
  else text = `${Math.floor(s / 86_400)}d${s % 86_400 >= 3600 ? ` ${Math.floor((s % 86_400) / 3600)}h` : ''}`;
  return ms < 0 ? `in ${text}` : text;
}
